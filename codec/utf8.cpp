#include "codec/utf8.h"

#include <simdjson.h>

namespace dsfill::codec {

bool utf8_valid(std::string_view text) { return simdjson::validate_utf8(text.data(), text.size()); }

std::size_t utf8_first_invalid(std::string_view text) {
  const auto* const begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = begin + text.size();
  const auto* p = begin;
  while (p < end) {
    if (*p < 0x80) {
      ++p;
      continue;
    }
    std::size_t bad = 1;
    const std::size_t n = utf8_sequence(p, end, bad);
    if (n == 0) break;
    p += n;
  }
  return static_cast<std::size_t>(p - begin);
}

void append_utf8_replacing(std::string_view text, std::string& out) {
  // Valid text (nearly all of it) is one append; only broken text is walked.
  std::size_t valid = utf8_valid(text) ? text.size() : utf8_first_invalid(text);
  while (valid < text.size()) {
    out.append(text.substr(0, valid));
    std::size_t bad = 1;
    utf8_sequence(reinterpret_cast<const unsigned char*>(text.data()) + valid,
                  reinterpret_cast<const unsigned char*>(text.data()) + text.size(), bad);
    out += "\xEF\xBF\xBD";
    text.remove_prefix(valid + bad);
    valid = utf8_first_invalid(text);
  }
  out.append(text);
}

std::string utf8_replacing(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_utf8_replacing(text, out);
  return out;
}

}  // namespace dsfill::codec
