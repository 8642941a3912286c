#include "server/sqlite_store.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <sqlite3.h>

#include "server/sqlite_shape.h"

namespace dsfill::server {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS datasets(
  id INTEGER PRIMARY KEY,
  user_code TEXT NOT NULL,
  dataset_code TEXT NOT NULL,
  table_name TEXT NOT NULL,
  columns_json TEXT NOT NULL,
  row_count INTEGER NOT NULL DEFAULT 0,
  completed INTEGER NOT NULL DEFAULT 0,
  load_number INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE(user_code, dataset_code));
CREATE TABLE IF NOT EXISTS idempotency(
  user_code TEXT NOT NULL,
  key TEXT NOT NULL,
  body_sha256 BLOB NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY(user_code, key)) WITHOUT ROWID;
)sql";

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

// Finalizes a prepared statement when it goes out of scope.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }
  void text(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void int64(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void blob(int i, const void* p, int n) { sqlite3_bind_blob(stmt_, i, p, n, SQLITE_TRANSIENT); }
  int step() { return rc_ = sqlite3_step(stmt_); }
  std::string error() const { return sqlite3_errmsg(db_); }
  std::string column_text(int i) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))) : "";
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

std::string dataset_name(std::string_view user, std::string_view dataset) {
  return std::string(user) + "/" + std::string(dataset);
}

Error not_found(std::string_view user, std::string_view dataset, std::string_view hint = "") {
  return make_error(ErrorCode::kNotFound, "dataset " + dataset_name(user, dataset) +
                                              " does not exist" + std::string(hint));
}

// Binds one validated value to parameter `i` (1-based) of `stmt`.
void bind_value(sqlite3_stmt* stmt, int i, const Value& v) {
  switch (v.type) {
    case Value::Type::kNull:
      sqlite3_bind_null(stmt, i);
      break;
    case Value::Type::kText:
      sqlite3_bind_text(stmt, i, v.data, static_cast<int>(v.size), SQLITE_STATIC);
      break;
    case Value::Type::kInteger:
      sqlite3_bind_int64(stmt, i, v.integer);
      break;
    case Value::Type::kReal:
      sqlite3_bind_double(stmt, i, v.real);
      break;
  }
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  sqlite3* db = nullptr;
  // A store is used by one thread at a time (the StoreWorker's), so the connection needs no
  // mutex of its own: serialized mode would lock and unlock it around every bind and step.
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_error(ErrorCode::kIo, "cannot open database " + path + ": " + msg);
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  sqlite3_busy_timeout(db, 5000);
  {
    Stmt wal(db, "PRAGMA journal_mode=WAL");
    if (!wal.ok() || wal.step() != SQLITE_ROW || wal.column_text(0) != "wal") {
      return make_error(ErrorCode::kIo, "cannot switch " + path + " to WAL mode: " + wal.error());
    }
  }
  if (auto r = store->exec("PRAGMA synchronous=FULL"); !r) return r.error();
  if (auto r = store->exec(kSchema); !r) {
    return make_error(ErrorCode::kIo,
                      "cannot create the catalog in " + path + ": " + r.error().message);
  }
  if (!ensure_shape_table(db)) {
    return make_error(ErrorCode::kIo,
                      "cannot build the shape table in " + path + ": " + sqlite3_errmsg(db));
  }
  return store;
}

SqliteStore::~SqliteStore() {
  for (auto& [id, stmt] : insert_statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Result<void> SqliteStore::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string text = msg ? msg : sqlite3_errmsg(db_);
    sqlite3_free(msg);
    return make_error(ErrorCode::kIo, "sqlite: " + text);
  }
  return {};
}

Error SqliteStore::storage_error(const std::string& what) {
  const char* cause = sqlite3_errmsg(db_);
  if ((sqlite3_extended_errcode(db_) & 0xff) == SQLITE_FULL) {
    std::fprintf(stderr, "store error: disk full: %s: %s\n", what.c_str(), cause);
    return make_error(ErrorCode::kDiskFull,
                      "disk full: the server's database has no space left (" + what +
                          "); nothing of this request was stored, retry once space is freed");
  }
  std::fprintf(stderr, "store error: %s: %s\n", what.c_str(), cause);
  return make_error(ErrorCode::kStorage, "internal storage error: " + what);
}

