// The padding contract of the codec's SIMD kernels (after simdjson's padded_string): a buffer
// handed to a kernel as padded has at least kKernelPadding readable bytes after its end, so a
// kernel may load a whole 64-byte block that starts before the end without checking where the
// buffer stops. The bytes in the padding are arbitrary (often the next batch, or never written):
// a kernel may read them, never trust them, never write them.
//
// The loader's chunker guarantees it for every segment it reads into, so every batch's records
// are padded (loader/chunker.h). Spans from anywhere else (tests, `dsfill encode`, the server's
// decoded payloads) are not: the entry points that take a plain std::string_view finish the
// buffer's last partial block through one shared tail routine instead.
#pragma once

#include <cstddef>
#include <string_view>

namespace dsfill::codec {

// Readable bytes a padded buffer has after its end: one 64-byte block, the widest load any kernel
// makes (AVX-512).
inline constexpr std::size_t kKernelPadding = 64;

// A span of bytes whose owner promises kKernelPadding readable bytes after its end.
class PaddedView {
 public:
  // REQUIRES: bytes.data()[bytes.size(), bytes.size() + kKernelPadding) is readable memory.
  explicit PaddedView(std::string_view bytes) : bytes_(bytes) {}

  std::string_view bytes() const { return bytes_; }

 private:
  std::string_view bytes_;
};

}  // namespace dsfill::codec
