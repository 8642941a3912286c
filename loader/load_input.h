// Opens what a run of a load reads: the input, its header and schema, the request body
// template, the resume plan, and the chunker this run's batches come from (after the header; or
// a shard's byte range; or the unacknowledged rest of a resumed load).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "base/error.h"
#include "codec/request_body.h"
#include "loader/chunker.h"
#include "loader/input_reader.h"
#include "loader/load_options.h"
#include "loader/resume_plan.h"
#include "loader/schema.h"

namespace dsfill::loader {

struct LoadInput {
  Schema schema;
  codec::BodyTemplate body;
  Plan plan;
  std::optional<std::int64_t> size;  // the input's size when known (compressed when compressed)
  // The row number of the file's first data record (after the header and skipped lines), so
  // that what is said of rows never counts the header.
  std::int64_t first_data_row = 1;
  // For a compressed input: the compressed bytes read so far, out of `size`, for the progress
  // line (the decompressed size is unknown until the end). Null for a plain input.
  std::shared_ptr<const std::atomic<std::int64_t>> compressed_read;
  // Where this run's batches come from. REQUIRES: plan.already_finished is false.
  // NOLINTNEXTLINE(readability-make-member-function-const): it hands out a chunker to advance.
  Chunker& batches() { return tail_ ? *tail_ : *head_; }

  // The readers and chunkers, owned here because a chunker refers to its reader.
  std::unique_ptr<InputReader> reader_;
  std::unique_ptr<Chunker> head_;  // from byte 0: the header, then the data when no tail
  std::unique_ptr<InputReader> tail_reader_;
  std::unique_ptr<Chunker> tail_;
};

// Returns the opened input of the load `o`. Errors carry their whole text in `message` (the
// input named first for data errors: "data.csv: ragged row: ... (row 12, byte 1044)") and their
// kind in `code`: kBadArgument for usage errors (a checkpoint that does not match, a header that
// does not name the spec's columns), anything else for bad or unreadable input.
Result<std::unique_ptr<LoadInput>> open_input(const LoadOptions& o);

}  // namespace dsfill::loader
