// bzip2: libbz2's streaming decoder. `bzip2 -c a b` and pbzip2 write several streams one after
// the other; each is one stream here.
#include <bzlib.h>

#include <memory>

#include "loader/decompressor_backends.h"

namespace dsfill::loader::detail {

namespace {

const char* bz_reason(int rc) {
  switch (rc) {
    case BZ_DATA_ERROR_MAGIC:
      return "not a bzip2 stream (bad magic)";
    case BZ_DATA_ERROR:
      return "a block fails its integrity check";
    case BZ_MEM_ERROR:
      return "out of memory";
    default:
      return "the decoder failed";
  }
}

class Bzip2Decoder final : public Decompressor {
 public:
  Bzip2Decoder() { ok_ = BZ2_bzDecompressInit(&s_, 0, 0) == BZ_OK; }
  ~Bzip2Decoder() override {
    if (ok_) BZ2_bzDecompressEnd(&s_);
  }
  Bzip2Decoder(const Bzip2Decoder&) = delete;
  Bzip2Decoder& operator=(const Bzip2Decoder&) = delete;
  bool ok() const { return ok_; }

  Result<Step> step(const char* in, std::size_t in_n, char* out, std::size_t out_n,
                    bool /*last*/) override {
    s_.next_in = const_cast<char*>(in);
    s_.avail_in = static_cast<unsigned>(in_n);
    s_.next_out = out;
    s_.avail_out = static_cast<unsigned>(out_n);
    const int rc = BZ2_bzDecompress(&s_);
    if (rc != BZ_OK && rc != BZ_STREAM_END) return corrupt("bzip2", bz_reason(rc));
    return Step{in_n - s_.avail_in, out_n - s_.avail_out, rc == BZ_STREAM_END};
  }

  void reset() override {
    if (ok_) BZ2_bzDecompressEnd(&s_);
    s_ = bz_stream{};
    ok_ = BZ2_bzDecompressInit(&s_, 0, 0) == BZ_OK;
  }

 private:
  bz_stream s_{};
  bool ok_ = false;
};

}  // namespace

Result<std::unique_ptr<Decompressor>> make_bzip2_decoder() {
  auto d = std::make_unique<Bzip2Decoder>();
  if (!d->ok()) return make_error(ErrorCode::kInternal, "cannot allocate a bzip2 decoder");
  return std::unique_ptr<Decompressor>(std::move(d));
}

}  // namespace dsfill::loader::detail
