// gzip (RFC 1952): whole-buffer compression through libdeflate (or, optionally, Intel ISA-L),
// and capped decompression through libdeflate.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

struct libdeflate_compressor;
struct libdeflate_decompressor;

namespace dsfill::codec {

inline constexpr int kDefaultGzipLevel = 6;

// Which deflate implementation compresses. Both write standard single-member gzip that any
// gunzip (Python's gzip module included) decodes; only speed and size differ.
enum class GzipBackend : std::uint8_t {
  kLibdeflate,  // levels 0 (store) to 12 (smallest); the default
  kIsal,        // Intel ISA-L: its levels 0-3 (0 the fastest); higher levels act as 3
};

// Returns "libdeflate" or "isal".
const char* gzip_backend_name(GzipBackend backend);

// Returns true if this build can use `backend` (ISA-L is optional at build time).
bool gzip_backend_available(GzipBackend backend);

// The levels worth choosing between with `backend`, fastest first: libdeflate 1 to 12 (0 only
// stores), ISA-L 0 to 3 (above 3 it acts as 3). --level auto moves within them.
struct GzipLevelRange {
  int fastest;
  int smallest;
};
GzipLevelRange gzip_level_range(GzipBackend backend);

// One deflate choice: a backend and one of its levels.
struct GzipSetting {
  GzipBackend backend = GzipBackend::kLibdeflate;
  int level = kDefaultGzipLevel;
  bool operator==(const GzipSetting&) const = default;
};

// The steps --level auto walks with --codec auto, fastest first, each compressing smaller than
// the one before. Where this build has ISA-L: its levels 1-3, then libdeflate's 2-12 (ISA-L 3
// measured faster than libdeflate 1 at as good a ratio; ISA-L 0 gives up 12-14% of the ratio for
// under 20% more speed: bench/profile_notes.md, round 5). Otherwise libdeflate's 1-12.
std::vector<GzipSetting> gzip_auto_steps();

// "isal 2" for ISA-L, the bare level ("6") for libdeflate, as --level names it.
std::string gzip_setting_name(GzipSetting setting);

// Returns the backend named `name` ("libdeflate" or "isal"). Fails with kBadArgument for other
// names and for "isal" when this build has no ISA-L.
Result<GzipBackend> parse_gzip_backend(std::string_view name);

// Owns the compressor state of one backend; one per encoder thread (not thread-safe).
class GzipCompressor {
 public:
  // REQUIRES: 0 <= level <= 12 (out-of-range levels are clamped).
  // REQUIRES: gzip_backend_available(backend); otherwise libdeflate is used.
  explicit GzipCompressor(int level = kDefaultGzipLevel,
                          GzipBackend backend = GzipBackend::kLibdeflate);
  ~GzipCompressor();
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;

  int level() const { return level_; }
  GzipBackend backend() const { return backend_; }
  // Switches the level for later calls (--level auto). State for each level used is kept, so
  // switching back and forth allocates only the first time.
  void set_level(int level);
  // Switches backend and level for later calls (--level auto with --codec auto). A backend this
  // build lacks is replaced by libdeflate.
  void set_setting(GzipSetting setting);
  // Returns an upper bound of the gzip size of `n` input bytes.
  std::size_t bound(std::size_t n) const;
  // Compresses `in` as one gzip member into `out` (resized to fit); returns its size.
  std::size_t compress(std::string_view in, std::string& out);
  // Compresses `in` into `out`, which must hold bound(in.size()) bytes; returns the size
  // written, or 0 if it did not fit.
  std::size_t compress_into(std::string_view in, char* out, std::size_t capacity);

 private:
  struct Isal;
  libdeflate_compressor* libdeflate_for(int level);

  int level_;
  GzipBackend backend_;
  std::array<libdeflate_compressor*, 13> compressors_{};  // per level, allocated on first use
  std::unique_ptr<Isal> isal_;
};

struct GunzipLimits {
  std::size_t max_output = 256u << 20;  // decompressed bytes: the bound on memory
  double max_ratio = 0;                 // decompressed / compressed; 0: no ratio limit
};

// Decompresses exactly one gzip member from `in` into `out` (replaced). The output buffer is
// sized from ISIZE (at most limits.max_output) and libdeflate stops where it is full, so memory is
// bounded by max_output whatever the data claims or expands to: that cap, not the ratio, is the
// defence against gzip bombs (real data repeating one character compresses 1000:1 too).
// Fails with kBadGzip on
// corrupt or truncated data or bytes after the member (concatenated members included), and with
// kTooLarge, before allocating, when the output would exceed the limits. The output size is taken
// from the trailing ISIZE field (checked against the data afterwards), so trailing garbage that
// reads as a huge size is refused as kTooLarge rather than kBadGzip. Never allocates more than
// limits.max_output bytes for the output. Outputs of 4 GiB or more (ISIZE wraps) are refused.
// Thread-safe: each thread uses its own libdeflate decompressor.
Result<void> gunzip(std::string_view in, const GunzipLimits& limits, std::string& out);

}  // namespace dsfill::codec
