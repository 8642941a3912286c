#include "loader/stages.h"

#include <chrono>
#include <utility>

#include "loader/load_id.h"

namespace dsfill::loader {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

StageResult run_reader(Chunker& chunker, std::int64_t first_row, bool at_least_one,
                       BoundedQueue<Batch>& out) {
  StageResult result;
  for (;;) {
    const auto t = Clock::now();
    auto next = chunker.next();
    result.busy_seconds += seconds_since(t);
    if (!next) {
      result.error = next.error();
      result.error_seq = result.items;
      out.close_and_clear();
      return result;
    }
    if (!next->has_value()) break;
    Batch batch = std::move(**next);
    batch.seq = result.items;
    if (!out.push(std::move(batch))) return result;  // stopped downstream
    ++result.items;
  }
  if (result.items == 0 && at_least_one) {
    Batch empty;
    empty.seq = 0;
    empty.first_row = first_row;
    empty.byte_begin = empty.byte_end = chunker.offset();
    if (out.push(std::move(empty))) ++result.items;
  }
  out.close();
  return result;
}

namespace {

Error too_many_bad_rows(const RejectBudget& budget, const codec::RowReject& last) {
  const BadRowLimits& l = budget.limits();
  std::string limit;
  if (l.max_rows > 0) limit = "--max-bad-rows " + std::to_string(l.max_rows);
  if (l.max_ratio > 0) {
    limit += (limit.empty() ? "" : " and ") + std::string("--max-bad-ratio ") +
             std::to_string(l.max_ratio);
  }
  return make_error(ErrorCode::kBadCsv,
                    "more bad rows than the limit (" + limit + ") allows (" +
                        std::to_string(budget.rejects()) + " so far); the last: " + last.message,
                    last.row, last.byte_offset);
}

}  // namespace

StageResult run_encoder(BoundedQueue<Batch>& in, SeqWindow& window, codec::BatchEncoder& encoder,
                        bool replace, const std::string& load_id,
                        const std::function<void(EncodedBatch)>& deliver, LevelController* levels,
                        RejectBudget* budget, bool keep_csv) {
  StageResult result;
  while (auto batch = in.pop()) {
    const auto t = Clock::now();
    int step = 0;  // the level controller's step (a level, or an index into its settings)
    if (levels != nullptr) {
      step = levels->level();
      if (const auto setting = levels->setting(step)) {
        encoder.set_gzip(*setting);
      } else {
        encoder.set_level(step);
      }
    }
    EncodedBatch out;
    out.seq = batch->seq;
    out.first_row = batch->first_row;
    out.physical_rows = batch->physical_rows;
    out.byte_begin = batch->byte_begin;
    out.byte_end = batch->byte_end;
    out.append = !(replace && batch->seq == 0);
    auto stats =
        encoder.encode(batch->records, {batch->first_row, batch->byte_begin}, out.append, out.body);
    if (!stats) {
      result.busy_seconds += seconds_since(t);
      result.error = stats.error();
      result.error_seq = batch->seq;
      in.close_and_clear();
      return result;
    }
    out.rows = stats->rows;
    out.json_bytes = stats->json_bytes;
    out.rejects = std::move(stats->rejects);
    if (budget != nullptr && !out.rejects.empty() && !budget->count(out.rows, out.rejects.size())) {
      result.busy_seconds += seconds_since(t);
      result.error = too_many_bad_rows(*budget, out.rejects.back());
      result.error_seq = batch->seq;
      in.close_and_clear();
      return result;
    }
    if (budget != nullptr && out.rejects.empty()) budget->count(out.rows, 0);
    out.idempotency_key = idempotency_key(load_id, out.byte_begin, out.byte_end);
    if (keep_csv) {
      out.csv = batch->records;
      out.csv_storage = batch->storage;
    }
    batch.reset();  // free the CSV text before waiting for a slot (unless kept)
    const double busy = seconds_since(t);
    result.busy_seconds += busy;
    const auto wait = Clock::now();
    std::size_t backlog = 0;
    if (!window.enter(out.seq, &backlog)) return result;  // the sender stopped
    if (levels != nullptr) {
      levels->report(step, static_cast<std::size_t>(out.byte_end - out.byte_begin), busy,
                     seconds_since(wait), backlog);
    }
    deliver(std::move(out));
    ++result.items;
  }
  return result;
}

}  // namespace dsfill::loader
