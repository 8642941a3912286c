#include "codec/json_text.h"

#include <charconv>
#include <cmath>

#include "codec/json_escape_loop.h"
#include "codec/utf8.h"

namespace dsfill::codec {

void append_json_string(std::string_view value, std::string& out) {
  using detail::OutSpan;
  const detail::PlainClasses cls('"', '"');
  OutSpan span = detail::open_out(out, out.size(), value.size() + value.size() / 8 + 2);
  char* o = span.o;
  char* lim = span.lim;
  const char* p = value.data();
  const char* const end = p + value.size();
  *o++ = '"';
  for (;;) {
    detail::copy_plain(p, end, o, lim, out, cls);
    if (p == end) break;
    const auto c = static_cast<unsigned char>(*p++);
    DSFILL_RESERVE(6);
    if (c >= 0x80) {
      *o++ = static_cast<char>(c);  // valid UTF-8 by contract: passes through
    } else {
      o = detail::put_json_escape(o, c);
    }
  }
  DSFILL_RESERVE(1);
  *o++ = '"';
  out.resize(static_cast<std::size_t>(o - out.data()));
}

void append_json_text(std::string_view text, std::string& out) {
  if (utf8_valid(text)) {
    append_json_string(text, out);
  } else {
    append_json_string(utf8_replacing(text), out);
  }
}

namespace {

// The RFC 8259 number grammar; `exponent` tells whether the number has one.
bool number_grammar(std::string_view value, bool& exponent) {
  const char* p = value.data();
  const char* end = p + value.size();
  const auto digit = [&](const char* at) { return at < end && *at >= '0' && *at <= '9'; };
  if (p < end && *p == '-') ++p;
  if (!digit(p)) return false;
  if (*p == '0') {
    ++p;
  } else {
    while (digit(p)) ++p;
  }
  if (p < end && *p == '.') {
    ++p;
    if (!digit(p)) return false;
    while (digit(p)) ++p;
  }
  exponent = p < end && (*p == 'e' || *p == 'E');
  if (exponent) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (!digit(p)) return false;
    while (digit(p)) ++p;
  }
  return p == end;
}

// Whether a number (is_json_number) with or without an exponent is within double's range.
bool in_range(std::string_view value, bool exponent) {
  constexpr std::size_t kAlwaysInRange = 300;
  if (!exponent && value.size() < kAlwaysInRange) return true;
  // A 64-bit integer never gets here (it has at most 20 characters and no exponent).
  const char* const end = value.data() + value.size();
  double real = 0;
  const auto [p, ec] = std::from_chars(value.data(), end, real);
  return ec == std::errc() && p == end && std::isfinite(real);
}

}  // namespace

bool is_json_number(std::string_view value) {
  bool exponent = false;
  return number_grammar(value, exponent);
}

bool json_number_in_range(std::string_view value) {
  return in_range(value, value.find_first_of("eE") != std::string_view::npos);
}

JsonNumberCheck check_json_number(std::string_view value) {
  bool exponent = false;
  if (!number_grammar(value, exponent)) return JsonNumberCheck::kNotANumber;
  return in_range(value, exponent) ? JsonNumberCheck::kGood : JsonNumberCheck::kOutOfRange;
}

#undef DSFILL_RESERVE

}  // namespace dsfill::codec
