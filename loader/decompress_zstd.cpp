// zstd: libzstd's streaming decoder. Each frame is one stream.
#include <zstd.h>

#include <memory>

#include "loader/decompressor_backends.h"

namespace dsfill::loader::detail {

namespace {

class ZstdDecoder final : public Decompressor {
 public:
  ZstdDecoder() : ctx_(ZSTD_createDCtx()) {}
  ~ZstdDecoder() override { ZSTD_freeDCtx(ctx_); }
  ZstdDecoder(const ZstdDecoder&) = delete;
  ZstdDecoder& operator=(const ZstdDecoder&) = delete;
  bool ok() const { return ctx_ != nullptr; }

  Result<Step> step(const char* in, std::size_t in_n, char* out, std::size_t out_n,
                    bool /*last*/) override {
    ZSTD_inBuffer src{in, in_n, 0};
    ZSTD_outBuffer dst{out, out_n, 0};
    const std::size_t rc = ZSTD_decompressStream(ctx_, &dst, &src);
    if (ZSTD_isError(rc) != 0) return corrupt("zstd", ZSTD_getErrorName(rc));
    // 0: a frame is decoded and flushed whole.
    return Step{src.pos, dst.pos, rc == 0};
  }

  void reset() override { ZSTD_DCtx_reset(ctx_, ZSTD_reset_session_only); }

 private:
  ZSTD_DCtx* ctx_;
};

}  // namespace

Result<std::unique_ptr<Decompressor>> make_zstd_decoder() {
  auto d = std::make_unique<ZstdDecoder>();
  if (!d->ok()) return make_error(ErrorCode::kInternal, "cannot allocate a zstd decoder");
  return std::unique_ptr<Decompressor>(std::move(d));
}

}  // namespace dsfill::loader::detail
