// The transcoder's checked path: what write_rows_json does when the options ask for more than the
// fast and general paths of codec/rows_json.cpp do (a column mapping, date columns, null and
// number rules), and, under keep_going, where bad records are left out and described.
//
// Each record is read field by field with the one grammar (codec/csv_grammar.h: read_field),
// its field count checked against the file's (expected_fields, or the first record's), and then
// its output columns are written in output order: column j takes field source[j] (kNoField:
// null). A value is null when it equals a null marker (any kind), when it is empty in a number or
// date column, or in a text column under empty_as_null. Otherwise a text value is written as a
// JSON string (UTF-8 checked, replaced or converted, as the general path does), a number value by
// the NumberRules (codec/number_text.h) as a bare JSON number within double's range
// (json_number_in_range), a date value as a string once it matches the column's DateFormat.
//
// A record's first fault is, in this order: a value's (text, number, date; output order), invalid
// UTF-8 before a malformed byte in a text field, the malformed CSV, a value over max_value_bytes,
// the field count. Without a mapping that is the order the general path finds them in, so both
// paths fail with the same error (code, message, row, byte) on the same input, and write the
// same JSON where both succeed.
//
// Under keep_going a bad record's output is taken back and a RowReject describes it. The record
// ends where the grammar ends it; after a bare quote or a stray byte after a closing quote, at
// the next LF, CR or CRLF after the fault (taken raw); after an unterminated quote, at the end of
// the input. Its row counts in physical_rows, not in rows. A reject's value is the faulty
// field's text (CSV quotes undone); for malformed CSV, the field's raw bytes up to the fault.
//
// Internal to codec/ (tests and benchmarks call it to compare or time the paths).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/error.h"
#include "codec/rows_json.h"

namespace dsfill::codec::detail {

// Returns whether `options` ask for what only the checked path does: a `source` other than the
// identity over expected_fields, a kDate kind, null markers or empty_as_null, or NumberRules
// other than the default. (keep_going alone does not: the fast path tries first.)
bool needs_checked_rows(const RowsJsonOptions& options);

// Writes the JSON array of `records` the checked way into `out` from out[begin] (growing `out`
// when needed, never shrinking it) and sets `length` to where it ends, on success and on failure.
// Otherwise as write_rows_json (codec/rows_json.h). Fails with kBadArgument for options it cannot
// apply: NumberRules that check_number_rules refuses, or a source field the records do not have.
Result<RowsJsonStats> write_checked_rows(std::string_view records, const RowsJsonOptions& options,
                                         InputPosition start, std::string& out, std::size_t begin,
                                         std::size_t& length);

}  // namespace dsfill::codec::detail
