#include "codec/gzip.h"

#include <libdeflate.h>

#include <algorithm>
#include <cstdint>
#include <new>

namespace dsfill::codec {

namespace {

// The smallest gzip member: a 10-byte header, an empty deflate block (2 bytes), CRC32 and ISIZE.
constexpr std::size_t kMinGzipSize = 18;

// Frees the thread's decompressor when the thread ends.
struct DecompressorHolder {
  libdeflate_decompressor* d = nullptr;
  ~DecompressorHolder() { libdeflate_free_decompressor(d); }
};

// Returns this thread's decompressor (allocated once; it is small and holds no data between calls).
libdeflate_decompressor* thread_decompressor() {
  thread_local DecompressorHolder holder;
  if (holder.d == nullptr) {
    holder.d = libdeflate_alloc_decompressor();
    if (holder.d == nullptr) throw std::bad_alloc();
  }
  return holder.d;
}

std::uint32_t load_le32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<std::uint32_t>(u[0]) | static_cast<std::uint32_t>(u[1]) << 8 |
         static_cast<std::uint32_t>(u[2]) << 16 | static_cast<std::uint32_t>(u[3]) << 24;
}

}  // namespace

GzipCompressor::GzipCompressor(int level)
    // Clamp rather than fail: the constructor cannot return an error, and callers validate levels.
    : level_(std::clamp(level, 0, 12)), compressor_(libdeflate_alloc_compressor(level_)) {
  if (compressor_ == nullptr) throw std::bad_alloc();
}

GzipCompressor::~GzipCompressor() { libdeflate_free_compressor(compressor_); }

std::size_t GzipCompressor::bound(std::size_t n) const {
  return libdeflate_gzip_compress_bound(compressor_, n);
}

std::size_t GzipCompressor::compress(std::string_view in, std::string& out) {
  out.resize(bound(in.size()));
  const std::size_t n = compress_into(in, out.data(), out.size());
  out.resize(n);
  return n;
}

std::size_t GzipCompressor::compress_into(std::string_view in, char* out, std::size_t capacity) {
  return libdeflate_gzip_compress(compressor_, in.data(), in.size(), out, capacity);
}

Result<void> gunzip(std::string_view in, const GunzipLimits& limits, std::string& out) {
  out.clear();
  if (in.size() < kMinGzipSize) {
    return make_error(ErrorCode::kBadGzip,
                      "gzip data too short: " + std::to_string(in.size()) + " bytes");
  }
  // Check the magic and method first, so data that is not gzip at all is named as such rather
  // than refused for whatever size its last four bytes happen to spell.
  if (static_cast<unsigned char>(in[0]) != 0x1f || static_cast<unsigned char>(in[1]) != 0x8b ||
      in[2] != 8) {
    return make_error(ErrorCode::kBadGzip, "not gzip data (bad magic or method)", -1, 0);
  }
  // Trust ISIZE only to size the buffer and to refuse early: a lying ISIZE makes the exact-size
  // decompression below fail, so it can never make us allocate more than the limits allow.
  const std::size_t isize = load_le32(in.data() + in.size() - 4);
  if (isize > limits.max_output) {
    return make_error(ErrorCode::kTooLarge, "gzip output of " + std::to_string(isize) +
                                                " bytes exceeds the limit of " +
                                                std::to_string(limits.max_output));
  }
  if (static_cast<double>(isize) > limits.max_ratio * static_cast<double>(in.size())) {
    return make_error(ErrorCode::kTooLarge, "gzip expansion from " + std::to_string(in.size()) +
                                                " to " + std::to_string(isize) +
                                                " bytes exceeds the ratio limit");
  }
  out.resize(isize);
  std::size_t in_used = 0;
  std::size_t out_used = 0;
  const libdeflate_result r = libdeflate_gzip_decompress_ex(
      thread_decompressor(), in.data(), in.size(), out.data(), isize, &in_used, &out_used);
  if (r != LIBDEFLATE_SUCCESS) {
    out.clear();
    return make_error(ErrorCode::kBadGzip, r == LIBDEFLATE_INSUFFICIENT_SPACE
                                               ? "gzip size field is smaller than the data"
                                               : "corrupt or truncated gzip data");
  }
  if (in_used != in.size()) {
    out.clear();
    return make_error(ErrorCode::kBadGzip, "unexpected bytes after the gzip member", -1,
                      static_cast<std::int64_t>(in_used));
  }
  if (out_used != isize) {
    out.clear();
    return make_error(ErrorCode::kBadGzip, "gzip size field is larger than the data");
  }
  return {};
}

}  // namespace dsfill::codec
