// The SQLite store of the reference server.
//
// Layout (inspect with `sqlite3 PATH`):
//   datasets(id, user_code, dataset_code, table_name, columns_json, row_count, completed,
//            load_number, created_at, updated_at)  -- the catalog, UNIQUE(user_code, dataset_code)
//   ds_<id>                                      -- one table per dataset, one SQL column per
//                                                   declared column, named after it
//   idempotency(user_code, key, body_sha256, status, response, created_at)
//   shape_columns(dataset_id, position, empty_count, min_value, max_value)
//                                                -- each dataset's shape, kept by every fill so
//                                                   that complete() reads O(columns), not the
//                                                   rows (server/sqlite_shape.h)
// So `sqlite3 dsfill.db 'select * from ds_1'` shows the rows under the dataset's column names.
// Table names are generated (ds_<id>); column names come from validated column specs (no
// control characters, unique ignoring case) and are written as quoted identifiers with '"'
// doubled; values always go through bound parameters. Dataset columns have no declared type, so
// SQLite stores each value as bound: TEXT as sent, INTEGER/REAL for JSON numbers in numeric
// columns, NULL for null. The idempotency table keeps each key's StoredAnswer as given.
//
// Durability: WAL, synchronous=FULL; a fill's rows, its catalog update and its idempotency record
// commit in one transaction, and the caller answers only after fill() returned. A full disk
// (SQLITE_FULL) is kDiskFull, so clients can tell it from a failure that no retry mends.
//
// Threads: not thread-safe; use it from one thread at a time (a StoreWorker's own thread): its
// SQLite connection is opened without a mutex of its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace dsfill::server {

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database at `path` and its catalog tables; errors are kIo.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<CreateOutcome> create_dataset(std::string_view user, std::string_view dataset,
                                       const codec::Columns& columns) override;
  Result<FillOutcome> fill(const FillJob& job) override;
  Result<std::optional<StoredAnswer>> check_idempotency(std::string_view user,
                                                        const IdempotencyKey& key) override;
  Result<DatasetShape> complete(std::string_view user, std::string_view dataset) override;
  Result<DatasetInfo> describe(std::string_view user, std::string_view dataset) override;
  bool uses_fingerprints() const override { return true; }

  // Returns the catalog entry, or nullopt for an unknown dataset; errors are kIo.
  Result<std::optional<DatasetInfo>> find(std::string_view user, std::string_view dataset);

  // Caps the database file at about `bytes` (SQLite's max_page_count; 0: no cap of ours). A
  // request that would grow it past the cap fails with kDiskFull, as on a full disk, and
  // stores nothing. Errors: kStorage.
  Result<void> limit_size(std::uint64_t bytes);

  // Keeps idempotency records for `ttl` (0: forever): deletes those older now and returns how
  // many; from then on fills delete expired records every kPruneEvery records they add, in
  // their own transaction, so pruning costs a fill nothing on average. A retry of a request
  // whose record expired is stored again. Errors: kStorage.
  Result<std::uint64_t> keep_idempotency_for(std::chrono::seconds ttl);
  static constexpr std::uint64_t kPruneEvery = 1024;

 private:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  Result<void> exec(const char* sql);
  Result<DatasetInfo> insert_dataset(std::string_view user, std::string_view dataset,
                                     const codec::Columns& columns);
  Result<sqlite3_stmt*> insert_statement(const DatasetInfo& info);
  Result<FillOutcome> fill_in_transaction(const FillJob& job);
  Result<void> insert_rows(const DatasetInfo& info, const RowBatch& batch);
  // Logs the failure with SQLite's message and returns kDiskFull (SQLITE_FULL: "disk full ...")
  // or kStorage, naming `what`. Call it before anything else runs on the connection.
  Error storage_error(const std::string& what);
  // Rolls back the open transaction, if SQLite has not already done so.
  void rollback();
  // Commits; on failure returns storage_error("commit") and rolls back.
  Result<void> commit();

  // Deletes the idempotency records older than ttl_; returns how many.
  Result<std::uint64_t> prune_idempotency();

  sqlite3* db_;
  std::unordered_map<std::int64_t, sqlite3_stmt*> insert_statements_;
  std::chrono::seconds idempotency_ttl_{0};
  std::uint64_t records_since_prune_ = 0;
};

}  // namespace dsfill::server
