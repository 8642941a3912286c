// The CSV dialect dsfill reads, and the corner cases it decides.
//
// Dialect (RFC 4180 as real files are):
// - Fields are separated by `delimiter` (`,` `;` tab `|` ...); records end with LF, CRLF or a bare
// CR.
// - A field that starts with `quote` is quoted: it ends at the next lone quote, and a doubled quote
//   inside it stands for one quote. Delimiters, CR and LF inside a quoted field are data.
// - A UTF-8 byte order mark at the very start of the input is dropped (see utf8_bom_length()).
// - The final record may lack a terminator. An empty input has no records.
// - Blank lines (a terminator right after a terminator, or at the start) hold no record and are
//   skipped; they still count as physical records for row numbers, so errors point at the file.
// - Errors (never guessed around, each naming row and byte offset):
//   * a quote inside an unquoted field (`a"b`)                   -> "bare quote in unquoted field"
//   * anything but a delimiter or terminator after a closing quote (`"a"b`) -> "unexpected
//   character
//     after closing quote"
//   * a quoted field still open at the end of the input         -> "unterminated quoted field"
//   * a record whose field count differs from the first record's (the header's) -> "ragged row"
// Row numbers are 1-based physical records, header included; byte offsets are from the start of
// the file (after any skipped prefix such as a resume offset, the caller passes the base offset).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dsfill::codec {

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';
};

// Where a piece of input sits in the file, so errors can name the file's row and byte.
struct InputPosition {
  std::int64_t row = 1;          // 1-based physical record number of the first record
  std::int64_t byte_offset = 0;  // offset of the first byte from the start of the file
};

// Returns 3 if `data` starts with the UTF-8 byte order mark EF BB BF, else 0.
inline std::size_t utf8_bom_length(std::string_view data) {
  return data.size() >= 3 && data[0] == '\xEF' && data[1] == '\xBB' && data[2] == '\xBF' ? 3 : 0;
}

}  // namespace dsfill::codec
