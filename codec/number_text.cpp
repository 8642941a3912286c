#include "codec/number_text.h"

#include <string>

namespace dsfill::codec {

Result<void> check_number_rules(const NumberRules& rules) {
  const char sep = rules.thousands_separator;
  if (sep == '\0') return {};
  const char point = rules.decimal_comma ? ',' : '.';
  if ((sep >= '0' && sep <= '9') || sep == '-' || sep == '+' || sep == 'e' || sep == 'E' ||
      sep == point) {
    return make_error(ErrorCode::kBadArgument,
                      std::string("thousands separator '") + sep +
                          "' cannot be told apart from a number's digits, sign, exponent or "
                          "decimal point");
  }
  return {};
}

std::size_t write_number_text(std::string_view value, const NumberRules& rules, char* o) {
  const char sep = rules.thousands_separator;
  const char point = rules.decimal_comma ? ',' : '.';
  const char* p = value.data();
  const char* const end = p + value.size();
  char* const start = o;
  if (p < end && *p == '-') *o++ = *p++;
  // The integer part: digits, in groups when a separator appears.
  bool grouped = false;
  std::size_t run = 0;  // digits since the start or the last separator
  for (; p < end; ++p) {
    const char c = *p;
    if (c >= '0' && c <= '9') {
      *o++ = c;
      ++run;
    } else if (c == sep && sep != '\0') {
      if (grouped ? run != 3 : run == 0 || run > 3) return kMisplacedSeparator;
      grouped = true;
      run = 0;
    } else {
      break;
    }
  }
  if (grouped && run != 3) return kMisplacedSeparator;
  if (p < end && *p == point) {
    *o++ = '.';
    ++p;
  }
  // The fraction and exponent: no separator, and under decimal_comma no '.' (nor a second ',').
  for (; p < end; ++p) {
    const char c = *p;
    if ((c == sep && sep != '\0') || (rules.decimal_comma && (c == '.' || c == ','))) {
      return kMisplacedSeparator;
    }
    *o++ = c;
  }
  return static_cast<std::size_t>(o - start);
}

}  // namespace dsfill::codec
