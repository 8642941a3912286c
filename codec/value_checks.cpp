#include "codec/value_checks.h"

#include "codec/utf8.h"

namespace dsfill::codec::detail {

namespace {

std::string column_label(const ValueAt& at) {
  std::string label = "column " + std::to_string(at.column + 1);
  if (at.field != at.column) label += " (field " + std::to_string(at.field + 1) + ")";
  return label;
}

}  // namespace

std::string message_value(std::string_view value, InputEncoding encoding) {
  constexpr std::size_t kCap = 40;
  std::string shown;
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  const auto* end = p + value.size();
  while (p < end && shown.size() < kCap) {
    const unsigned char c = *p;
    if (c < 0x80) {
      shown += c < 0x20 || c == 0x7F ? '?' : static_cast<char>(c);
      ++p;
    } else if (const HighByteTable* table = high_byte_table(encoding)) {
      append_single_byte(std::string_view(reinterpret_cast<const char*>(p), 1), *table, shown);
      ++p;
    } else {
      std::size_t bad = 1;
      const std::size_t n = utf8_sequence(p, end, bad);
      if (n != 0) {
        shown.append(reinterpret_cast<const char*>(p), n);
        p += n;
      } else {
        shown += "\xEF\xBF\xBD";
        p += bad;
      }
    }
  }
  if (p < end) shown += "...";
  return shown;
}

Error not_a_number_error(const ValueAt& at, std::string_view value, InputEncoding encoding) {
  return make_error(
      ErrorCode::kBadNumber,
      column_label(at) + " is numeric but holds \"" + message_value(value, encoding) + "\"", at.row,
      at.byte_offset);
}

Error number_out_of_range_error(const ValueAt& at, std::string_view value, InputEncoding encoding) {
  return make_error(ErrorCode::kBadNumber,
                    column_label(at) + " is numeric but holds \"" + message_value(value, encoding) +
                        "\", beyond the range of a double",
                    at.row, at.byte_offset);
}

Error bad_date_error(const ValueAt& at, std::string_view value, InputEncoding encoding,
                     const DateFormat& format) {
  std::string message = column_label(at) + " holds \"" + message_value(value, encoding) + "\", ";
  if (format.text().empty()) {
    message += "not an ISO 8601 date";
  } else {
    message += "not a date in the format \"" + message_value(format.text(), encoding) + "\"";
  }
  return make_error(ErrorCode::kBadDate, std::move(message), at.row, at.byte_offset);
}

Error value_too_long_error(const ValueAt& at, std::size_t bytes, std::size_t limit) {
  return make_error(ErrorCode::kTooLarge,
                    column_label(at) + " holds a value of " + std::to_string(bytes) +
                        " bytes, more than the limit of " + std::to_string(limit),
                    at.row, at.byte_offset);
}

Error invalid_text_error(InputEncoding encoding, std::int64_t row, std::int64_t byte_offset) {
  if (encoding == InputEncoding::kCp1252) {
    return make_error(ErrorCode::kBadEncoding,
                      "a byte Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90 or 0x9D): "
                      "not a Windows-1252 file? try --encoding latin1 or utf8",
                      row, byte_offset);
  }
  return make_error(ErrorCode::kBadEncoding,
                    "invalid UTF-8: not a UTF-8 file? try --encoding cp1252 (most Windows "
                    "exports) or --encoding latin1",
                    row, byte_offset);
}

std::size_t text_bytes(std::string_view value, InputEncoding encoding, Utf8Policy utf8) {
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  const auto* const end = p + value.size();
  if (const HighByteTable* table = high_byte_table(encoding)) {
    std::size_t bytes = 0;
    for (; p < end; ++p) {
      const std::size_t size = *p < 0x80 ? 1 : (*table)[*p - 0x80].size;
      bytes += size != 0 ? size : 3;  // U+FFFD under kReplace; an error of its own under kStrict
    }
    return bytes;
  }
  if (utf8 == Utf8Policy::kStrict) return value.size();
  std::size_t bytes = 0;
  while (p < end) {
    if (*p < 0x80) {
      ++p;
      ++bytes;
      continue;
    }
    std::size_t bad = 1;
    const std::size_t n = utf8_sequence(p, end, bad);
    bytes += n != 0 ? n : 3;
    p += n != 0 ? n : bad;
  }
  return bytes;
}

}  // namespace dsfill::codec::detail
