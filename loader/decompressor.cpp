#include "loader/decompressor.h"

#include <string>

#include "loader/decompressor_backends.h"

namespace dsfill::loader {

namespace {

bool starts_with(std::string_view head, std::string_view magic) {
  return head.size() >= magic.size() && head.substr(0, magic.size()) == magic;
}

}  // namespace

Compression detect_compression(std::string_view head) {
  using namespace std::string_view_literals;
  if (starts_with(head, "\x1f\x8b"sv)) return Compression::kGzip;
  if (starts_with(head, "\x28\xb5\x2f\xfd"sv)) return Compression::kZstd;
  // "BZh" and a block size digit: a text file starting "BZh" would need the digit too.
  if (starts_with(head, "BZh"sv) && head.size() >= 4 && head[3] >= '1' && head[3] <= '9') {
    return Compression::kBzip2;
  }
  if (starts_with(head,
                  "\xfd"
                  "7zXZ\x00"sv))
    return Compression::kXz;
  if (starts_with(head, "\xff\xfe"sv)) return Compression::kUtf16Le;
  if (starts_with(head, "\xfe\xff"sv)) return Compression::kUtf16Be;
  return Compression::kNone;
}

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kBzip2:
      return "bzip2";
    case Compression::kXz:
      return "xz";
    case Compression::kUtf16Le:
      return "UTF-16LE";
    case Compression::kUtf16Be:
      return "UTF-16BE";
    case Compression::kNone:
      break;
  }
  return "";
}

Result<std::unique_ptr<Decompressor>> make_decompressor(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return detail::make_gzip_decoder();
    case Compression::kZstd:
      return detail::make_zstd_decoder();
    case Compression::kBzip2:
      return detail::make_bzip2_decoder();
    case Compression::kXz:
      return detail::make_xz_decoder();
    case Compression::kUtf16Le:
      return detail::make_utf16_decoder(false);
    case Compression::kUtf16Be:
      return detail::make_utf16_decoder(true);
    case Compression::kNone:
      break;
  }
  return make_error(ErrorCode::kInternal, "make_decompressor: no codec for plain input");
}

namespace detail {

Error corrupt(const char* codec, std::string_view why) {
  return make_error(ErrorCode::kBadCompressed,
                    std::string("corrupt ") + codec + " data: " + std::string(why));
}

}  // namespace detail

}  // namespace dsfill::loader
