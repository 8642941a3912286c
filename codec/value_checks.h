// What both transcoder paths (the general path of codec/rows_json.cpp and the checked path of
// codec/checked_rows.h) say about one bad value, so that a fault reads the same whichever path
// found it: the errors' words, the value as a message may quote it, and how long a value is.
// Internal to codec/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "codec/date_format.h"
#include "codec/rows_json.h"

namespace dsfill::codec::detail {

// Returns `value` made safe to quote in a message: at most ~40 bytes (then "..."), valid UTF-8
// (Latin-1 converted, invalid bytes as U+FFFD), control characters as '?'.
std::string message_value(std::string_view value, InputEncoding encoding);

// Where a value sits: output column `column` (0-based), taken from the record's field `field`
// (0-based; the same as column without a mapping). Messages name the column 1-based, and the
// field too when it differs.
struct ValueAt {
  std::size_t column;
  std::size_t field;
  std::int64_t row;
  std::int64_t byte_offset;  // the field's first byte
};

// kBadNumber: "column 2 is numeric but holds "x"".
Error not_a_number_error(const ValueAt& at, std::string_view value, InputEncoding encoding);
// kBadNumber: "column 2 is numeric but holds "1e999", beyond the range of a double".
Error number_out_of_range_error(const ValueAt& at, std::string_view value, InputEncoding encoding);
// kBadDate: "column 2 holds "x", not a date in the format "%d/%m/%Y"" (or "not an ISO 8601 date").
Error bad_date_error(const ValueAt& at, std::string_view value, InputEncoding encoding,
                     const DateFormat& format);
// kTooLarge: "column 2 holds a value of 2000000 bytes, more than the limit of 1048576".
Error value_too_long_error(const ValueAt& at, std::size_t bytes, std::size_t limit);
// kBadEncoding: "invalid UTF-8" (or, for Windows-1252, an undefined byte) at the bad byte's row
// and offset, with the --encoding values to try.
Error invalid_text_error(InputEncoding encoding, std::int64_t row, std::int64_t byte_offset);

// Returns the most bytes of UTF-8 text one input byte can become: 1 (UTF-8 kept as is, invalid
// bytes refused), 2 (Latin-1 converted) or 3 (Windows-1252 converted, or an invalid byte
// replaced by U+FFFD).
inline std::size_t max_text_growth(InputEncoding encoding, Utf8Policy utf8) {
  if (encoding == InputEncoding::kLatin1) return 2;
  if (encoding == InputEncoding::kCp1252) return 3;
  return utf8 == Utf8Policy::kReplace ? 3 : 1;
}

// Returns how many bytes `value` (a field's text, CSV quotes undone) is as the text the JSON
// carries, which the limit max_value_bytes applies to (as the server's applies to the decoded
// string): its own length for UTF-8 input, more where Latin-1 is converted or invalid bytes are
// replaced. Under kStrict, invalid bytes count one each (they are an error of their own).
std::size_t text_bytes(std::string_view value, InputEncoding encoding, Utf8Policy utf8);

}  // namespace dsfill::codec::detail
