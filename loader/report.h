// What the user reads: the progress line, the final summary, and the summary as JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "loader/load_options.h"

namespace dsfill::loader {

struct ProgressSnapshot {
  std::uint64_t bytes_done = 0;
  std::optional<std::int64_t> bytes_total;  // the file size, when known
  std::uint64_t rows_done = 0;
  std::uint64_t retries = 0;
  double elapsed_seconds = 0;
};

// Returns one line such as
// "45.2 MB / 200.0 MB (22.6%)  1,234,567 rows  38.1 MB/s  104,000 rows/s  ETA 0:04:03  retries 2"
// (no total, percentage or ETA when the size is unknown).
std::string format_progress(const ProgressSnapshot& snapshot);

// Returns the human summary: several lines, each "label: value", ending in a newline.
std::string format_summary(const LoadReport& report);

// Returns the summary as one JSON object (the --summary-json file).
std::string summary_json(const LoadReport& report);

// Helpers shared with the progress line (exposed for tests).
std::string format_bytes(double bytes);       // "1.5 MB" (decimal units)
std::string format_count(std::uint64_t n);    // "1,234,567"
std::string format_duration(double seconds);  // "0:04:03", or "12.3 s" under a minute
const char* outcome_name(Outcome outcome);    // "ok", "bad_input", ...

}  // namespace dsfill::loader
