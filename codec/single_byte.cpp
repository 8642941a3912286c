#include "codec/single_byte.h"

namespace dsfill::codec {

namespace {

constexpr HighByte two_bytes(unsigned cp) {
  return HighByte{2,
                  {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F)), 0}};
}

constexpr HighByte three_bytes(unsigned cp) {
  return HighByte{
      3,
      {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
       static_cast<char>(0x80 | (cp & 0x3F))}};
}

constexpr HighByteTable latin1_table() {
  HighByteTable t{};
  for (unsigned b = 0x80; b <= 0xFF; ++b) t[b - 0x80] = two_bytes(b);
  return t;
}

// Windows-1252's code points for 0x80-0x9F (0: undefined), from the Unicode consortium's
// mapping (https://www.unicode.org/Public/MAPPINGS/VENDORS/MICSFT/WINDOWS/CP1252.TXT).
constexpr unsigned kCp1252Low[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 0x80
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,       // 0x88
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 0x90
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,  // 0x98
};

constexpr HighByteTable cp1252_table() {
  HighByteTable t = latin1_table();
  for (unsigned i = 0; i < 32; ++i) {
    const unsigned cp = kCp1252Low[i];
    t[i] = cp == 0 ? HighByte{0, {}} : cp < 0x800 ? two_bytes(cp) : three_bytes(cp);
  }
  return t;
}

constexpr HighByteTable kLatin1 = latin1_table();
constexpr HighByteTable kCp1252 = cp1252_table();

}  // namespace

const HighByteTable* high_byte_table(InputEncoding encoding) {
  switch (encoding) {
    case InputEncoding::kLatin1:
      return &kLatin1;
    case InputEncoding::kCp1252:
      return &kCp1252;
    case InputEncoding::kUtf8:
      break;
  }
  return nullptr;
}

const char* encoding_name(InputEncoding encoding) {
  switch (encoding) {
    case InputEncoding::kLatin1:
      return "Latin-1";
    case InputEncoding::kCp1252:
      return "Windows-1252";
    case InputEncoding::kUtf8:
      break;
  }
  return "UTF-8";
}

void append_single_byte(std::string_view text, const HighByteTable& table, std::string& out) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else if (const HighByte& h = table[c - 0x80]; h.size != 0) {
      out.append(h.utf8, h.size);
    } else {
      out += "\xEF\xBF\xBD";
    }
  }
}

}  // namespace dsfill::codec
