// The one rule for valid UTF-8 in dsfill: well-formed UTF-8 as the Unicode Standard defines it
// (Table 3-7, the same set RFC 3629 and simdjson accept): no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF. A byte order mark is a character like any other.
//
// Two ways to ask, one answer: utf8_sequence() for a walker that stops at each high byte, and
// utf8_valid() for whole buffers (simdjson's SIMD validator). Tests check that they agree.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dsfill::codec {

// Returns the length (2..4) of the valid UTF-8 sequence at p, or 0 if it is invalid; then sets
// `bad` to the length of its maximal valid prefix (at least 1): the bytes one U+FFFD replaces
// (the Unicode "substitution of maximal subparts" practice, as Python and browsers do).
// REQUIRES: p < end and *p >= 0x80.
inline std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end,
                                 std::size_t& bad) {
  const auto is_cont = [](unsigned char c) { return (c & 0xC0) == 0x80; };
  const auto avail = static_cast<std::size_t>(end - p);
  const unsigned char c0 = p[0];
  bad = 1;
  if (c0 < 0xC2) return 0;  // a continuation byte, or an overlong 2-byte lead
  if (c0 < 0xE0) return avail >= 2 && is_cont(p[1]) ? 2 : 0;
  if (c0 < 0xF0) {
    const unsigned char lo = c0 == 0xE0 ? 0xA0 : 0x80;  // E0: overlong below A0
    const unsigned char hi = c0 == 0xED ? 0x9F : 0xBF;  // ED: surrogates above 9F
    if (avail < 2 || p[1] < lo || p[1] > hi) return 0;
    bad = 2;
    if (avail < 3 || !is_cont(p[2])) return 0;
    return 3;
  }
  if (c0 < 0xF5) {
    const unsigned char lo = c0 == 0xF0 ? 0x90 : 0x80;  // F0: overlong below 90
    const unsigned char hi = c0 == 0xF4 ? 0x8F : 0xBF;  // F4: above U+10FFFF past 8F
    if (avail < 2 || p[1] < lo || p[1] > hi) return 0;
    bad = 2;
    if (avail < 3 || !is_cont(p[2])) return 0;
    bad = 3;
    if (avail < 4 || !is_cont(p[3])) return 0;
    return 4;
  }
  return 0;
}

// Returns whether all of `text` is valid UTF-8 (whole buffers: SIMD, via simdjson).
bool utf8_valid(std::string_view text);

// Returns the offset of the first byte of `text` that starts no valid UTF-8 sequence, or
// text.size() when all of it is valid.
std::size_t utf8_first_invalid(std::string_view text);

// Appends `text` to `out` with each maximal invalid subpart replaced by U+FFFD (EF BF BD).
// For text that is not data (logs, reports, messages): it is then always valid UTF-8.
void append_utf8_replacing(std::string_view text, std::string& out);

// Returns `text` with invalid UTF-8 replaced as append_utf8_replacing does.
std::string utf8_replacing(std::string_view text);

}  // namespace dsfill::codec
