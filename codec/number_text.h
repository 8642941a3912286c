// Numbers as a file writes them (NumberRules: a decimal comma, a thousands separator) turned into
// the text of a JSON number. The one reading of NumberRules: the transcoder's checked path
// (codec/checked_rows.h) writes numbers with it, and inference (codec/column_inference.h) asks it
// which values are numbers.
//
// With a thousands separator, an integer part that holds one must be 1-3 digits and then groups
// of exactly three digits ("1,234,567"; not "1,23" nor "12,3456"); the separators are dropped. An
// integer part without one is taken as it is ("1234"). A separator after the decimal point or in
// the exponent is misplaced. With decimal_comma, ',' is the decimal point (written as '.'), and a
// '.' is then misplaced unless it is the thousands separator ("1.234,5").
// What comes out is only the candidate text: is_json_number (codec/json_text.h) still decides.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/error.h"
#include "codec/rows_json.h"

namespace dsfill::codec {

// Returns kBadArgument when `rules` cannot be read unambiguously: a thousands separator that is
// a digit, a sign, 'e', 'E', or the decimal point itself (',' with decimal_comma, '.' without).
Result<void> check_number_rules(const NumberRules& rules);

// Writes at `o` the text `value` stands for under `rules` and returns its length (at most
// value.size()), or returns kMisplacedSeparator when a separator or decimal point is where the
// rules do not allow one. REQUIRES: value.size() bytes of room at o; check_number_rules(rules).
inline constexpr std::size_t kMisplacedSeparator = static_cast<std::size_t>(-1);
std::size_t write_number_text(std::string_view value, const NumberRules& rules, char* o);

}  // namespace dsfill::codec
