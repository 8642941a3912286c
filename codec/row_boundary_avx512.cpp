// The AVX-512 kernel of find_record_cut (row_boundary.h): one 64-byte compare per class, the
// quote parity by carry-less multiply, and the POPCNT instruction. Built with AVX-512 F/BW,
// PCLMUL and POPCNT; the dispatch table (simd_dispatch.h) calls it only when the CPU (and the
// OS) runs the whole avx512 set.
#include "codec/row_boundary_loop.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__PCLMUL__) && defined(__POPCNT__)
#include <immintrin.h>
#define DSFILL_CUT_AVX512 1
#endif

namespace dsfill::codec::detail {

#if DSFILL_CUT_AVX512

namespace {

class Avx512Kernel {
 public:
  explicit Avx512Kernel(char quote) : quote_(_mm512_set1_epi8(quote)) {}

  BoundaryMasks classify(const char* p) const {
    const __m512i v = _mm512_loadu_si512(p);
    return {_mm512_cmpeq_epi8_mask(v, quote_), _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n')),
            _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r'))};
  }

  // Multiplying by all ones without carries XORs every bit into all the bits above it.
  std::uint64_t prefix_xor(std::uint64_t x) const {
    const __m128i product =
        _mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(x)), _mm_set1_epi8(-1), 0);
    return static_cast<std::uint64_t>(_mm_cvtsi128_si64(product));
  }

  std::size_t count(std::uint64_t x) const {
    return static_cast<std::size_t>(__builtin_popcountll(x));
  }

 private:
  __m512i quote_;
};

}  // namespace

bool record_cut_avx512_built() { return true; }

RecordCut find_record_cut_avx512(std::string_view block, std::size_t max_records, bool at_eof,
                                 const CsvDialect& dialect, bool padded) {
  return find_record_cut_with(Avx512Kernel(dialect.quote), block, max_records, at_eof, padded);
}

#else  // not built for AVX-512: never called

bool record_cut_avx512_built() { return false; }

RecordCut find_record_cut_avx512(std::string_view, std::size_t, bool, const CsvDialect&, bool) {
  return {};
}

#endif

}  // namespace dsfill::codec::detail
