// How keep_going cuts a bad record out of the input, and shows its value in a RowReject
// (codec/rows_json.h): internal to the checked path (codec/checked_rows.cpp).
#pragma once

#include <string>
#include <string_view>

#include "codec/record_reader.h"
#include "codec/rows_json.h"

namespace dsfill::codec::detail {

// The longest RowReject::value, in bytes.
inline constexpr std::size_t kRejectValueBytes = 200;

// Returns the end of the record `rec` read (its terminator included) in an input that ends at
// `end`: where the grammar ended it; after a bare quote or a byte after a closing quote, past the
// next LF, CR or CRLF after the fault, whatever quotes lie between (so a stray quote costs one
// line, not the rest of the file); after an unterminated quote, `end`.
const char* reject_end(const RecordRead& rec, const char* end);

// Returns `value` as valid UTF-8 (Latin-1 converted, else each invalid subpart as U+FFFD), cut
// to kRejectValueBytes at a character boundary.
std::string reject_value(std::string_view value, InputEncoding encoding);

}  // namespace dsfill::codec::detail
