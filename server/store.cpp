#include "server/store.h"

#include <cstdio>
#include <cstring>

#include <sqlite3.h>

#include "server/envelope.h"

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

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

Reply error_reply(unsigned status, std::string_view message) {
  return Reply{status, error_envelope(message), 0, false};
}

std::string dataset_name(std::string_view user, std::string_view dataset) {
  return std::string(user) + "/" + std::string(dataset);
}

void append_double(double v, std::string& out) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  out += buf;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
  sqlite3* db = nullptr;
  // A Store is used by one thread at a time (the StoreWorker's), so the connection needs no
  // mutex of its own: serialized mode would lock and unlock it around every bind and step.
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_error(ErrorCode::kIo, "cannot open database " + path + ": " + msg);
  }
  std::unique_ptr<Store> store(new Store(db));
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
  return store;
}

Store::~Store() {
  for (auto& [id, stmt] : insert_statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Result<void> Store::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string text = msg ? msg : sqlite3_errmsg(db_);
    sqlite3_free(msg);
    return make_error(ErrorCode::kIo, "sqlite: " + text);
  }
  return {};
}

Reply Store::internal_error(const std::string& what) {
  std::fprintf(stderr, "store error: %s: %s\n", what.c_str(), sqlite3_errmsg(db_));
  return error_reply(500, "internal storage error: " + what);
}