void SqliteStore::rollback() {
  // SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR,
  // SQLITE_NOMEM); a second ROLLBACK would only log "no transaction is active".
  if (sqlite3_get_autocommit(db_) == 0) exec("ROLLBACK");
}

Result<void> SqliteStore::commit() {
  if (exec("COMMIT")) return {};
  Error error = storage_error("commit");  // before the rollback replaces SQLite's message
  rollback();
  return error;
}

Result<void> SqliteStore::limit_size(std::uint64_t bytes) {
  Stmt q(db_, "PRAGMA page_size");
  if (!q.ok() || q.step() != SQLITE_ROW) return storage_error("page size");
  const auto page = static_cast<std::uint64_t>(sqlite3_column_int64(q.get(), 0));
  // SQLite's own cap is 4294967294 pages; 0 means none of ours.
  const std::uint64_t pages = bytes == 0 ? 4294967294ull : std::max<std::uint64_t>(1, bytes / page);
  if (auto r = exec(fmt::format("PRAGMA max_page_count={}", pages).c_str()); !r) return r.error();
  return {};
}

Result<std::uint64_t> SqliteStore::keep_idempotency_for(std::chrono::seconds ttl) {
  idempotency_ttl_ = ttl;
  return prune_idempotency();
}

Result<std::uint64_t> SqliteStore::prune_idempotency() {
  records_since_prune_ = 0;
  if (idempotency_ttl_.count() <= 0) return std::uint64_t{0};
  // created_at is written by kNow, so the same format compares as text in time order.
  Stmt del(db_, fmt::format("DELETE FROM idempotency WHERE created_at < "
                            "strftime('%Y-%m-%dT%H:%M:%fZ','now','-{} seconds')",
                            idempotency_ttl_.count()));
  if (!del.ok() || del.step() != SQLITE_DONE) return storage_error("idempotency prune");
  return static_cast<std::uint64_t>(sqlite3_changes(db_));
}

Result<std::optional<DatasetInfo>> SqliteStore::find(std::string_view user,
                                                     std::string_view dataset) {
  Stmt q(db_,
         "SELECT id, table_name, columns_json, row_count, completed, load_number FROM datasets "
         "WHERE user_code=?1 AND dataset_code=?2");
  if (!q.ok()) return make_error(ErrorCode::kIo, "sqlite: " + q.error());
  q.text(1, user);
  q.text(2, dataset);
  const int rc = q.step();
  if (rc == SQLITE_DONE) return std::optional<DatasetInfo>();
  if (rc != SQLITE_ROW) return make_error(ErrorCode::kIo, "sqlite: " + q.error());
  DatasetInfo info;
  info.id = sqlite3_column_int64(q.get(), 0);
  info.table_name = q.column_text(1);
  auto columns = codec::parse_columns_json(q.column_text(2));
  if (!columns) return columns.error();
  info.columns = std::move(*columns);
  info.row_count = static_cast<std::uint64_t>(sqlite3_column_int64(q.get(), 3));
  info.completed = sqlite3_column_int(q.get(), 4) != 0;
  info.load_number = sqlite3_column_int64(q.get(), 5);
  return std::optional<DatasetInfo>(std::move(info));
}

Result<DatasetInfo> SqliteStore::insert_dataset(std::string_view user, std::string_view dataset,
                                                const codec::Columns& columns) {
  std::string columns_json;
  codec::append_columns_json(columns, columns_json);
  Stmt ins(db_, std::string("INSERT INTO datasets(user_code, dataset_code, table_name, "
                            "columns_json, created_at, updated_at) VALUES(?1, ?2, '', ?3, ") +
                    kNow + ", " + kNow + ")");
  if (!ins.ok()) return make_error(ErrorCode::kIo, "sqlite: " + ins.error());
  ins.text(1, user);
  ins.text(2, dataset);
  ins.text(3, columns_json);
  if (ins.step() != SQLITE_DONE) return make_error(ErrorCode::kIo, "sqlite: " + ins.error());
  DatasetInfo info;
  info.id = sqlite3_last_insert_rowid(db_);
  info.table_name = "ds_" + std::to_string(info.id);
  info.columns = columns;
  std::string ddl = "CREATE TABLE " + info.table_name + " (";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) ddl += ", ";
    ddl += quote_identifier(columns[i].name);
  }
  ddl += ");";
  ddl += "UPDATE datasets SET table_name='" + info.table_name +
         "' WHERE id=" + std::to_string(info.id) + ";";
  if (auto r = exec(ddl.c_str()); !r) return r.error();
  return info;
}

