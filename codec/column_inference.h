// Infers a columns spec (the API's name, alias, type, subtype, format) from a sample of records.
//
// Rules, per column, over the sample's non-empty values (empty values, and values equal to a null
// marker of NullRules, never decide a type):
// - measure/numeric when every value is a JSON number once read by the NumberRules
//   (codec/number_text.h: "3,14" with a decimal comma, "1,234" with a thousands separator), unless
//   a value has a leading zero
//   ("007", "-01": identifiers such as zip codes or SKUs keep their zeros as text) or the column
//   is named like an identifier (id, *_id, *Id, *ID, code, *_code, *Code, no, *No, number) and
//   every value is an integer: those stay dimension/text.
// - dimension/date with the first format of kDateCandidates that every value matches; both
//   day-first and month-first dates are proposed only when the sample tells them apart (a value
//   with a day above 12), otherwise the column stays text and `ambiguous` says why.
// - dimension/text otherwise, and for a column whose sample values are all empty.
// Names are the header's as given (make them usable first: codec/column_names.h); aliases are
// column_alias(name), as a load without a spec sends them.
// Formats use the strftime-like syntax of codec/date_format.h, which the reference server
// checks values against, so whatever infer proposes the server accepts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "codec/columns.h"
#include "codec/csv_records.h"

namespace dsfill::codec {

struct InferredColumns {
  Columns columns;
  std::vector<std::string> notes;  // one line per column whose choice deserves a word
  std::size_t sampled_rows = 0;
};

// Infers columns from `header` and `sample` (records of the same width as the header; shorter
// or longer records are ignored for the missing or extra columns), reading null markers and
// numbers as the load will (RowsJsonOptions::nulls and ::numbers).
// REQUIRES: check_number_rules(numbers) (codec/number_text.h).
InferredColumns infer_columns(const std::vector<std::string>& header,
                              const std::vector<Record>& sample, const NullRules& nulls = {},
                              const NumberRules& numbers = {});

}  // namespace dsfill::codec
