// The input encodings the transcoder reads, and the one table per single-byte encoding that
// turns its bytes 0x80-0xFF into UTF-8: every place that converts a single-byte input (the two
// transcoder paths, messages, rejects, header names) reads the same table.
//
// - Latin-1 (ISO 8859-1): byte b is U+00b; every byte is defined.
// - Windows-1252 (cp1252, what most "Latin-1" exports from Windows are): as Latin-1 except
//   0x80-0x9F, which hold € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ; 0x81, 0x8D, 0x8F,
//   0x90 and 0x9D are undefined there and refused (as Python's strict cp1252 codec does), or
//   replaced by U+FFFD under --invalid-utf8 replace.
// UTF-16 is not here: it is transcoded to UTF-8 as it is read (loader/decompressor.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace dsfill::codec {

enum class InputEncoding : std::uint8_t { kUtf8, kLatin1, kCp1252 };

// The UTF-8 of one high byte: `size` bytes of `utf8` (2 or 3); 0 when the encoding leaves the
// byte undefined.
struct HighByte {
  std::uint8_t size;
  char utf8[3];
};
using HighByteTable = std::array<HighByte, 128>;  // index: byte - 0x80

// Returns the table of a single-byte `encoding`, or nullptr for kUtf8.
const HighByteTable* high_byte_table(InputEncoding encoding);

// Returns the name a message gives `encoding`: "UTF-8", "Latin-1", "Windows-1252".
const char* encoding_name(InputEncoding encoding);

// Appends single-byte text to `out` as UTF-8 by `table`, undefined bytes as U+FFFD.
void append_single_byte(std::string_view text, const HighByteTable& table, std::string& out);

}  // namespace dsfill::codec