Result<sqlite3_stmt*> SqliteStore::insert_statement(const DatasetInfo& info) {
  if (auto it = insert_statements_.find(info.id); it != insert_statements_.end()) {
    return it->second;
  }
  std::string sql = "INSERT INTO " + info.table_name + " VALUES(";
  for (std::size_t i = 0; i < info.columns.size(); ++i) sql += i == 0 ? "?" : ",?";
  sql += ")";
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
      SQLITE_OK) {
    return make_error(ErrorCode::kIo, std::string("sqlite: ") + sqlite3_errmsg(db_));
  }
  insert_statements_.emplace(info.id, stmt);
  return stmt;
}

Result<CreateOutcome> SqliteStore::create_dataset(std::string_view user, std::string_view dataset,
                                                  const codec::Columns& columns) {
  if (auto rules = check_columns(columns); !rules) return rules.error();
  if (!exec("BEGIN IMMEDIATE")) return storage_error("begin");
  Result<CreateOutcome> outcome = CreateOutcome{};
  auto existing = find(user, dataset);
  if (!existing) {
    outcome = storage_error(existing.error().message);
  } else if (*existing) {
    const std::string diff = columns_difference((*existing)->columns, columns);
    if (!diff.empty()) {
      outcome = make_error(ErrorCode::kConflict, "dataset " + dataset_name(user, dataset) +
                                                     " exists with other columns: " + diff);
    }
  } else if (auto info = insert_dataset(user, dataset, columns); !info) {
    outcome = storage_error(info.error().message);
  } else {
    outcome->created = true;
  }
  if (!outcome) {
    rollback();
    return outcome;
  }
  if (auto r = commit(); !r) return r.error();
  outcome->columns = columns;
  return outcome;
}

Result<FillOutcome> SqliteStore::fill(const FillJob& job) {
  if (!exec("BEGIN IMMEDIATE")) return storage_error("begin");
  Result<FillOutcome> outcome = fill_in_transaction(job);
  if (outcome && !outcome->replay) {
    if (auto r = commit(); !r) return r.error();
  } else {
    rollback();
  }
  return outcome;
}

Result<FillOutcome> SqliteStore::fill_in_transaction(const FillJob& job) {
  if (job.idempotency) {
    auto known = check_idempotency(job.user_code, *job.idempotency);
    if (!known) return known.error();
    if (*known) return FillOutcome{0, 0, std::move(*known)};
  }
  auto found = find(job.user_code, job.dataset_code);
  if (!found) return storage_error(found.error().message);
  DatasetInfo info;
  if (*found) {
    info = std::move(**found);
    if (std::string diff = columns_difference(info.columns, *job.columns); !diff.empty()) {
      return make_error(ErrorCode::kBadArgument, "columns do not match dataset " +
                                                     dataset_name(job.user_code, job.dataset_code) +
                                                     ": " + diff);
    }
  } else if (job.auto_create) {
    auto created = insert_dataset(job.user_code, job.dataset_code, *job.columns);
    if (!created) return storage_error(created.error().message);
    info = std::move(*created);
  } else {
    return not_found(job.user_code, job.dataset_code, " (create it with POST /datasets)");
  }
  if (!job.append) {
    if (!exec(("DELETE FROM " + info.table_name).c_str())) return storage_error("truncate");
  }
  std::int64_t last_rowid = 0;
  if (!max_rowid(db_, info, last_rowid)) return storage_error("last rowid");
  if (auto r = insert_rows(info, *job.rows); !r) return r.error();
  if (!add_rows_to_shape(db_, info, last_rowid, !job.append)) return storage_error("shape");
  FillOutcome outcome;
  outcome.rows_inserted = job.rows->rows();
  outcome.rows_count = (job.append ? info.row_count : 0) + outcome.rows_inserted;
  {
    Stmt up(db_, std::string("UPDATE datasets SET row_count=?1, load_number=load_number+completed, "
                             "completed=0, updated_at=") +
                     kNow + " WHERE id=?2");
    if (!up.ok()) return storage_error("update catalog");
    up.int64(1, static_cast<std::int64_t>(outcome.rows_count));
    up.int64(2, info.id);
    if (up.step() != SQLITE_DONE) return storage_error("update catalog");
  }
  if (job.idempotency) {
    const StoredAnswer kept = job.answer_to_keep(outcome);
    Stmt ins(db_, std::string("INSERT INTO idempotency VALUES(?1, ?2, ?3, ?4, ?5, ") + kNow + ")");
    if (!ins.ok()) return storage_error("idempotency record");
    ins.text(1, job.user_code);
    ins.text(2, job.idempotency->key);
    ins.blob(3, job.idempotency->body_sha256.data(), 32);
    ins.int64(4, kept.status);
    ins.text(5, kept.body);
    if (ins.step() != SQLITE_DONE) return storage_error("idempotency record");
    if (++records_since_prune_ >= kPruneEvery) {
      if (auto r = prune_idempotency(); !r) return r.error();
    }
  }
  return outcome;
}

