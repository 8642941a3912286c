#include "server/sqlite_shape.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <sqlite3.h>

namespace dsfill::server {

namespace {

// min_value and max_value have no declared type, so a REAL bound keeps its 8 bytes exactly.
constexpr const char* kShapeTable = R"sql(
CREATE TABLE shape_columns(
  dataset_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  empty_count INTEGER NOT NULL,
  min_value,
  max_value,
  PRIMARY KEY(dataset_id, position)) WITHOUT ROWID;
)sql";

// Merges one column's shape into the kept one. `<` and `>` are strict so that the first of
// equal bounds stays, as MIN() and MAX() keep it in a scan; a NULL bound never replaces one.
constexpr const char* kMergeSql = R"sql(
INSERT INTO shape_columns(dataset_id, position, empty_count, min_value, max_value)
VALUES(?1, ?2, ?3, ?4, ?5)
ON CONFLICT(dataset_id, position) DO UPDATE SET
  empty_count = empty_count + excluded.empty_count,
  min_value = CASE WHEN min_value IS NULL OR excluded.min_value < min_value
                   THEN excluded.min_value ELSE min_value END,
  max_value = CASE WHEN max_value IS NULL OR excluded.max_value > max_value
                   THEN excluded.max_value ELSE max_value END
)sql";

// Columns profiled by one shape query: each takes up to 3 result columns, and a result may have
// no more than SQLite's 2000, so a dataset at the column limit is profiled in a few scans.
constexpr std::size_t kShapeColumnsPerQuery = 600;

// Finalizes a statement when it goes out of scope.
struct Finalizer {
  sqlite3_stmt* stmt = nullptr;
  ~Finalizer() { sqlite3_finalize(stmt); }
};

bool prepare(sqlite3* db, const std::string& sql, Finalizer& out) {
  return sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &out.stmt, nullptr) ==
         SQLITE_OK;
}

bool is_measure(const codec::ColumnSpec& c) { return c.type == "measure"; }

// Returns the shape query of columns [begin, end) over the rows with rowid > ?1: per column its
// empty count and, for measures, the minimum and maximum of its non-empty values as numbers.
std::string shape_sql(const DatasetInfo& info, std::size_t begin, std::size_t end) {
  std::string sql = "SELECT COUNT(*)";
  for (std::size_t i = begin; i < end; ++i) {
    const codec::ColumnSpec& c = info.columns[i];
    const std::string q = quote_identifier(c.name);
    const std::string empty = fmt::format("({0} IS NULL OR {0} = '')", q);
    sql += fmt::format(", SUM(CASE WHEN {} THEN 1 ELSE 0 END)", empty);
    if (is_measure(c)) {
      const std::string num =
          fmt::format("CASE WHEN {} THEN NULL ELSE CAST({} AS REAL) END", empty, q);
      sql += fmt::format(", MIN({0}), MAX({0})", num);
    }
  }
  const std::string rowid = rowid_name(info);
  // No name left for the rowid: every row is "new", and the caller resets the shape first.
  sql += " FROM " + info.table_name +
         (rowid.empty() ? " WHERE ?1 IS NOT NULL" : " WHERE " + rowid + " > ?1");
  return sql;
}

bool exec(sqlite3* db, const std::string& sql) {
  return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
}

