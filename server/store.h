// The storage surface of the reference server: what a request asks of the store and what the
// store answers, as domain values. Errors are values (Result<T>) with codes from base/error.h:
//   kNotFound   unknown dataset           kConflict  dataset exists with other columns
//   kBadJson    columns invalid           kBadArgument  columns differ from the dataset's
//   kKeyReused  Idempotency-Key used with another request
//   kStorage    the database failed      kDiskFull  the database has no space left
// The store knows nothing of HTTP: server/http_mapping.h turns these values into answers.
//
// Two stores implement it, chosen once when the server starts (server/server.cpp):
// SqliteStore (server/sqlite_store.h) keeps everything; DiscardStore (server/discard_store.h)
// keeps only row counts, for client benchmarks (`dsfill serve --discard`).
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
#include <vector>

#include "base/error.h"
#include "codec/columns.h"
#include "server/validation.h"

namespace dsfill::server {

using Sha256 = std::array<unsigned char, 32>;

struct IdempotencyKey {
  std::string key;
  Sha256 body_sha256{};
};

// The answer given to a request with an Idempotency-Key, kept verbatim with the key so that a
// repeat gets the same bytes. The edge writes it; the store only keeps and returns it.
struct StoredAnswer {
  unsigned status = 0;
  std::string body;
};

// The result of a fill: what was stored, or the answer kept for its Idempotency-Key.
struct FillOutcome {
  std::uint64_t rows_inserted = 0;
  std::uint64_t rows_count = 0;        // the dataset's rows after the fill
  std::optional<StoredAnswer> replay;  // set: a repeat of a stored request, nothing inserted
};

struct FillJob {
  std::string_view user_code;
  std::string_view dataset_code;
  const codec::Columns* columns = nullptr;
  bool append = false;
  bool auto_create = false;
  const RowBatch* rows = nullptr;
  const IdempotencyKey* idempotency = nullptr;  // null without an Idempotency-Key header
  // Returns the answer to keep with the key; called inside the fill's transaction, only when
  // `idempotency` is set.
  std::function<StoredAnswer(const FillOutcome&)> answer_to_keep;
};

// The result of creating a dataset.
struct CreateOutcome {
  bool created = false;  // false: it existed with the same columns
  // The dataset's columns as stored; nullopt when the store keeps no catalog (DiscardStore).
  std::optional<codec::Columns> columns;
};

// The per-column part of a dataset's shape.
struct ColumnShape {
  std::string name;
  bool measure = false;
  std::uint64_t empty_count = 0;  // values that are null or ""
  std::optional<double> min;      // measures only; nullopt when every value is empty
  std::optional<double> max;
};

// The shape of a completed load (POST /dataset-complete).
struct DatasetShape {
  std::uint64_t rows_count = 0;
  // false: the store keeps only the row count (DiscardStore); the fields below are unset.
  bool profiled = true;
  std::int64_t load_number = 1;
  std::vector<ColumnShape> columns;
};

// A dataset's catalog entry (GET /datasets/{user}/{dataset}).
struct DatasetInfo {
  std::int64_t id = 0;
  std::string table_name;
  codec::Columns columns;
  std::uint64_t row_count = 0;
  bool completed = false;
  std::int64_t load_number = 1;
  // false: the store keeps only the row count (DiscardStore); the other fields are unset.
  bool catalogued = true;
};

// One call per request, so the virtual calls cost nothing next to the work they do.
class Store {
 public:
  virtual ~Store() = default;

  // Creates a dataset, or confirms one with the same columns. Errors: kBadJson invalid
  // columns, kConflict other columns, kStorage.
  virtual Result<CreateOutcome> create_dataset(std::string_view user, std::string_view dataset,
                                               const codec::Columns& columns) = 0;

  // Stores one validated fill, all or nothing, before returning. Errors: kNotFound unknown
  // dataset (without auto_create), kBadArgument columns differ from the dataset's, kKeyReused,
  // kDiskFull, kStorage.
  virtual Result<FillOutcome> fill(const FillJob& job) = 0;

  // Looks up the key of a request that failed validation: the stored answer when the key is
  // known with the same fingerprint, nullopt when unknown. Errors: kKeyReused, kStorage.
  virtual Result<std::optional<StoredAnswer>> check_idempotency(std::string_view user,
                                                                const IdempotencyKey& key) = 0;

  // Marks the dataset's load complete and returns its shape. Errors: kNotFound, kStorage.
  virtual Result<DatasetShape> complete(std::string_view user, std::string_view dataset) = 0;

  // Returns the dataset's catalog entry. Errors: kNotFound, kStorage.
  virtual Result<DatasetInfo> describe(std::string_view user, std::string_view dataset) = 0;

  // Returns true if fill() and check_idempotency() compare request fingerprints (the store
  // keeps idempotency records); false lets callers skip hashing requests.
  virtual bool uses_fingerprints() const = 0;
};

// Runs store calls: on one thread of its own (a store used by one thread at a time, such as
// SqliteStore), or right away on the caller's thread (a store safe to share, such as
// DiscardStore, whose answers then never queue behind one thread).
class StoreWorker {
 public:
  enum class Threading { kOwnThread, kCallersThread };

  explicit StoreWorker(std::unique_ptr<Store> store, Threading threading = Threading::kOwnThread);
  ~StoreWorker();  // runs the jobs already posted, then joins
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  // Runs `job` on the worker thread after the jobs posted before it (kOwnThread), or now.
  void post(std::function<void(Store&)> job);

  // Returns the store, for its constant properties (calls go through post()).
  const Store& store() const { return *store_; }

 private:
  void run();
  std::unique_ptr<Store> store_;
  bool own_thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void(Store&)>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dsfill::server
