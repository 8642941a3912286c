// What the user reads: the progress line, the final summary, and the summary as JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "loader/load_options.h"

namespace dsfill::loader {

struct ProgressSnapshot {
  // The file's bytes done: those before where this run started (a resume) count as done.
  std::uint64_t bytes_done = 0;
  std::optional<std::int64_t> bytes_total;  // the file size, when known
  std::uint64_t rows_done = 0;
  std::uint64_t retries = 0;
  double elapsed_seconds = 0;
  // Where this run started in the file (a resume's offset, else the header's end): those bytes
  // are in bytes_done but not in the rates or the ETA's pace.
  std::uint64_t bytes_start = 0;
  std::string retry_reason;  // why the latest retry happened, or ""
  bool completing = false;   // POST /dataset-complete is running
};

// Returns one line such as
// "45.2 MB / 200.0 MB (22.6%)  1,234,567 rows  38.1 MB/s  104,000 rows/s  ETA 0:04:03  retries 2"
// (no total, percentage or ETA when the size is unknown; "completing dataset..." first while
// /dataset-complete runs; the latest retry's reason after the retries). With `width` (the
// terminal's columns; 0: no limit) the line has at most width - 1 printable columns, so that it
// never wraps: the least useful fields go first (rows/s, MB/s, "retries 0", the total, the
// ETA, ...), the reason is cut to the room left, and what still does not fit is cut.
std::string format_progress(const ProgressSnapshot& snapshot, std::size_t width = 0);

// Returns the printable columns of `text` (UTF-8 code points; no wide characters assumed).
std::size_t display_columns(std::string_view text);

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