Result<std::optional<DatasetInfo>> Store::find(std::string_view user, std::string_view dataset) {
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

Result<DatasetInfo> Store::insert_dataset(std::string_view user, std::string_view dataset,
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

Result<sqlite3_stmt*> Store::insert_statement(const DatasetInfo& info) {
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

Reply Store::create_dataset(std::string_view user, std::string_view dataset,
                            const codec::Columns& columns) {
  if (auto rules = check_columns(columns); !rules) return error_reply(400, rules.error().message);
  if (!exec("BEGIN IMMEDIATE")) return internal_error("begin");
  Reply reply;
  auto existing = find(user, dataset);
  if (!existing) {
    reply = internal_error(existing.error().message);
  } else if (*existing) {
    const std::string diff = columns_difference((*existing)->columns, columns);
    if (diff.empty()) {
      reply.status = 200;
    } else {
      reply = error_reply(
          409, "dataset " + dataset_name(user, dataset) + " exists with other columns: " + diff);
    }
  } else if (auto info = insert_dataset(user, dataset, columns); !info) {
    reply = internal_error(info.error().message);
  } else {
    reply.status = 201;
  }
  if (reply.status == 200 || reply.status == 201) {
    if (!exec("COMMIT")) {
      exec("ROLLBACK");
      return internal_error("commit");
    }
    std::string details = R"({"user-code":)";
    append_json_text(user, details);
    details += R"(,"dataset-code":)";
    append_json_text(dataset, details);
    details += R"(,"columns":)";
    codec::append_columns_json(columns, details);
    details += '}';
    reply.body = success_envelope(details);
    return reply;
  }
  exec("ROLLBACK");
  return reply;
}

Reply Store::fill(const FillJob& job) {
  if (!exec("BEGIN IMMEDIATE")) return internal_error("begin");
  Reply reply = fill_in_transaction(job);
  if (reply.status == 200 && !reply.replayed) {
    if (!exec("COMMIT")) {
      exec("ROLLBACK");
      return internal_error("commit");
    }
  } else {
    exec("ROLLBACK");
  }
  return reply;
}

Reply Store::fill_in_transaction(const FillJob& job) {
  if (job.idempotency) {
    Reply r = check_idempotency(job.user_code, *job.idempotency, Reply{0, "", 0, false});
    if (r.status != 0) return r;
  }
  auto found = find(job.user_code, job.dataset_code);
  if (!found) return internal_error(found.error().message);
  DatasetInfo info;
  if (*found) {
    info = std::move(**found);
    if (std::string diff = columns_difference(info.columns, *job.columns); !diff.empty()) {
      return error_reply(400, "columns do not match dataset " +
                                  dataset_name(job.user_code, job.dataset_code) + ": " + diff);
    }
  } else if (job.auto_create) {
    auto created = insert_dataset(job.user_code, job.dataset_code, *job.columns);
    if (!created) return internal_error(created.error().message);
    info = std::move(*created);
  } else {
    return error_reply(404, "dataset " + dataset_name(job.user_code, job.dataset_code) +
                                " does not exist (create it with POST /datasets)");
  }
  if (!job.append) {
    if (!exec(("DELETE FROM " + info.table_name).c_str())) return internal_error("truncate");
  }
  auto stmt_result = insert_statement(info);
  if (!stmt_result) return internal_error(stmt_result.error().message);
  sqlite3_stmt* stmt = *stmt_result;
  const RowBatch& batch = *job.rows;
  const std::size_t ncols = batch.columns;
  const Value* v = batch.values.data();
  const std::size_t nrows = batch.rows();
  for (std::size_t r = 0; r < nrows; ++r) {
    for (std::size_t c = 0; c < ncols; ++c, ++v) {
      const int i = static_cast<int>(c) + 1;
      switch (v->type) {
        case Value::Type::kNull:
          sqlite3_bind_null(stmt, i);
          break;
        case Value::Type::kText:
          sqlite3_bind_text(stmt, i, v->data, static_cast<int>(v->size), SQLITE_STATIC);
          break;
        case Value::Type::kInteger:
          sqlite3_bind_int64(stmt, i, v->integer);
          break;
        case Value::Type::kReal:
          sqlite3_bind_double(stmt, i, v->real);
          break;
      }
    }
    const int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return internal_error("insert");
  }
  sqlite3_clear_bindings(stmt);
  const std::uint64_t total = (job.append ? info.row_count : 0) + nrows;
  {
    Stmt up(db_, std::string("UPDATE datasets SET row_count=?1, load_number=load_number+completed, "
                             "completed=0, updated_at=") +
                     kNow + " WHERE id=?2");
    if (!up.ok()) return internal_error("update catalog");
    up.int64(1, static_cast<std::int64_t>(total));
    up.int64(2, info.id);
    if (up.step() != SQLITE_DONE) return internal_error("update catalog");
  }
  Reply reply{200, success_envelope(fill_details(job.dataset_code, total, nrows)), nrows, false};
  if (job.idempotency) {
    Stmt ins(db_, std::string("INSERT INTO idempotency VALUES(?1, ?2, ?3, ?4, ?5, ") + kNow + ")");
    if (!ins.ok()) return internal_error("idempotency record");
    ins.text(1, job.user_code);
    ins.text(2, job.idempotency->key);
    ins.blob(3, job.idempotency->body_sha256.data(), 32);
    ins.int64(4, reply.status);
    ins.text(5, reply.body);
    if (ins.step() != SQLITE_DONE) return internal_error("idempotency record");
  }
  return reply;
}

Reply Store::check_idempotency(std::string_view user, const IdempotencyKey& key, Reply rejection) {
  Stmt q(db_,
         "SELECT body_sha256, status, response FROM idempotency WHERE user_code=?1 AND key=?2");
  if (!q.ok()) return internal_error("idempotency lookup");
  q.text(1, user);
  q.text(2, key.key);
  const int rc = q.step();
  if (rc == SQLITE_DONE) return rejection;
  if (rc != SQLITE_ROW) return internal_error("idempotency lookup");
  const void* hash = sqlite3_column_blob(q.get(), 0);
  const bool same = sqlite3_column_bytes(q.get(), 0) == 32 && hash != nullptr &&
                    std::memcmp(hash, key.body_sha256.data(), 32) == 0;
  if (!same) {
    return error_reply(422, "Idempotency-Key was already used with a different request body");
  }
  Reply reply;
  reply.status = static_cast<unsigned>(sqlite3_column_int(q.get(), 1));
  reply.body = q.column_text(2);
  reply.replayed = true;
  return reply;
}

Reply Store::complete(std::string_view user, std::string_view dataset) {
  if (!exec("BEGIN IMMEDIATE")) return internal_error("begin");
  auto found = find(user, dataset);
  if (!found || !*found) {
    exec("ROLLBACK");
    if (!found) return internal_error(found.error().message);
    return error_reply(404, "dataset " + dataset_name(user, dataset) + " does not exist");
  }
  const DatasetInfo& info = **found;
  std::string sql = "SELECT COUNT(*)";
  for (const codec::ColumnSpec& c : info.columns) {
    const std::string q = quote_identifier(c.name);
    const std::string empty = "(" + q + " IS NULL OR " + q + " = '')";
    sql += ", SUM(CASE WHEN " + empty + " THEN 1 ELSE 0 END)";
    if (c.type == "measure") {
      const std::string num = "CASE WHEN " + empty + " THEN NULL ELSE CAST(" + q + " AS REAL) END";
      sql += ", MIN(" + num + "), MAX(" + num + ")";
    }
  }
  sql += " FROM " + info.table_name;
  Stmt q(db_, sql);
  if (!q.ok() || q.step() != SQLITE_ROW) {
    exec("ROLLBACK");
    return internal_error("shape");
  }
  const std::int64_t rows = sqlite3_column_int64(q.get(), 0);
  std::string details = R"({"dataset-code":)";
  append_json_text(dataset, details);
  details += R"(,"rows-count":)" + std::to_string(rows);
  details += R"(,"load-number":)" + std::to_string(info.load_number);
  details += R"(,"columns":[)";
  int col = 1;
  for (std::size_t i = 0; i < info.columns.size(); ++i) {
    const codec::ColumnSpec& c = info.columns[i];
    if (i > 0) details += ',';
    details += R"({"name":)";
    append_json_text(c.name, details);
    details += R"(,"empty-count":)" + std::to_string(sqlite3_column_int64(q.get(), col++));
    if (c.type == "measure") {
      for (const char* key : {R"(,"min":)", R"(,"max":)"}) {
        details += key;
        if (sqlite3_column_type(q.get(), col) == SQLITE_NULL) {
          details += "null";
        } else {
          append_double(sqlite3_column_double(q.get(), col), details);
        }
        ++col;
      }
    }
    details += '}';
  }
  details += "]}";
  Stmt up(db_, std::string("UPDATE datasets SET completed=1, row_count=?1, updated_at=") + kNow +
                   " WHERE id=?2");
  up.int64(1, rows);
  up.int64(2, info.id);
  if (!up.ok() || up.step() != SQLITE_DONE || !exec("COMMIT")) {
    exec("ROLLBACK");
    return internal_error("complete");
  }
  return Reply{200, success_envelope(details), static_cast<std::uint64_t>(rows), false};
}

Reply Store::describe(std::string_view user, std::string_view dataset) {
  auto found = find(user, dataset);
  if (!found) return internal_error(found.error().message);
  if (!*found)
    return error_reply(404, "dataset " + dataset_name(user, dataset) + " does not exist");
  const DatasetInfo& info = **found;
  std::string details = R"({"user-code":)";
  append_json_text(user, details);
  details += R"(,"dataset-code":)";
  append_json_text(dataset, details);
  details += R"(,"rows-count":)" + std::to_string(info.row_count);
  details += R"(,"completed":)";
  details += info.completed ? "true" : "false";
  details += R"(,"load-number":)" + std::to_string(info.load_number);
  details += R"(,"table":)";
  append_json_text(info.table_name, details);
  details += R"(,"columns":)";
  codec::append_columns_json(info.columns, details);
  details += '}';
  return Reply{200, success_envelope(details), info.row_count, false};
}

StoreWorker::StoreWorker(std::unique_ptr<Store> store)
    : store_(std::move(store)), thread_([this] { run(); }) {}

StoreWorker::~StoreWorker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void StoreWorker::post(std::function<void(Store&)> job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void StoreWorker::run() {
  for (;;) {
    std::function<void(Store&)> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job(*store_);
  }
}

}  // namespace dsfill::server