Result<void> SqliteStore::insert_rows(const DatasetInfo& info, const RowBatch& batch) {
  auto stmt_result = insert_statement(info);
  if (!stmt_result) return storage_error(stmt_result.error().message);
  sqlite3_stmt* stmt = *stmt_result;
  const std::size_t ncols = batch.columns;
  const Value* v = batch.values.data();
  const std::size_t nrows = batch.rows();
  for (std::size_t r = 0; r < nrows; ++r) {
    for (std::size_t c = 0; c < ncols; ++c, ++v) bind_value(stmt, static_cast<int>(c) + 1, *v);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
      Error error = storage_error("insert");  // before the reset, which may change the message
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
      return error;
    }
    sqlite3_reset(stmt);
  }
  sqlite3_clear_bindings(stmt);
  return {};
}

Result<std::optional<StoredAnswer>> SqliteStore::check_idempotency(std::string_view user,
                                                                   const IdempotencyKey& key) {
  Stmt q(db_,
         "SELECT body_sha256, status, response FROM idempotency WHERE user_code=?1 AND key=?2");
  if (!q.ok()) return storage_error("idempotency lookup");
  q.text(1, user);
  q.text(2, key.key);
  const int rc = q.step();
  if (rc == SQLITE_DONE) return std::optional<StoredAnswer>();
  if (rc != SQLITE_ROW) return storage_error("idempotency lookup");
  const void* hash = sqlite3_column_blob(q.get(), 0);
  const bool same = sqlite3_column_bytes(q.get(), 0) == 32 && hash != nullptr &&
                    std::memcmp(hash, key.body_sha256.data(), 32) == 0;
  if (!same) {
    return make_error(ErrorCode::kKeyReused,
                      "Idempotency-Key was already used with a different request body");
  }
  StoredAnswer kept;
  kept.status = static_cast<unsigned>(sqlite3_column_int(q.get(), 1));
  kept.body = q.column_text(2);
  return std::optional<StoredAnswer>(std::move(kept));
}

Result<DatasetShape> SqliteStore::complete(std::string_view user, std::string_view dataset) {
  if (!exec("BEGIN IMMEDIATE")) return storage_error("begin");
  auto found = find(user, dataset);
  if (!found || !*found) {
    Error error = found ? not_found(user, dataset) : storage_error(found.error().message);
    rollback();
    return error;
  }
  DatasetShape shape;
  shape.rows_count = (*found)->row_count;
  if (!read_shape(db_, **found, shape)) {
    Error error = storage_error("shape");
    rollback();
    return error;
  }
  Stmt up(db_, std::string("UPDATE datasets SET completed=1, updated_at=") + kNow + " WHERE id=?1");
  up.int64(1, (*found)->id);
  if (!up.ok() || up.step() != SQLITE_DONE) {
    Error error = storage_error("complete");
    rollback();
    return error;
  }
  if (auto r = commit(); !r) return r.error();
  return shape;
}

Result<DatasetInfo> SqliteStore::describe(std::string_view user, std::string_view dataset) {
  auto found = find(user, dataset);
  if (!found) return storage_error(found.error().message);
  if (!*found) return not_found(user, dataset);
  return std::move(**found);
}

}  // namespace dsfill::server
