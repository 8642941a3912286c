// Bad rows kept aside (--max-bad-rows, --max-bad-ratio, --rejects FILE).
//
// The rejects file is itself a CSV: the input's header record, then every rejected record byte
// for byte as it was in the input, so it can be fixed and loaded with the same flags. Beside it,
// FILE.errors.jsonl has one JSON object per rejected record: {"row", "byte", "field", "column",
// "value" (cut to 200 bytes), "reason" (a stable name), "message"}.
//
// A batch's rejects are written once the batch is in the acknowledged prefix, in file order, so
// the files hold exactly the rejects of the prefix the checkpoint records; a resume truncates
// them back to the recorded lengths, and no reject line is written twice or lost.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "base/error.h"
#include "codec/columns.h"
#include "codec/rows_json.h"

namespace dsfill::loader {

// How many bad rows a load may leave out before it stops: the larger of `max_rows` and
// `max_ratio` of the records read so far. Both 0 (the default): none, the first bad row stops it.
struct BadRowLimits {
  std::uint64_t max_rows = 0;
  double max_ratio = 0;
  bool any() const { return max_rows > 0 || max_ratio > 0; }
  std::uint64_t allowed(std::uint64_t records) const;
};

// What was rejected: counts by reason, and the two files' lengths (recorded in the checkpoint).
struct RejectTally {
  std::uint64_t rows = 0;
  std::array<std::uint64_t, codec::kRejectReasonCount> by_reason{};
  std::uint64_t file_bytes = 0;    // the rejects file (header included); 0 without one
  std::uint64_t errors_bytes = 0;  // FILE.errors.jsonl
  bool operator==(const RejectTally&) const = default;
};

// Counts rejects as the encoders find them, to stop the load as soon as it passes its limit.
// Thread-safe.
class RejectBudget {
 public:
  RejectBudget(BadRowLimits limits, std::uint64_t rows_before, std::uint64_t rejects_before)
      : limits_(limits), records_(rows_before + rejects_before), rejects_(rejects_before) {}
  // Counts a batch of `rows` good and `rejects` bad records; returns false once past the limit.
  bool count(std::uint64_t rows, std::uint64_t rejects);
  const BadRowLimits& limits() const { return limits_; }
  std::uint64_t rejects() const { return rejects_.load(); }

 private:
  BadRowLimits limits_;
  std::atomic<std::uint64_t> records_;
  std::atomic<std::uint64_t> rejects_;
};

class RejectLog {
 public:
  // `path` empty: rejects are counted, not written. Otherwise creates (truncates) `path` and
  // `path`.errors.jsonl and writes `header_record` first; with `resume`, truncates both back to
  // the lengths it records instead. `columns`/`source` name the column of a field in errors.
  static Result<std::unique_ptr<RejectLog>> open(std::string path, std::string header_record,
                                                 const RejectTally* resume,
                                                 std::vector<std::string> field_names);
  ~RejectLog();
  RejectLog(const RejectLog&) = delete;
  RejectLog& operator=(const RejectLog&) = delete;

  // Keeps the rejects of batch `seq` (added to those it holds) until write_through passes it.
  void hold(std::uint64_t seq, std::vector<codec::RowReject> rejects);
  // Writes, in file order, the held rejects of every batch before `next_seq`.
  Result<void> write_through(std::uint64_t next_seq);
  // Makes what was written durable (before a checkpoint records its length).
  Result<void> sync();

  const RejectTally& tally() const { return tally_; }
  const std::string& path() const { return path_; }
  std::string errors_path() const { return path_ + ".errors.jsonl"; }
  // The first rejects written (at most `cap`, 5 unless set), for the summary or `dsfill check`.
  const std::vector<codec::RowReject>& examples() const { return examples_; }
  void set_example_cap(std::size_t cap) { example_cap_ = cap; }

 private:
  RejectLog() = default;
  Result<void> write(codec::RowReject& reject);

  std::string path_;
  std::vector<std::string> field_names_;
  std::FILE* rows_ = nullptr;
  std::FILE* errors_ = nullptr;
  std::map<std::uint64_t, std::vector<codec::RowReject>> held_;
  RejectTally tally_;
  std::vector<codec::RowReject> examples_;
  std::size_t example_cap_ = 5;
};

// Returns the JSON line (newline included) FILE.errors.jsonl has for `reject`.
std::string reject_json_line(const codec::RowReject& reject);

// Returns one line for a person: "row 12, byte 1044, field 3 (price): not_a_number: column 3
// is numeric but holds \"abc\"".
std::string describe_reject(const codec::RowReject& reject);

// Returns {"rows": N, "by_reason": {"ragged_row": 3, ...}} (non-zero reasons only), the shape
// the checkpoint and the summary JSON share.
boost::json::object reject_counts_json(const RejectTally& tally);

// Returns "ragged_row 3, not_a_number 1" for the non-zero counts of `tally`.
std::string reject_counts_text(const RejectTally& tally);

}  // namespace dsfill::loader
