// xz: liblzma's stream decoder with LZMA_CONCATENATED, so concatenated .xz streams (and their
// padding) decode as one; it ends only once told the input is finished (`last`).
#include <lzma.h>

#include <cstdint>
#include <memory>

#include "loader/decompressor_backends.h"

namespace dsfill::loader::detail {

namespace {

const char* lzma_reason(lzma_ret rc) {
  switch (rc) {
    case LZMA_FORMAT_ERROR:
      return "not an xz stream";
    case LZMA_OPTIONS_ERROR:
      return "unsupported stream options";
    case LZMA_DATA_ERROR:
      return "the compressed data is corrupt";
    case LZMA_MEM_ERROR:
      return "out of memory";
    default:
      return "the decoder failed";
  }
}

class XzDecoder final : public Decompressor {
 public:
  XzDecoder() { init(); }
  ~XzDecoder() override { lzma_end(&s_); }
  XzDecoder(const XzDecoder&) = delete;
  XzDecoder& operator=(const XzDecoder&) = delete;
  bool ok() const { return ok_; }

  Result<Step> step(const char* in, std::size_t in_n, char* out, std::size_t out_n,
                    bool last) override {
    s_.next_in = reinterpret_cast<const std::uint8_t*>(in);
    s_.avail_in = in_n;
    s_.next_out = reinterpret_cast<std::uint8_t*>(out);
    s_.avail_out = out_n;
    const lzma_ret rc = lzma_code(&s_, last ? LZMA_FINISH : LZMA_RUN);
    // LZMA_BUF_ERROR is "no progress possible": the reader decides whether that is truncation.
    if (rc != LZMA_OK && rc != LZMA_STREAM_END && rc != LZMA_BUF_ERROR) {
      return corrupt("xz", lzma_reason(rc));
    }
    return Step{in_n - s_.avail_in, out_n - s_.avail_out, rc == LZMA_STREAM_END};
  }

  void reset() override {
    lzma_end(&s_);
    init();
  }

 private:
  void init() {
    s_ = LZMA_STREAM_INIT;
    ok_ = lzma_stream_decoder(&s_, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK;
  }

  lzma_stream s_ = LZMA_STREAM_INIT;
  bool ok_ = false;
};

}  // namespace

Result<std::unique_ptr<Decompressor>> make_xz_decoder() {
  auto d = std::make_unique<XzDecoder>();
  if (!d->ok()) return make_error(ErrorCode::kInternal, "cannot allocate an xz decoder");
  return std::unique_ptr<Decompressor>(std::move(d));
}

}  // namespace dsfill::loader::detail
