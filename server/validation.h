// Validation of a dataset's columns and of the rows of one fill.
//
// Columns: 1 to kMaxColumns of them; name (1-128 bytes, no control characters (C0, DEL, C1), no
// bidirectional marks or overrides (U+061C, U+200E/F, U+202A-202E, U+2066-2069) and no
// zero-width characters (U+200B-200D, U+2060, U+FEFF), unique ignoring
// ASCII case, not rowid/oid/ _rowid_, which SQLite reserves), alias (a string), type "dimension" or
// "measure", subtype "text", "numeric" or "date" (a measure must be numeric), format (dates only;
// see date_format.h).
//
// Rows: the rows JSON must be an array of arrays with exactly one value per column. Values:
//   text    : a string, a JSON number (kept as its literal text) or null
//   numeric : a JSON number, a numeric string ([+-]digits[.digits][e[+-]digits]), "" or null
//   date    : a string matching the column's format, "" or null
// Stored as sent: a JSON number in a numeric column becomes an INTEGER when it is an integer
// that fits int64, a REAL when the double holds every digit, else its literal TEXT
// (codec/exact_number.h); text as sent; a date in ISO 8601 (DateFormat::to_iso) so that dates
// sort, or as sent when its format has no year, month or day.
// Errors name the row (0-based index in insert-data), the column and the value. Sizes over the
// limits fail with ErrorCode::kTooLarge, everything else with kBadJson / kBadNumber.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "base/error.h"
#include "codec/columns.h"
#include "codec/date_format.h"
#include "server/limits.h"

namespace dsfill::server {

// Columns in one dataset: SQLite's default SQLITE_MAX_COLUMN, the most a table may have.
constexpr std::size_t kMaxColumns = 2000;

enum class Subtype : std::uint8_t { kText, kNumeric, kDate };

struct ColumnRule {
  Subtype subtype = Subtype::kText;
  bool measure = false;
  codec::DateFormat date;
};

// Returns one rule per column, or the first problem ("columns[2].type: ...").
Result<std::vector<ColumnRule>> check_columns(const codec::Columns& columns);

// Returns "" when `requested` equals `stored`, else a message naming the first difference.
std::string columns_difference(const codec::Columns& stored, const codec::Columns& requested);

// One validated value, ready to bind. Text points into the request's buffers (the rows JSON or
// the parser's string buffer), which the RowBatch's owner keeps alive until the store is done.
struct Value {
  enum class Type : std::uint8_t { kNull, kText, kInteger, kReal };
  const char* data = nullptr;
  std::uint32_t size = 0;
  Type type = Type::kNull;
  union {
    std::int64_t integer;
    double real;
  };
  Value() : integer(0) {}
  std::string_view text() const { return {data, size}; }
};

// The validated rows of one request, row-major.
struct RowBatch {
  std::size_t columns = 0;
  std::vector<Value> values;
  // Text written by validation rather than sent as is (dates in ISO 8601); values point into it.
  std::string text;
  std::size_t rows() const { return columns == 0 ? 0 : values.size() / columns; }
};

// Parses `json` (the decoded insert-data; its capacity is grown for simdjson's padding) with
// `parser` and fills `out`. `parser` and `json` must outlive every use of `out`.
// `first_file_row` > 0 (the request's X-First-Row): errors name the file row too,
// "rows[17] (row 1234584 of the file)", taking one row per record from there.
Result<void> validate_rows(simdjson::ondemand::parser& parser, std::string& json,
                           const codec::Columns& columns, const std::vector<ColumnRule>& rules,
                           const Limits& limits, RowBatch& out, std::int64_t first_file_row = 0);

// Returns true if `s` is a numeric string as accepted in numeric columns.
bool is_numeric_text(std::string_view s);

}  // namespace dsfill::server
