// The store of `dsfill serve --discard`: keeps nothing but a row count per dataset, in memory,
// so client benchmarks measure the client and the server's decoding and validation, not SQLite.
//
// What it answers, for any user-code and dataset-code (no dataset must exist):
//   create_dataset  created, without a catalog (columns nullopt); the handler has checked the
//                   columns already, and this store checks them again as SqliteStore does
//   fill            rows_inserted = the batch's rows; rows_count = the count kept so far (append)
//                   or the batch's rows (replace); never a replay: it keeps no keys
//   complete        the kept count (0 for a dataset never filled, which from then on is known),
//                   without a profile
//   describe        the kept count, without a catalog; kNotFound for a dataset never filled nor
//                   completed
//   check_idempotency  nullopt: Idempotency-Key only guards against concurrent repeats (409,
//                   in the handler)
// Threads: safe to call from any thread (a mutex guards the counts), so it runs on the callers'.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/store.h"

namespace dsfill::server {

class DiscardStore final : public Store {
 public:
  Result<CreateOutcome> create_dataset(std::string_view user, std::string_view dataset,
                                       const codec::Columns& columns) override;
  Result<FillOutcome> fill(const FillJob& job) override;
  Result<std::optional<StoredAnswer>> check_idempotency(std::string_view user,
                                                        const IdempotencyKey& key) override;
  Result<DatasetShape> complete(std::string_view user, std::string_view dataset) override;
  Result<DatasetInfo> describe(std::string_view user, std::string_view dataset) override;
  bool uses_fingerprints() const override { return false; }

 private:
  std::mutex mu_;                                        // guards rows_
  std::unordered_map<std::string, std::uint64_t> rows_;  // by user-code \n dataset-code
};

}  // namespace dsfill::server
