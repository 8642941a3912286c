// The last stage of the pipeline, whatever the mode: `load` sends batches over HTTP (sender.h),
// `--dry-run` and `bench` discard them, `encode` writes their bodies to a file (local_sink.h).
// The stages before it are the same for every mode; only the sink differs.
//
// Threading: every member function of a sink runs on the pipeline's io_context thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/rows_json.h"

#include "loader/ack_tracker.h"
#include "loader/load_options.h"

namespace dsfill::loader {

// One batch ready to go: where it came from and its complete request body.
struct EncodedBatch {
  std::uint64_t seq = 0;
  std::int64_t first_row = 0;
  std::uint64_t physical_rows = 0;
  std::int64_t byte_begin = 0;
  std::int64_t byte_end = 0;
  std::uint64_t rows = 0;
  std::uint64_t json_bytes = 0;
  bool append = true;
  std::string idempotency_key;
  std::string body;
  std::vector<codec::RowReject> rejects;  // records of the batch left out (--max-bad-rows)
  // The batch's CSV, kept only where a refused batch may be split and sent again (row_split.h).
  std::string_view csv;
  std::shared_ptr<const char[]> csv_storage;

  // The physical row after the batch: where the acknowledged prefix stands once it is stored.
  std::int64_t next_row() const { return first_row + static_cast<std::int64_t>(physical_rows); }
};

// What a sink has done so far (read by the progress line and the summary).
struct SinkState {
  std::uint64_t rows = 0;
  std::uint64_t batches = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t json_bytes = 0;
  std::uint64_t bytes_sent = 0;  // request bodies of the acknowledged batches
  std::uint64_t requests = 0;
  std::uint64_t retries = 0;
  std::string last_retry_reason;  // why the latest retry happened ("HTTP 503 ...", "timeout")
  bool completing = false;        // POST /dataset-complete has started (every batch is stored)
  bool completed = false;
  std::optional<std::int64_t> server_rows_count;      // of the last answer read
  std::optional<std::int64_t> server_rows_count_max;  // the largest of the fill answers
  std::optional<std::uint64_t> server_rows_inserted;  // summed over the fill answers
  // The dataset's rows before this run, derived from answers that carry both counts.
  std::optional<std::int64_t> server_rows_before;
  bool rows_inserted_missing = false;  // some answer lacked "rows-inserted"
  Outcome outcome = Outcome::kOk;
  std::string message;
  int signal = 0;
  double busy_seconds = 0;        // integral of in-flight requests over time, divided by K
  std::uint64_t size_splits = 0;  // batches or parts split for their body's size
  std::uint64_t smallest_body_refused = 0;  // bytes of the smallest body a 413 refused; 0: none
  std::uint64_t largest_body_stored = 0;    // bytes of the largest body the server stored
  std::uint64_t redirects = 0;              // 307/308 answers followed
  std::string moved_to;  // the target a 308 moved an endpoint to (the URL to use), or ""
  std::string proxy;     // the summary's proxy line (proxy_setting.h), or ""

  // Counts `b` as done: stored by the server, written, or discarded.
  void count_done(const EncodedBatch& b) {
    rows += b.rows;
    batches += 1;
    bytes_in += static_cast<std::uint64_t>(b.byte_end - b.byte_begin);
    json_bytes += b.json_bytes;
  }
  // Records why the sink stops; the first stop's outcome wins.
  void record_stop(Outcome why, std::string text, int signo) {
    if (outcome != Outcome::kOk) return;
    outcome = why;
    message = std::move(text);
    signal = signo;
  }
};

// What the pipeline asks of its sink's lifecycle, as named callbacks (each may be empty).
struct SinkCallbacks {
  // Runs once per submitted batch when it leaves the sink (acknowledged or dropped): that frees
  // a place in the pipeline's window.
  std::function<void()> release_slot;
  // Runs once when the sink stops early (error or signal), so that upstream stages stop.
  std::function<void()> on_stop;
  // Runs once at the end, posted to the io_context.
  std::function<void()> on_finished;
  // Runs each time the acknowledged contiguous prefix grows.
  std::function<void()> on_prefix_advance;
};

class BatchSink {
 public:
  virtual ~BatchSink() = default;

  // Takes a batch. Batches may arrive in any order. REQUIRES: every seq from 0 up is submitted
  // once (or the sink stops).
  virtual void submit(EncodedBatch batch) = 0;
  // Declares that `batches` batches were submitted in all; the sink finishes once all are done.
  virtual void input_done(std::uint64_t batches) = 0;
  // Stops early: drops batches not yet done, lets work in progress finish, then finishes. The
  // first stop's outcome wins.
  virtual void stop(Outcome outcome, std::string message, int signal = 0) = 0;

  virtual const SinkState& state() const = 0;
  // The acknowledged contiguous prefix.
  virtual const AckTracker& acks() const = 0;
  // Connections opened (0 for sinks without a network).
  virtual std::uint64_t connects() const { return 0; }
};

}  // namespace dsfill::loader
