#include "codec/exact_number.h"

#include <charconv>
#include <cstddef>
#include <cstring>

namespace dsfill::codec {

namespace {

// A double's shortest text has at most 17 significant digits: a literal with more cannot match.
constexpr int kMaxDigits = 17;

// A decimal number as sign, significant digits (no leading or trailing zero) and the power of
// ten of its first digit: "-0.0250" is {true, "25", -2}. Zero has no digits.
struct Decimal {
  bool negative = false;
  char digits[kMaxDigits];
  int count = 0;
  long exponent = 0;
};

// Reads `s` ([-+]digits[.digits][(e|E)[-+]digits]: a JSON number or to_chars' output) into `d`.
// Returns false when it has more than kMaxDigits significant digits.
bool read_decimal(std::string_view s, Decimal& d) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) d.negative = s[i++] == '-';
  long power = 0;         // power of ten of the next integer digit, counted down from the point
  long first = 0;         // power of ten of the first significant digit
  int pending_zeros = 0;  // zeros after the last nonzero digit: kept only if a nonzero follows
  bool seen = false;
  std::size_t integer_digits = 0;
  for (std::size_t k = i; k < s.size() && s[k] >= '0' && s[k] <= '9'; ++k) ++integer_digits;
  power = static_cast<long>(integer_digits) - 1;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') continue;
    if (c < '0' || c > '9') break;
    if (c == '0') {
      if (seen) ++pending_zeros;
    } else {
      if (!seen) first = power;
      seen = true;
      if (d.count + pending_zeros + 1 > kMaxDigits) return false;
      for (; pending_zeros > 0; --pending_zeros) d.digits[d.count++] = '0';
      d.digits[d.count++] = c;
    }
    --power;
  }
  long exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool minus = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) minus = s[i++] == '-';
    // In range (a REQUIRES), the exponent is moderate, but saturate so that no text can overflow.
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (exp < 1'000'000'000) exp = exp * 10 + (s[i] - '0');
    }
    if (minus) exp = -exp;
  }
  d.exponent = seen ? first + exp : 0;
  return true;
}

bool same_value(const Decimal& a, const Decimal& b) {
  return a.negative == b.negative && a.count == b.count && a.exponent == b.exponent &&
         std::memcmp(a.digits, b.digits, static_cast<std::size_t>(a.count)) == 0;
}

}  // namespace

ExactNumber exact_number(std::string_view literal) {
  ExactNumber out;
  const char* begin = literal.data();
  const char* end = begin + literal.size();
  if (literal.find_first_of(".eE") == std::string_view::npos) {
    auto [p, ec] = std::from_chars(begin, end, out.integer);
    if (ec == std::errc() && p == end) {
      out.kind = ExactNumber::Kind::kInteger;
      return out;
    }
  }
  Decimal sent;
  if (!read_decimal(literal, sent)) return out;  // more digits than a double holds: text
  double value = 0;
  std::from_chars(begin, end, value);  // in range: it reads the whole text
  char shortest[32];
  auto [p, ec] = std::to_chars(shortest, shortest + sizeof shortest, value);
  Decimal held;
  if (ec != std::errc() || !read_decimal(std::string_view(shortest, p - shortest), held)) {
    return out;
  }
  if (!same_value(sent, held)) return out;
  out.kind = ExactNumber::Kind::kReal;
  out.real = value;
  return out;
}

}  // namespace dsfill::codec
