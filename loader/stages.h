// The thread bodies of the pipeline's first two stages. Each returns what it did and how long
// it was busy (working, not waiting on a queue), for the summary's bottleneck line.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/error.h"
#include "codec/batch_encoder.h"
#include "loader/bounded_queue.h"
#include "loader/chunker.h"
#include "loader/level_controller.h"
#include "loader/reject_log.h"
#include "loader/seq_window.h"
#include "loader/sink.h"

namespace dsfill::loader {

struct StageResult {
  double busy_seconds = 0;
  std::uint64_t items = 0;
  std::optional<Error> error;
  std::uint64_t error_seq = UINT64_MAX;  // the batch that failed, to report the earliest
};

// Cuts batches from `chunker` (numbered 0, 1, ... from here) into `out` until the end of input,
// an error, or `out` closing. An error closes and clears `out` so that the encoders stop.
// With `at_least_one`, an empty input still yields one empty batch (replace mode truncates).
StageResult run_reader(Chunker& chunker, std::int64_t first_row, bool at_least_one,
                       BoundedQueue<Batch>& out);

// Encodes batches from `in` into request bodies, then waits until its batch may enter the
// window (`window`, keyed by sequence number, so the sender gets bodies in file order within a
// bounded window) and hands each to `deliver`. Batch 0 is the truncating request when `replace`.
// An encoding error closes and clears `in`. Returns when `in` is drained or `window` closes.
// With `levels` (--level auto), each batch takes its gzip level from it and reports to it how
// long the encoder worked on it and then waited for the sender to take it. With `budget`, the
// records a batch leaves out are counted there, and passing its limit is an error (kBadCsv)
// naming the limit and the last bad record. With `keep_csv`, each EncodedBatch keeps its CSV
// (so that the sender can split it when the server refuses a row).
StageResult run_encoder(BoundedQueue<Batch>& in, SeqWindow& window, codec::BatchEncoder& encoder,
                        bool replace, const std::string& load_id,
                        const std::function<void(EncodedBatch)>& deliver,
                        LevelController* levels = nullptr, RejectBudget* budget = nullptr,
                        bool keep_csv = false);

}  // namespace dsfill::loader
