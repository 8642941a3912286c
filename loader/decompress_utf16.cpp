// UTF-16 text (with its byte order mark) transcoded to UTF-8 as it is read: a "decoder" like the
// decompressors, so that everything after the reader (the one CSV grammar, offsets, resume) sees
// UTF-8. Unpaired surrogates and an odd byte count are refused: no guess is right for them.
#include <string>

#include "loader/decompressor_backends.h"

namespace dsfill::loader::detail {

namespace {

class Utf16Decoder final : public Decompressor {
 public:
  explicit Utf16Decoder(bool big_endian) : big_endian_(big_endian) {}

  Result<Step> step(const char* in, std::size_t in_n, char* out, std::size_t out_n,
                    bool last) override {
    Step s;
    const auto* p = reinterpret_cast<const unsigned char*>(in);
    std::size_t i = 0;
    std::size_t o = 0;
    // A character's bytes that did not fit the last output go first (the reader skips to a
    // resume offset with outputs of any size, so one may end inside a character).
    while (pending_begin_ < pending_end_ && o < out_n) out[o++] = pending_[pending_begin_++];
    if (pending_begin_ < pending_end_) {
      s.produced = o;
      return s;
    }
    if (!bom_skipped_) {
      if (in_n < 2) return short_input(s, in_n, last);
      i = 2;  // detect_compression saw FF FE or FE FF here
      bom_skipped_ = true;
    }
    while (i + 2 <= in_n && o < out_n) {
      const char32_t unit = read_unit(p + i);
      char32_t cp = unit;
      std::size_t used = 2;
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        if (i + 4 > in_n) break;  // its pair is in the next input
        const char32_t low = read_unit(p + i + 2);
        if (low < 0xDC00 || low > 0xDFFF) return bad("a high surrogate without its low one");
        cp = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        used = 4;
      } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
        return bad("a low surrogate without its high one");
      }
      i += used;
      if (o + 4 <= out_n) {
        o += put_utf8(cp, out + o);
        continue;
      }
      pending_begin_ = 0;
      pending_end_ = put_utf8(cp, pending_);
      while (pending_begin_ < pending_end_ && o < out_n) out[o++] = pending_[pending_begin_++];
      break;
    }
    s.consumed = i;
    s.produced = o;
    const bool flushed = pending_begin_ == pending_end_;
    if (last && i == in_n && flushed) s.stream_end = true;
    if (last && flushed && o < out_n && in_n - i == 1) return bad("an odd number of bytes");
    if (last && flushed && o < out_n && in_n - i >= 2) {
      return bad("a high surrogate at the end of the file");
    }
    return s;
  }

  void reset() override {
    bom_skipped_ = false;
    pending_begin_ = pending_end_ = 0;
  }

 private:
  char32_t read_unit(const unsigned char* q) const {
    return big_endian_ ? static_cast<char32_t>((q[0] << 8) | q[1])
                       : static_cast<char32_t>((q[1] << 8) | q[0]);
  }

  static std::size_t put_utf8(char32_t cp, char* o) {
    if (cp < 0x80) {
      o[0] = static_cast<char>(cp);
      return 1;
    }
    if (cp < 0x800) {
      o[0] = static_cast<char>(0xC0 | (cp >> 6));
      o[1] = static_cast<char>(0x80 | (cp & 0x3F));
      return 2;
    }
    if (cp < 0x10000) {
      o[0] = static_cast<char>(0xE0 | (cp >> 12));
      o[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      o[2] = static_cast<char>(0x80 | (cp & 0x3F));
      return 3;
    }
    o[0] = static_cast<char>(0xF0 | (cp >> 18));
    o[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    o[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    o[3] = static_cast<char>(0x80 | (cp & 0x3F));
    return 4;
  }

  Result<Step> short_input(Step s, std::size_t in_n, bool last) const {
    if (last && in_n != 0) return bad("an odd number of bytes");
    s.stream_end = last;
    return s;
  }

  Error bad(std::string_view why) const {
    return corrupt(big_endian_ ? "UTF-16BE" : "UTF-16LE", why);
  }

  bool big_endian_;
  bool bom_skipped_ = false;
  char pending_[4] = {};
  std::size_t pending_begin_ = 0;
  std::size_t pending_end_ = 0;
};

}  // namespace

Result<std::unique_ptr<Decompressor>> make_utf16_decoder(bool big_endian) {
  return std::unique_ptr<Decompressor>(std::make_unique<Utf16Decoder>(big_endian));
}

}  // namespace dsfill::loader::detail