bool shape_table_exists(sqlite3* db, bool& exists) {
  Finalizer q;
  if (!prepare(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name='shape_columns'", q)) {
    return false;
  }
  const int rc = sqlite3_step(q.stmt);
  exists = rc == SQLITE_ROW;
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

// Creates the table and computes the shape of every dataset from its rows.
bool build_shape_table(sqlite3* db) {
  if (!exec(db, kShapeTable)) return false;
  Finalizer q;
  if (!prepare(db, "SELECT id, table_name, columns_json FROM datasets", q)) return false;
  int rc;
  while ((rc = sqlite3_step(q.stmt)) == SQLITE_ROW) {
    DatasetInfo info;
    info.id = sqlite3_column_int64(q.stmt, 0);
    const auto* table = reinterpret_cast<const char*>(sqlite3_column_text(q.stmt, 1));
    const auto* json = reinterpret_cast<const char*>(sqlite3_column_text(q.stmt, 2));
    info.table_name = table ? table : "";
    auto columns = codec::parse_columns_json(json ? json : "");
    if (!columns || info.table_name.empty()) continue;  // never stored: no rows to shape
    info.columns = std::move(*columns);
    if (!add_rows_to_shape(db, info, std::numeric_limits<std::int64_t>::min(), true)) {
      return false;
    }
  }
  return rc == SQLITE_DONE;
}

}  // namespace

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

bool ensure_shape_table(sqlite3* db) {
  bool exists = false;
  if (!shape_table_exists(db, exists)) return false;
  if (exists) return true;
  // Check again under the write lock: another server may have built it meanwhile.
  if (!exec(db, "BEGIN IMMEDIATE")) return false;
  bool ok = shape_table_exists(db, exists) && (exists || build_shape_table(db));
  if (ok) ok = exec(db, "COMMIT");
  if (!ok && sqlite3_get_autocommit(db) == 0) exec(db, "ROLLBACK");
  return ok;
}

std::string rowid_name(const DatasetInfo& info) {
  for (const char* name : {"rowid", "_rowid_", "oid"}) {
    const bool taken =
        std::any_of(info.columns.begin(), info.columns.end(), [name](const codec::ColumnSpec& c) {
          return ::sqlite3_stricmp(c.name.c_str(), name) == 0;
        });
    if (!taken) return name;
  }
  return "";
}

bool max_rowid(sqlite3* db, const DatasetInfo& info, std::int64_t& rowid) {
  const std::string name = rowid_name(info);
  if (name.empty()) {
    rowid = 0;
    return true;
  }
  Finalizer q;
  if (!prepare(db, "SELECT coalesce(max(" + name + "), 0) FROM " + info.table_name, q)) {
    return false;
  }
  if (sqlite3_step(q.stmt) != SQLITE_ROW) return false;
  rowid = sqlite3_column_int64(q.stmt, 0);
  return true;
}

bool add_rows_to_shape(sqlite3* db, const DatasetInfo& info, std::int64_t after_rowid, bool reset) {
  // Without a name for the rowid the rows of this fill cannot be told apart: recompute.
  if (rowid_name(info).empty()) reset = true;
  if (reset && !exec(db, fmt::format("DELETE FROM shape_columns WHERE dataset_id={}", info.id))) {
    return false;
  }
  Finalizer merge;
  if (!prepare(db, kMergeSql, merge)) return false;
  const std::size_t ncols = info.columns.size();
  for (std::size_t begin = 0; begin < ncols; begin += kShapeColumnsPerQuery) {
    const std::size_t end = std::min(ncols, begin + kShapeColumnsPerQuery);
    Finalizer scan;
    if (!prepare(db, shape_sql(info, begin, end), scan)) return false;
    sqlite3_bind_int64(scan.stmt, 1, after_rowid);
    if (sqlite3_step(scan.stmt) != SQLITE_ROW) return false;
    if (sqlite3_column_int64(scan.stmt, 0) == 0) return true;  // no new rows: nothing changes
    int col = 1;
    for (std::size_t i = begin; i < end; ++i) {
      sqlite3_bind_int64(merge.stmt, 1, info.id);
      sqlite3_bind_int64(merge.stmt, 2, static_cast<std::int64_t>(i));
      sqlite3_bind_int64(merge.stmt, 3, sqlite3_column_int64(scan.stmt, col++));
      if (is_measure(info.columns[i])) {
        sqlite3_bind_value(merge.stmt, 4, sqlite3_column_value(scan.stmt, col++));
        sqlite3_bind_value(merge.stmt, 5, sqlite3_column_value(scan.stmt, col++));
      } else {
        sqlite3_bind_null(merge.stmt, 4);
        sqlite3_bind_null(merge.stmt, 5);
      }
      if (sqlite3_step(merge.stmt) != SQLITE_DONE) return false;
      sqlite3_reset(merge.stmt);
    }
  }
  return true;
}

bool read_shape(sqlite3* db, const DatasetInfo& info, DatasetShape& shape) {
  shape.load_number = info.load_number;
  shape.columns.clear();
  for (const codec::ColumnSpec& c : info.columns) {
    ColumnShape& s = shape.columns.emplace_back();
    s.name = c.name;
    s.measure = is_measure(c);
  }
  Finalizer q;
  if (!prepare(db,
               "SELECT position, empty_count, min_value, max_value FROM shape_columns "
               "WHERE dataset_id=?1",
               q)) {
    return false;
  }
  sqlite3_bind_int64(q.stmt, 1, info.id);
  int rc;
  while ((rc = sqlite3_step(q.stmt)) == SQLITE_ROW) {
    const auto position = static_cast<std::size_t>(sqlite3_column_int64(q.stmt, 0));
    if (position >= shape.columns.size()) continue;
    ColumnShape& s = shape.columns[position];
    s.empty_count = static_cast<std::uint64_t>(sqlite3_column_int64(q.stmt, 1));
    if (!s.measure) continue;
    if (sqlite3_column_type(q.stmt, 2) != SQLITE_NULL) s.min = sqlite3_column_double(q.stmt, 2);
    if (sqlite3_column_type(q.stmt, 3) != SQLITE_NULL) s.max = sqlite3_column_double(q.stmt, 3);
  }
  return rc == SQLITE_DONE;
}

}  // namespace dsfill::server
