// JSON text, the one place dsfill writes it: the string escaper and the number check (RFC 8259).
//
// Escaping, for every JSON string dsfill writes (rows, request bodies, columns specs, server
// answers, logs, summaries):
// - '"' and '\\' as \" and \\; the control characters U+0000..U+001F as the short forms \b \f \n
//   \r \t where JSON has one, else as \u00XX (lower-case hex).
// - Everything else as is: DEL (0x7F) and non-ASCII stay raw UTF-8, and so do U+2028 and U+2029,
//   which RFC 8259 allows raw (only JavaScript before ES2019 did not; our readers are JSON).
// Invalid UTF-8 has one policy per kind of text:
// - data (the transcoder's rows) is checked before it gets here: invalid UTF-8 is an error that
//   names row and byte (codec/rows_json.h), so append_json_string requires valid UTF-8;
// - text that is not data (log lines, reports, error messages) goes through append_json_text,
//   which replaces each invalid subpart with U+FFFD (codec/utf8.h), so the JSON is always valid.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dsfill::codec {

// Appends `value` to `out` as a JSON string literal, quotes included.
// REQUIRES: `value` is valid UTF-8 (bytes >= 0x80 are copied as they are).
void append_json_string(std::string_view value, std::string& out);

// Appends `text` to `out` as a JSON string literal, quotes included, with invalid UTF-8 replaced
// by U+FFFD: for text that is not data, whatever bytes it holds.
void append_json_text(std::string_view text, std::string& out);

// Returns true if `value` is a JSON number as RFC 8259 defines it: an optional '-', then '0' or
// a digit 1-9 followed by digits, then optionally '.' and digits, then optionally 'e'/'E', an
// optional sign and digits. So "-0", "1e5", "1E+5", "0.5" are numbers; "01", "1.", ".5", "+1",
// "1e", "NaN", "Infinity", "0x1", and anything with spaces are not.
bool is_json_number(std::string_view value);

// Returns true if the JSON number `value` is within double's range: std::from_chars reads it to
// a finite double without a range error (1e999 overflows; 1e-400 underflows; subnormals such as
// 1e-310 are in range). The one rule for both sides: the transcoder refuses what the reference
// server would refuse. Cheap for ordinary numbers: only those with an exponent, or of 300
// characters or more, are parsed (without an exponent, fewer than 300 characters lie between 1e-298
// and 1e300). REQUIRES: is_json_number(value).
bool json_number_in_range(std::string_view value);

// What check_json_number finds of a value.
enum class JsonNumberCheck : std::uint8_t { kNotANumber, kOutOfRange, kGood };

// is_json_number and json_number_in_range in one pass over the value, for the transcoder's
// number columns.
JsonNumberCheck check_json_number(std::string_view value);

namespace detail {

// Writes at `o` the JSON escape of an ASCII byte that needs one ('"', '\\' or a control
// character) and returns the cursor past it; the one escape table, used by every writer.
// REQUIRES: 6 bytes of room at o; c < 0x20 or c is '"' or '\\'.
inline char* put_json_escape(char* o, unsigned char c) {
  constexpr char kHex[] = "0123456789abcdef";
  o[0] = '\\';
  switch (c) {
    case '"':
      o[1] = '"';
      return o + 2;
    case '\\':
      o[1] = '\\';
      return o + 2;
    case '\b':
      o[1] = 'b';
      return o + 2;
    case '\f':
      o[1] = 'f';
      return o + 2;
    case '\n':
      o[1] = 'n';
      return o + 2;
    case '\r':
      o[1] = 'r';
      return o + 2;
    case '\t':
      o[1] = 't';
      return o + 2;
    default:
      o[1] = 'u';
      o[2] = '0';
      o[3] = '0';
      o[4] = kHex[c >> 4];
      o[5] = kHex[c & 0xF];
      return o + 6;
  }
}

// Returns whether byte `c` needs put_json_escape.
inline bool needs_json_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

}  // namespace detail

}  // namespace dsfill::codec
