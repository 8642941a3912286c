#include "codec/gzip.h"

#include <libdeflate.h>

#include <algorithm>
#include <cstdint>
#include <new>

#if defined(DSFILL_HAVE_ISAL)
#include <isa-l/igzip_lib.h>
#endif

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

#if defined(DSFILL_HAVE_ISAL)
// ISA-L's stream and its level buffer, reused across calls (the buffer sized for level 3, the
// largest, so a level change never reallocates).
struct GzipCompressor::Isal {
  isal_zstream stream;
  std::unique_ptr<std::uint8_t[]> level_buf{new std::uint8_t[kIsalLevelBufSize]};
  static constexpr std::size_t kIsalLevelBufSize = ISAL_DEF_LVL3_DEFAULT;
};
#else
struct GzipCompressor::Isal {};
#endif

const char* gzip_backend_name(GzipBackend backend) {
  return backend == GzipBackend::kIsal ? "isal" : "libdeflate";
}

bool gzip_backend_available(GzipBackend backend) {
#if defined(DSFILL_HAVE_ISAL)
  (void)backend;
  return true;
#else
  return backend == GzipBackend::kLibdeflate;
#endif
}

GzipLevelRange gzip_level_range(GzipBackend backend) {
  return backend == GzipBackend::kIsal ? GzipLevelRange{0, 3} : GzipLevelRange{1, 12};
}

std::vector<GzipSetting> gzip_auto_steps() {
  std::vector<GzipSetting> steps;
  int first_libdeflate = 1;
  if (gzip_backend_available(GzipBackend::kIsal)) {
    for (int level = 1; level <= 3; ++level) steps.push_back({GzipBackend::kIsal, level});
    first_libdeflate = 2;
  }
  for (int level = first_libdeflate; level <= 12; ++level) {
    steps.push_back({GzipBackend::kLibdeflate, level});
  }
  return steps;
}

std::string gzip_setting_name(GzipSetting setting) {
  const std::string level = std::to_string(setting.level);
  return setting.backend == GzipBackend::kIsal
             ? std::string(gzip_backend_name(setting.backend)) + " " + level
             : level;
}

Result<GzipBackend> parse_gzip_backend(std::string_view name) {
  if (name == "libdeflate") return GzipBackend::kLibdeflate;
  if (name == "isal") {
    if (!gzip_backend_available(GzipBackend::kIsal)) {
      return make_error(ErrorCode::kBadArgument,
                        "this dsfill was built without ISA-L: --codec isal is unavailable "
                        "(install libisal-dev and rebuild)");
    }
    return GzipBackend::kIsal;
  }
  return make_error(ErrorCode::kBadArgument,
                    "unknown codec '" + std::string(name) + "' (use libdeflate or isal)");
}

GzipCompressor::GzipCompressor(int level, GzipBackend backend)
    // Clamp rather than fail: the constructor cannot return an error, and callers validate levels.
    : level_(std::clamp(level, 0, 12)),
      backend_(gzip_backend_available(backend) ? backend : GzipBackend::kLibdeflate) {
  if (backend_ == GzipBackend::kIsal) {
    isal_ = std::make_unique<Isal>();
  } else {
    libdeflate_for(level_);  // fail now, not in the first batch
  }
}

GzipCompressor::~GzipCompressor() {
  for (libdeflate_compressor* c : compressors_) libdeflate_free_compressor(c);
}

libdeflate_compressor* GzipCompressor::libdeflate_for(int level) {
  libdeflate_compressor*& c = compressors_[static_cast<std::size_t>(level)];
  if (c == nullptr) {
    c = libdeflate_alloc_compressor(level);
    if (c == nullptr) throw std::bad_alloc();
  }
  return c;
}

void GzipCompressor::set_level(int level) {
  level_ = std::clamp(level, 0, 12);
  if (backend_ == GzipBackend::kLibdeflate) libdeflate_for(level_);
}

void GzipCompressor::set_setting(GzipSetting setting) {
  if (!gzip_backend_available(setting.backend)) setting.backend = GzipBackend::kLibdeflate;
  if (setting.backend == GzipBackend::kIsal && !isal_) isal_ = std::make_unique<Isal>();
  backend_ = setting.backend;
  set_level(setting.level);
}

