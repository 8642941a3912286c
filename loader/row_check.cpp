#include "loader/row_check.h"

#include <optional>
#include <string>

namespace dsfill::loader {

namespace {

std::string count(std::int64_t n) { return std::to_string(n); }

void mismatch(LoadReport& r, std::string message) {
  r.outcome = Outcome::kCountMismatch;
  r.message = std::move(message);
  r.row_check = "the counts differ (see the message above)";
}

// Returns the dataset's count at the end: /dataset-complete's when it ran, else the highest a fill
// reported (with K connections the last answer read need not be the last committed).
std::optional<std::int64_t> final_count(const LoadReport& r) {
  return r.completed && r.server_rows_count ? r.server_rows_count : r.server_rows_count_max;
}

void check_replace(LoadReport& r) {
  // A resumed replace load: the dataset also holds the rows the earlier runs stored.
  const auto total = static_cast<std::int64_t>(r.rows + r.rows_before);
  const std::optional<std::int64_t> end = final_count(r);
  if (!end) {
    r.row_check = "the server did not report the dataset's row count: count not checked";
  } else if (*end != total) {
    mismatch(r, "the server reports " + count(*end) + " rows in the dataset, but this load sent " +
                    count(total));
  } else {
    r.row_check = "the dataset holds " + count(total) + " rows, as many as this load sent";
  }
}

void check_append(const LoadOptions& o, LoadReport& r) {
  const auto sent = static_cast<std::int64_t>(r.rows);
  if (r.batches == 0) {
    r.row_check = "no rows sent: nothing to check";
    return;
  }
  if (!r.server_rows_inserted) {
    r.row_check = "the server did not report inserted rows: count not checked";
    return;
  }
  if (static_cast<std::int64_t>(*r.server_rows_inserted) != sent) {
    mismatch(r, "the server stored " + count(static_cast<std::int64_t>(*r.server_rows_inserted)) +
                    " rows from this load, but it sent " + count(sent));
    return;
  }
  r.row_check = "the server stored the " + count(sent) + " rows this load sent";
  if (o.shard.count > 1) {
    r.row_check += " (a shard: other shards write the same dataset, so its total is not compared)";
    return;
  }
  const std::optional<std::int64_t> end = final_count(r);
  if (!end || !r.server_rows_before) {
    r.row_check += "; the server did not report the dataset's total: total not checked";
    return;
  }
  if (*end != *r.server_rows_before + sent) {
    mismatch(r, "the dataset holds " + count(*end) + " rows, but it held " +
                    count(*r.server_rows_before) + " before this load and this load added " +
                    count(sent) + " (" + count(*r.server_rows_before + sent) +
                    "): another writer changed the dataset during the load");
    return;
  }
  r.row_check +=
      "; the dataset holds " + count(*end) + " rows (" + count(*r.server_rows_before) + " before)";
}

}  // namespace

void check_rows(const LoadOptions& options, LoadReport& report) {
  if (options.target != Target::kNetwork || report.outcome != Outcome::kOk) return;
  if (report.already_finished) return;
  if (options.replace) {
    check_replace(report);
  } else {
    check_append(options, report);
  }
}

}  // namespace dsfill::loader
