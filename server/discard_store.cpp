#include "server/discard_store.h"

namespace dsfill::server {

namespace {

std::string dataset_key(std::string_view user, std::string_view dataset) {
  std::string key(user);
  key += '\n';
  key += dataset;
  return key;
}

}  // namespace

Result<CreateOutcome> DiscardStore::create_dataset(std::string_view, std::string_view,
                                                   const codec::Columns& columns) {
  if (auto rules = check_columns(columns); !rules) return rules.error();
  return CreateOutcome{true, std::nullopt};
}

Result<FillOutcome> DiscardStore::fill(const FillJob& job) {
  FillOutcome outcome;
  outcome.rows_inserted = job.rows->rows();
  std::lock_guard lock(mu_);
  std::uint64_t& count = rows_[dataset_key(job.user_code, job.dataset_code)];
  count = (job.append ? count : 0) + outcome.rows_inserted;
  outcome.rows_count = count;
  return outcome;
}

Result<std::optional<StoredAnswer>> DiscardStore::check_idempotency(std::string_view,
                                                                    const IdempotencyKey&) {
  return std::optional<StoredAnswer>();
}

Result<DatasetShape> DiscardStore::complete(std::string_view user, std::string_view dataset) {
  DatasetShape shape;
  shape.profiled = false;
  std::lock_guard lock(mu_);
  shape.rows_count = rows_[dataset_key(user, dataset)];  // a dataset completed is known from now
  return shape;
}

Result<DatasetInfo> DiscardStore::describe(std::string_view user, std::string_view dataset) {
  std::lock_guard lock(mu_);
  auto it = rows_.find(dataset_key(user, dataset));
  if (it == rows_.end()) return make_error(ErrorCode::kNotFound, "unknown dataset (discard mode)");
  DatasetInfo info;
  info.catalogued = false;
  info.row_count = it->second;
  return info;
}

}  // namespace dsfill::server
