// The SQLite store of the reference server.
//
// Layout (inspect with `sqlite3 PATH`):
//   datasets(id, user_code, dataset_code, table_name, columns_json, row_count, completed,
//            load_number, created_at, updated_at)        -- the catalog, UNIQUE(user_code,
//            dataset_code)
//   ds_<id>                                             -- one table per dataset, one SQL column
//   per
//                                                          declared column, named after it
//   idempotency(user_code, key, body_sha256, status, response, created_at)
// So `sqlite3 dsfill.db 'select * from ds_1'` shows the rows under the dataset's column names.
// Table names are generated (ds_<id>); column names come from validated column specs (no
// control characters, unique ignoring case) and are written as quoted identifiers with '"'
// doubled; values always go through bound parameters. Dataset columns have no declared type, so
// SQLite stores each value as bound: TEXT as sent, INTEGER/REAL for JSON numbers in numeric
// columns, NULL for null.
//
// Durability: WAL, synchronous=FULL; a fill's rows, its catalog update and its idempotency record
// commit in one transaction, and the caller answers only after fill() returned.
//
// Threads: a Store is used by one thread at a time (the StoreWorker's).
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "codec/columns.h"
#include "codec/error.h"
#include "server/validation.h"

struct sqlite3;
struct sqlite3_stmt;

namespace dsfill::server {

// An HTTP answer produced by the store (the envelope JSON body and its status).
struct Reply {
  unsigned status = 200;
  std::string body;
  std::uint64_t rows = 0;  // rows inserted (fills) or counted, for the log line
  bool replayed = false;   // an idempotent replay of a stored response
};

using Sha256 = std::array<unsigned char, 32>;

struct IdempotencyKey {
  std::string key;
  Sha256 body_sha256{};
};

struct FillJob {
  std::string_view user_code;
  std::string_view dataset_code;
  const codec::Columns* columns = nullptr;
  bool append = false;
  bool auto_create = false;
  const RowBatch* rows = nullptr;
  const IdempotencyKey* idempotency = nullptr;  // null without an Idempotency-Key header
};

struct DatasetInfo {
  std::int64_t id = 0;
  std::string table_name;
  codec::Columns columns;
  std::uint64_t row_count = 0;
  bool completed = false;
  std::int64_t load_number = 1;
};

// Not thread-safe: use a Store from one thread at a time (a StoreWorker's thread); its SQLite
// connection is opened without a mutex of its own.
class Store {
 public:
  // Opens (creating if needed) the database at `path` and its catalog tables.
  static Result<std::unique_ptr<Store>> open(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Creates a dataset: 201, or 200 when it exists with the same columns, 409 with others,
  // 400 for invalid columns.
  Reply create_dataset(std::string_view user, std::string_view dataset,
                       const codec::Columns& columns);

  // Stores one validated fill in one transaction (see the file comment): 200, 404 unknown
  // dataset (without auto_create), 400 columns differ, 422 idempotency key reused with another
  // body, or the replayed stored response.
  Reply fill(const FillJob& job);

  // Answers a request that failed validation but carries an Idempotency-Key: a replay or 422
  // when the key is known, else `rejection` unchanged.
  Reply check_idempotency(std::string_view user, const IdempotencyKey& key, Reply rejection);

  // Marks the dataset's load complete and returns its shape: rows-count and per column
  // empty-count (null or "") and, for measures, min and max.
  Reply complete(std::string_view user, std::string_view dataset);

  // Returns the dataset's columns, row count and state (GET /datasets/{user}/{dataset}).
  Reply describe(std::string_view user, std::string_view dataset);

  // Returns the catalog entry, or nullopt for an unknown dataset.
  Result<std::optional<DatasetInfo>> find(std::string_view user, std::string_view dataset);

 private:
  explicit Store(sqlite3* db) : db_(db) {}
  Result<void> exec(const char* sql);
  Result<DatasetInfo> insert_dataset(std::string_view user, std::string_view dataset,
                                     const codec::Columns& columns);
  Result<sqlite3_stmt*> insert_statement(const DatasetInfo& info);
  Reply fill_in_transaction(const FillJob& job);
  Reply internal_error(const std::string& what);

  sqlite3* db_;
  std::unordered_map<std::int64_t, sqlite3_stmt*> insert_statements_;
};

// Owns the Store and the one thread that uses it; other threads post jobs to it.
class StoreWorker {
 public:
  explicit StoreWorker(std::unique_ptr<Store> store);
  ~StoreWorker();  // runs the jobs already posted, then joins
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  // Runs `job` on the worker thread, after the jobs posted before it.
  void post(std::function<void(Store&)> job);

 private:
  void run();
  std::unique_ptr<Store> store_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void(Store&)>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dsfill::server
