// The ssse3 set's kernel of find_record_cut (row_boundary.h): 16-byte SSE2 compares (SSE2 is
// all it needs) and the POPCNT instruction. Built with -mssse3 -mpopcnt; the dispatch table
// (simd_dispatch.h) calls it only when the CPU has both.
#include "codec/row_boundary_loop.h"

#if defined(__SSE2__) && defined(__POPCNT__)
#include <emmintrin.h>
#define DSFILL_CUT_SSSE3 1
#endif

namespace dsfill::codec::detail {

#if DSFILL_CUT_SSSE3

namespace {

class Sse2Kernel {
 public:
  explicit Sse2Kernel(char quote) : quote_(quote) {}

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

  std::uint64_t prefix_xor(std::uint64_t x) const { return prefix_xor_by_shifts(x); }

  std::size_t count(std::uint64_t x) const {
    return static_cast<std::size_t>(__builtin_popcountll(x));
  }

 private:
  static std::uint64_t lane_mask(__m128i v, __m128i needle) {
    return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)));
  }
  char quote_;
};

}  // namespace

bool record_cut_ssse3_built() { return true; }

RecordCut find_record_cut_ssse3(std::string_view block, std::size_t max_records, bool at_eof,
                                const CsvDialect& dialect, bool padded) {
  return find_record_cut_with(Sse2Kernel(dialect.quote), block, max_records, at_eof, padded);
}

#else  // not built for SSE2: never called

bool record_cut_ssse3_built() { return false; }

RecordCut find_record_cut_ssse3(std::string_view, std::size_t, bool, const CsvDialect&, bool) {
  return {};
}

#endif

}  // namespace dsfill::codec::detail
