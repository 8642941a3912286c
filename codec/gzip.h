// gzip (RFC 1952) through libdeflate: whole-buffer compression and capped decompression.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "codec/error.h"

struct libdeflate_compressor;
struct libdeflate_decompressor;

namespace dsfill::codec {

inline constexpr int kDefaultGzipLevel = 6;

// Owns one libdeflate compressor; one per encoder thread (not thread-safe).
class GzipCompressor {
 public:
  // REQUIRES: 0 <= level <= 12.
  explicit GzipCompressor(int level = kDefaultGzipLevel);
  ~GzipCompressor();
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;

  int level() const { return level_; }
  // Returns an upper bound of the gzip size of `n` input bytes.
  std::size_t bound(std::size_t n) const;
  // Compresses `in` as one gzip member into `out` (resized to fit); returns its size.
  std::size_t compress(std::string_view in, std::string& out);
  // Compresses `in` into `out`, which must hold bound(in.size()) bytes; returns the size written.
  std::size_t compress_into(std::string_view in, char* out, std::size_t capacity);

 private:
  int level_;
  libdeflate_compressor* compressor_;
};

struct GunzipLimits {
  std::size_t max_output = 256u << 20;  // decompressed bytes
  double max_ratio = 1000.0;            // decompressed / compressed
};

// Decompresses exactly one gzip member from `in` into `out` (replaced). Fails with kBadGzip on
// corrupt or truncated data or bytes after the member (concatenated members included), and with
// kTooLarge, before allocating, when the output would exceed the limits. The output size is taken
// from the trailing ISIZE field (checked against the data afterwards), so trailing garbage that
// reads as a huge size is refused as kTooLarge rather than kBadGzip. Never allocates more than
// limits.max_output bytes for the output. Outputs of 4 GiB or more (ISIZE wraps) are refused.
// Thread-safe: each thread uses its own libdeflate decompressor.
Result<void> gunzip(std::string_view in, const GunzipLimits& limits, std::string& out);

}  // namespace dsfill::codec
