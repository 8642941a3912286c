// gzip: ISA-L's igzip inflate when libisal is installed (the fastest streaming inflate Debian
// packages), zlib otherwise. Both check each member's CRC-32 and length; each member is one
// stream, so the members of pigz and bgzip output follow one another through reset().
#include <memory>
#include <string>

#include "loader/decompressor_backends.h"

#if defined(DSFILL_HAVE_ISAL)
#include <isa-l/igzip_lib.h>
#else
#include <zlib.h>
#endif

namespace dsfill::loader::detail {

namespace {

#if defined(DSFILL_HAVE_ISAL)

const char* isal_reason(int rc) {
  switch (rc) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid back-reference distance";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "compression method is not deflate";
    case ISAL_INCORRECT_CHECKSUM:
      return "CRC-32 or length of a member does not match its data";
    default:
      return "the decoder failed";
  }
}

class GzipDecoder final : public Decompressor {
 public:
  GzipDecoder() : state_(std::make_unique<inflate_state>()) { reset(); }

  Result<Step> step(const char* in, std::size_t in_n, char* out, std::size_t out_n,
                    bool /*last*/) override {
    inflate_state& s = *state_;
    // ISA-L takes 32-bit lengths; the reader's buffers are far smaller.
    s.next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(in));
    s.avail_in = static_cast<std::uint32_t>(in_n);
    s.next_out = reinterpret_cast<std::uint8_t*>(out);
    s.avail_out = static_cast<std::uint32_t>(out_n);
    const int rc = isal_inflate(&s);
    if (rc < 0) return corrupt("gzip", isal_reason(rc));
    if (rc == ISAL_NEED_DICT) return corrupt("gzip", "the stream needs a preset dictionary");
    return Step{in_n - s.avail_in, out_n - s.avail_out, s.block_state == ISAL_BLOCK_FINISH};
  }

  void reset() override {
    isal_inflate_init(state_.get());
    state_->crc_flag = ISAL_GZIP;  // parse the gzip header, check the trailer
  }

 private:
  std::unique_ptr<inflate_state> state_;
};

#else

class GzipDecoder final : public Decompressor {
 public:
  GzipDecoder() { ok_ = inflateInit2(&z_, 15 + 16) == Z_OK; }  // 16: gzip wrapper only
  ~GzipDecoder() override {
    if (ok_) inflateEnd(&z_);
  }
  GzipDecoder(const GzipDecoder&) = delete;
  GzipDecoder& operator=(const GzipDecoder&) = delete;
  bool ok() const { return ok_; }

  Result<Step> step(const char* in, std::size_t in_n, char* out, std::size_t out_n,
                    bool /*last*/) override {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in));
    z_.avail_in = static_cast<uInt>(in_n);
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(out_n);
    const int rc = inflate(&z_, Z_NO_FLUSH);
    // Z_BUF_ERROR is "no progress possible": the reader decides whether that is truncation.
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return corrupt("gzip", z_.msg != nullptr ? z_.msg : "the decoder failed");
    }
    return Step{in_n - z_.avail_in, out_n - z_.avail_out, rc == Z_STREAM_END};
  }

  void reset() override { inflateReset(&z_); }

 private:
  z_stream z_{};
  bool ok_ = false;
};

#endif

}  // namespace

Result<std::unique_ptr<Decompressor>> make_gzip_decoder() {
  auto d = std::make_unique<GzipDecoder>();
#if !defined(DSFILL_HAVE_ISAL)
  if (!d->ok()) return make_error(ErrorCode::kInternal, "cannot allocate a gzip decoder");
#endif
  return std::unique_ptr<Decompressor>(std::move(d));
}

}  // namespace dsfill::loader::detail
