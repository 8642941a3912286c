#include "codec/reject_record.h"

#include "codec/utf8.h"

namespace dsfill::codec::detail {

const char* reject_end(const RecordRead& rec, const char* end) {
  if (rec.fault == CsvFieldEnd::kUnterminated) return end;
  const char* p = rec.stop;
  if (rec.malformed()) {
    while (p < end && *p != '\n' && *p != '\r') ++p;
  }
  if (p == end) return end;
  if (*p++ == '\r' && p < end && *p == '\n') ++p;
  return p;
}

std::string reject_value(std::string_view value, InputEncoding encoding) {
  // Each input byte becomes at least one output byte, so past the first 203 (a sequence cut
  // there) nothing can land before the cut.
  const std::string_view head = value.substr(0, kRejectValueBytes + 3);
  std::string text;
  if (const HighByteTable* table = high_byte_table(encoding)) {
    append_single_byte(head, *table, text);
  } else {
    append_utf8_replacing(head, text);
  }
  if (text.size() > kRejectValueBytes) {
    std::size_t cut = kRejectValueBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
  }
  return text;
}

}  // namespace dsfill::codec::detail