std::size_t GzipCompressor::bound(std::size_t n) const {
  if (backend_ == GzipBackend::kIsal) {
    // Stored blocks cost 5 bytes per 64 KiB; ISA-L's dynamic headers and the gzip framing add a
    // few hundred bytes. The margin is generous: this only sizes a reused scratch buffer.
    return n + n / 16 + 1024;
  }
  // Every libdeflate level has the same bound for the same size.
  return libdeflate_gzip_compress_bound(compressors_[static_cast<std::size_t>(level_)], n);
}

std::size_t GzipCompressor::compress(std::string_view in, std::string& out) {
  out.resize(bound(in.size()));
  const std::size_t n = compress_into(in, out.data(), out.size());
  out.resize(n);
  return n;
}

std::size_t GzipCompressor::compress_into(std::string_view in, char* out, std::size_t capacity) {
#if defined(DSFILL_HAVE_ISAL)
  if (backend_ == GzipBackend::kIsal) {
    // ISA-L counts in 32 bits; batches are far smaller, but refuse rather than truncate.
    if (in.size() > UINT32_MAX || capacity > UINT32_MAX) return 0;
    isal_zstream& s = isal_->stream;
    isal_deflate_init(&s);
    s.level = static_cast<std::uint32_t>(std::min(level_, 3));
    s.level_buf = s.level == 0 ? nullptr : isal_->level_buf.get();
    s.level_buf_size = s.level == 0 ? 0 : static_cast<std::uint32_t>(Isal::kIsalLevelBufSize);
    s.gzip_flag = IGZIP_GZIP;
    s.end_of_stream = 1;
    s.flush = NO_FLUSH;
    s.next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(in.data()));
    s.avail_in = static_cast<std::uint32_t>(in.size());
    s.next_out = reinterpret_cast<std::uint8_t*>(out);
    s.avail_out = static_cast<std::uint32_t>(capacity);
    if (isal_deflate(&s) != COMP_OK || s.internal_state.state != ZSTATE_END) return 0;
    return s.total_out;
  }
#endif
  return libdeflate_gzip_compress(compressors_[static_cast<std::size_t>(level_)], in.data(),
                                  in.size(), out, capacity);
}

Result<void> gunzip(std::string_view in, const GunzipLimits& limits, std::string& out) {
  // Clear `out` only on failure: resizing a reused buffer keeps its old bytes (no zero-fill of
  // the whole output, only of any growth), and the decompressor overwrites them all.
  const auto fail = [&out](Error e) {
    out.clear();
    return e;
  };
  if (in.size() < kMinGzipSize) {
    return fail(make_error(ErrorCode::kBadGzip,
                           "gzip data too short: " + std::to_string(in.size()) + " bytes"));
  }
  // Check the magic and method first, so data that is not gzip at all is named as such rather
  // than refused for whatever size its last four bytes happen to spell.
  if (static_cast<unsigned char>(in[0]) != 0x1f || static_cast<unsigned char>(in[1]) != 0x8b ||
      in[2] != 8) {
    return fail(make_error(ErrorCode::kBadGzip, "not gzip data (bad magic or method)", -1, 0));
  }
  // Trust ISIZE only to size the buffer and to refuse early: a lying ISIZE makes the exact-size
  // decompression below fail, so it can never make us allocate more than the limits allow.
  const std::size_t isize = load_le32(in.data() + in.size() - 4);
  if (isize > limits.max_output) {
    return fail(make_error(ErrorCode::kTooLarge, "gzip output of " + std::to_string(isize) +
                                                     " bytes exceeds the decoded-size limit of " +
                                                     std::to_string(limits.max_output)));
  }
  if (limits.max_ratio > 0 &&
      static_cast<double>(isize) > limits.max_ratio * static_cast<double>(in.size())) {
    return fail(make_error(ErrorCode::kTooLarge,
                           "gzip expansion from " + std::to_string(in.size()) + " to " +
                               std::to_string(isize) + " bytes exceeds the ratio limit"));
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
