// The columns spec of the dataset-fill API: [{"name","alias","type","subtype"[,"format"]}].
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "codec/rows_json.h"

namespace dsfill::codec {

struct ColumnSpec {
  std::string name;
  std::string alias;
  std::string type;     // "dimension" or "measure"
  std::string subtype;  // "text", "numeric", "date", ...
  std::string format;   // optional (dates); empty when absent
};

using Columns = std::vector<ColumnSpec>;

// Parses a JSON array of column objects (a spec file, or a request's "columns"). Checks shape only
// (every column an object with string name/alias/type/subtype); the server validates values.
Result<Columns> parse_columns_json(std::string_view json);

// Appends the compact JSON array for `columns` to `out` (format only when non-empty).
void append_columns_json(const Columns& columns, std::string& out);

// Returns one dimension/text column per header name (alias = name): the all-strings default.
Columns columns_from_header(const std::vector<std::string>& names);

// Returns the value kind per column: kNumber for measure/numeric columns, kDate for date columns
// (subtype "date"), else kString.
std::vector<ValueKind> value_kinds(const Columns& columns);

// Returns the compiled date format per column (codec/date_format.h), as RowsJsonOptions::dates
// takes them: the column's format for date columns, ISO 8601 for the others and for an empty
// format. Fails with kBadArgument naming the column (1-based) and its format when one does not
// compile.
Result<std::vector<DateFormat>> date_formats(const Columns& columns);

}  // namespace dsfill::codec
