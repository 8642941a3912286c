#include "codec/row_boundary.h"

#include "codec/row_boundary_loop.h"
#include "codec/simd_cap.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dsfill::codec {
namespace detail {
namespace {

// The baseline kernel: SSE2 (every x86-64 has it) or plain C++.
class BaseKernel {
 public:
  explicit BaseKernel(char quote) : quote_(quote) {}

#if defined(__SSE2__)
  BoundaryMasks classify(const char* p) const {
    const __m128i q = _mm_set1_epi8(quote_);
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    __m128i v[4];
    __m128i any_cr = _mm_setzero_si128();
    BoundaryMasks m{0, 0, 0};
    for (int i = 0; i < 4; ++i) {
      v[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
      m.quote |= lane_mask(v[i], q) << (16 * i);
      m.lf |= lane_mask(v[i], lf) << (16 * i);
      any_cr = _mm_or_si128(any_cr, _mm_cmpeq_epi8(v[i], cr));
    }
    // Most files have no CR at all (LF endings): skip building its mask then.
    if (_mm_movemask_epi8(any_cr) != 0) {
      for (int i = 0; i < 4; ++i) m.cr |= lane_mask(v[i], cr) << (16 * i);
    }
    return m;
  }
#else
  BoundaryMasks classify(const char* p) const {
    BoundaryMasks m{0, 0, 0};
    for (int i = 0; i < 64; ++i) {
      const std::uint64_t bit = std::uint64_t{1} << i;
      if (p[i] == quote_) m.quote |= bit;
      if (p[i] == '\n') m.lf |= bit;
      if (p[i] == '\r') m.cr |= bit;
    }
    return m;
  }
#endif

  std::uint64_t prefix_xor(std::uint64_t x) const {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
  }

  // Most blocks hold zero or one terminator; skip the popcount then (without -mpopcnt it is a
  // library call).
  std::size_t count(std::uint64_t x) const {
    return (x & (x - 1)) == 0 ? (x != 0) : static_cast<std::size_t>(__builtin_popcountll(x));
  }

 private:
#if defined(__SSE2__)
  static std::uint64_t lane_mask(__m128i v, __m128i needle) {
    return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)));
  }
#endif
  char quote_;
};

bool avx512_usable() {
  static const bool usable =
      simd_cap() == SimdCap::kAvx512 && record_cut_avx512_built() && cpu_has_avx512(kPclmul);
  return usable;
}

}  // namespace
}  // namespace detail

const char* find_record_cut_kernel() {
  if (detail::avx512_usable()) return "avx512";
#if defined(__SSE2__)
  return "sse2";
#else
  return "portable";
#endif
}

RecordCut find_record_cut(std::string_view block, std::size_t max_records, bool at_eof,
                          const CsvDialect& dialect) {
  if (detail::avx512_usable()) {
    return detail::find_record_cut_avx512(block, max_records, at_eof, dialect);
  }
  return detail::find_record_cut_with(detail::BaseKernel(dialect.quote), block, max_records, at_eof,
                                      dialect);
}

}  // namespace dsfill::codec
