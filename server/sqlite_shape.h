// The shape of each dataset (what POST /dataset-complete answers), kept by the SQLite store
// beside the rows and updated in the transaction of every fill, so that completing a load reads
// O(columns) values whatever the row count.
//
// Table: shape_columns(dataset_id, position, empty_count, min, max), one row per column of a
// dataset that holds rows; no row for a column means no rows yet (empty count 0, no bounds).
// The row count itself is the catalog's datasets.row_count.
//
// One rule defines a shape, for a whole table and for the rows of one fill alike (shape_sql in
// sqlite_shape.cpp): a value is empty when it is NULL or the text ''; a measure's min and max
// are those of its non-empty values read with CAST(value AS REAL). Bounds merge with a strict
// comparison, so the first of equal values wins, as in a scan in rowid order.
//
// Every function returns false on a SQLite failure; sqlite3_errmsg(db) then says why.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "server/store.h"

struct sqlite3;

namespace dsfill::server {

// Returns `name` as a quoted SQL identifier ('"' doubled).
std::string quote_identifier(std::string_view name);

// Creates shape_columns if missing. A database made before shapes were kept gets the shape of
// each dataset computed once here, by a scan of its rows (O(rows), at startup).
// REQUIRES: no open transaction (it runs its own).
bool ensure_shape_table(sqlite3* db);

// Returns the name that reaches the rows' rowid in `info`'s table: rowid, _rowid_ or oid, the
// first that is not a column's name (a client's export may well have a column "RowId", which
// then shadows SQLite's), or "" when the columns take all three.
std::string rowid_name(const DatasetInfo& info);

// Returns in `rowid` the largest rowid of `info`'s table (0 when empty, and when no name
// reaches it): rows inserted next have larger ones, which is how the rows of one fill are told
// apart.
bool max_rowid(sqlite3* db, const DatasetInfo& info, std::int64_t& rowid);

// Adds to the kept shape of `info` the shape of its rows whose rowid exceeds `after_rowid`
// (the rows of this fill). `reset`: forget the kept shape first (a replace). When no name
// reaches the rowid, the shape is computed again from all rows (correct, O(rows)).
bool add_rows_to_shape(sqlite3* db, const DatasetInfo& info, std::int64_t after_rowid, bool reset);

// Reads the kept shape of `info` into `shape` (columns and load number; rows_count is the
// catalog's row count).
bool read_shape(sqlite3* db, const DatasetInfo& info, DatasetShape& shape);

}  // namespace dsfill::server
