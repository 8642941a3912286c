// The SSSE3 kernel of the transcoder's fast path (plain_records.h): 16-byte classification and
// an 8-byte table-driven shuffle (pshufb) that writes each delimiter as `","`.
// Built with -mssse3 -mpopcnt; the dispatch table (simd_dispatch.h) calls it only when the CPU
// has both.
#include "codec/plain_records_loop.h"

#include <array>

#if defined(__SSSE3__) && defined(__POPCNT__)
#include <tmmintrin.h>
#define DSFILL_PLAIN_SSSE3 1
#endif

namespace dsfill::codec::detail {

#if DSFILL_PLAIN_SSSE3

namespace {

// For each mask of delimiters among 8 bytes: the shuffle controls that write those bytes with
// every delimiter as `","`, from a source vector holding the 8 bytes in lanes 0-7, '"' in lane
// 8 and ',' in lane 9; and the output length (8 + 2 per delimiter).
struct Expansion {
  std::array<std::uint8_t, 32> lanes;
  std::uint32_t length;
};

constexpr std::array<Expansion, 256> make_expansions() {
  std::array<Expansion, 256> table{};
  for (unsigned mask = 0; mask < 256; ++mask) {
    Expansion e{};
    unsigned n = 0;
    for (unsigned i = 0; i < 8; ++i) {
      if ((mask >> i) & 1) {
        e.lanes[n++] = 8;
        e.lanes[n++] = 9;
        e.lanes[n++] = 8;
      } else {
        e.lanes[n++] = static_cast<std::uint8_t>(i);
      }
    }
    for (unsigned i = n; i < 32; ++i) e.lanes[i] = 0x80;  // writes 0; overwritten later
    e.length = n;
    table[mask] = e;
  }
  return table;
}

constexpr std::array<Expansion, 256> kExpansions = make_expansions();

inline std::uint64_t mask16(__m128i v, unsigned shift) {
  return std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(v))} << shift;
}

class Ssse3Kernel {
 public:
  // Quoted records go the general way: a byte shuffle per 8 bytes has no cheap way to drop
  // bytes. The masks of a MaskWindow are then delimiters only, which write() finds itself.
  static constexpr bool kQuotedFields = false;

  Ssse3Kernel(char delim, char quote)
      : delim_(_mm_set1_epi8(delim)),
        quote_(_mm_set1_epi8(quote)),
        extra_(_mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, '"', ',', 0, 0, 0, 0, 0, 0)) {}

  PlainBlock classify(const char* q) const {
    PlainBlock b{0, 0, 0, 0, 0, 0};
    for (unsigned i = 0; i < 4; ++i) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 16 * i));
      // Control bytes are 0..0x1F: below 0x20 signed, and not negative (high bytes are).
      const __m128i low = _mm_andnot_si128(_mm_cmplt_epi8(v, _mm_setzero_si128()),
                                           _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
      b.high |= mask16(v, 16 * i);
      const __m128i bad = _mm_or_si128(_mm_or_si128(low, _mm_cmpeq_epi8(v, quote_)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
      b.delims |= mask16(_mm_cmpeq_epi8(v, delim_), 16 * i);
      b.lfs |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), 16 * i);
      b.crs |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')), 16 * i);
      b.odd |= mask16(bad, 16 * i);
    }
    return b;
  }

  const char* write_steps(const char* from, const char* to, char*& o, const MaskWindow&) const {
    return write_steps(from, to, o);
  }
  const char* write_steps(const char* from, const char* to, char*& o) const {
    while (to - from >= 8) {
      o += shuffle(from, group_mask(from), o);
      from += 8;
    }
    return from;
  }

  // Reads up to 7 bytes past `to`; writes up to 31 bytes past its output.
  char* write(const char* from, const char* to, char* o, const MaskWindow&) const {
    from = write_steps(from, to, o);
    if (from < to) {
      const auto k = static_cast<unsigned>(to - from);
      const unsigned mask = group_mask(from) & ((1u << k) - 1);
      shuffle(from, mask, o);
      o += k + 2 * static_cast<unsigned>(__builtin_popcount(mask));
    }
    return o;
  }

 private:
  unsigned group_mask(const char* at) const {
    const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(at));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, delim_))) & 0xFF;
  }
  // Writes the expansion of the 8 bytes at `at` (delimiters `mask`); returns its full length.
  unsigned shuffle(const char* at, unsigned mask, char* o) const {
    const Expansion& e = kExpansions[mask];
    const __m128i v = _mm_or_si128(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(at)), extra_);
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(e.lanes.data()));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(e.lanes.data() + 16));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o), _mm_shuffle_epi8(v, lo));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o + 16), _mm_shuffle_epi8(v, hi));
    return e.length;
  }

  __m128i delim_;
  __m128i quote_;
  __m128i extra_;
};

}  // namespace

bool plain_records_ssse3_built() { return true; }

PlainRun write_plain_records_ssse3(const char*& p, const char* end, char*& out, const char* lim,
                                   bool first, std::size_t& expected, std::size_t max_record,
                                   char delim, char quote, bool utf8) {
  const Ssse3Kernel kernel(delim, quote);
  return write_plain_records_with(kernel, p, end, out, lim, first, expected, max_record, delim,
                                  quote, utf8);
}

#else  // not built for SSSE3: never called

bool plain_records_ssse3_built() { return false; }

PlainRun write_plain_records_ssse3(const char*&, const char*, char*&, const char*, bool,
                                   std::size_t&, std::size_t, char, char, bool) {
  return {};
}

#endif

}  // namespace dsfill::codec::detail
