// The AVX-512 kernel of the transcoder's fast path (plain_records.h): one 64-byte compare per
// class, and a byte expand (VBMI2 vpexpandb) that writes 32 input bytes at a time into their
// output slots, with a '"' in each gap around a delimiter. It takes quoted fields too
// (plain_records_loop.h): a carry-less multiply finds the bytes inside quotes, and a byte
// compress (vpcompressb) drops the opening and closing quotes before the expand.
// Built with AVX-512 F/BW/VL/VBMI2, BMI2, PCLMUL and POPCNT; the dispatch table (simd_dispatch.h)
// calls it only when the CPU (and the OS) runs the whole avx512 set.
#include "codec/plain_records_loop.h"

#include <array>

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && \
    defined(__AVX512VBMI2__) && defined(__BMI2__) && defined(__PCLMUL__) && defined(__POPCNT__)
#include <immintrin.h>
#define DSFILL_PLAIN_AVX512 1
#endif

namespace dsfill::codec::detail {

#if DSFILL_PLAIN_AVX512

namespace {

// For each mask of delimiters among 8 bytes: the output positions that take those bytes (a
// delimiter's slot is gap, byte, gap) and the output length (8 + 2 per delimiter).
struct Slots {
  std::uint32_t bits;
  std::uint32_t length;
};

constexpr std::array<Slots, 256> make_slots() {
  std::array<Slots, 256> table{};
  for (unsigned mask = 0; mask < 256; ++mask) {
    unsigned pos = 0;
    std::uint32_t bits = 0;
    for (unsigned i = 0; i < 8; ++i) {
      const bool delim = ((mask >> i) & 1) != 0;
      pos += delim;
      bits |= 1u << pos++;
      pos += delim;
    }
    table[mask] = {bits, pos};
  }
  return table;
}

constexpr std::array<Slots, 256> kSlots = make_slots();

// The output positions of 32 input bytes whose delimiters are `dm`. REQUIRES: at most 16 of
// them are delimiters (the output then fits 64 bytes).
inline std::uint64_t slot_bits32(std::uint32_t dm) {
  const Slots& a = kSlots[dm & 0xFF];
  const Slots& b = kSlots[(dm >> 8) & 0xFF];
  const Slots& c = kSlots[(dm >> 16) & 0xFF];
  const Slots& d = kSlots[dm >> 24];
  const unsigned ab = a.length + b.length;
  return a.bits | (std::uint64_t{b.bits} << a.length) | (std::uint64_t{c.bits} << ab) |
         (std::uint64_t{d.bits} << (ab + c.length));
}

class Avx512Kernel {
 public:
  static constexpr bool kQuotedFields = true;

  Avx512Kernel(char delim, char quote)
      : delim_(_mm512_set1_epi8(delim)),
        quote_(_mm512_set1_epi8(quote)),
        dquotes_(_mm512_set1_epi8('"')),
        commas_(_mm512_set1_epi8(',')),
        backslashes_(_mm512_set1_epi8('\\')) {}

  PlainBlock classify(const char* q) const {
    const __m512i v = _mm512_loadu_si512(q);
    const std::uint64_t controls = _mm512_cmplt_epu8_mask(v, _mm512_set1_epi8(0x20));
    const std::uint64_t quotes = _mm512_cmpeq_epi8_mask(v, quote_);
    return {_mm512_cmpeq_epi8_mask(v, delim_),
            _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n')),
            _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r')),
            controls | quotes | _mm512_cmpeq_epi8_mask(v, dquotes_) |
                _mm512_cmpeq_epi8_mask(v, backslashes_),
            _mm512_movepi8_mask(v),
            quotes};
  }

  std::uint64_t prefix_xor(std::uint64_t x) const {
    const __m128i product =
        _mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(x)), _mm_set1_epi8(-1), 0);
    return static_cast<std::uint64_t>(_mm_cvtsi128_si64(product));
  }

  const char* write_steps(const char* from, const char* to, char*& o, const MaskWindow& w) const {
    while (to - from >= 32) {
      o = put(from, 32, o, w);
      from += 32;
    }
    return from;
  }

  // Never reads past `to`; writes up to 64 bytes past its output.
  char* write(const char* from, const char* to, char* o, const MaskWindow& w) const {
    from = write_steps(from, to, o, w);
    if (from < to) o = put(from, static_cast<unsigned>(to - from), o, w);
    return o;
  }

 private:
  // Writes the k (1..32) bytes at `from` at o as the window's masks say; returns the output's
  // end.
  char* put(const char* from, unsigned k, char* o, const MaskWindow& w) const {
    const auto at = static_cast<unsigned>(from - w.base);
    const auto delims = static_cast<std::uint32_t>(window_bits(w.prev.delims, w.cur.delims, at));
    if (((w.prev.drop | w.prev.escape | w.cur.drop | w.cur.escape)) == 0) {
      return put_bits(from, k, o, delims, 0, 0);  // no quoted field near: most blocks of most files
    }
    return put_bits(from, k, o, delims,
                    static_cast<std::uint32_t>(window_bits(w.prev.drop, w.cur.drop, at)),
                    static_cast<std::uint32_t>(window_bits(w.prev.escape, w.cur.escape, at)));
  }

  // The same with the masks of those bytes (bit i: from[i]; bits from k on are ignored).
  char* put_bits(const char* from, unsigned k, char* o, std::uint32_t delims, std::uint32_t drop,
                 std::uint32_t escape) const {
    const std::uint32_t taken = _bzhi_u32(~0u, k);
    delims &= taken;
    const auto n = static_cast<unsigned>(__builtin_popcount(delims));
    if (n > 16) [[unlikely]] {
      // Over 16 delimiters among 32 bytes would not fit 64 output bytes: two halves.
      o = put_bits(from, 16, o, delims, drop, escape);
      return put_bits(from + 16, k - 16, o, delims >> 16, drop >> 16, escape >> 16);
    }
    __m512i in = _mm512_maskz_loadu_epi8(taken, from);
    in = _mm512_mask_mov_epi8(in, delims, commas_);  // one uop: cheaper than testing for a comma
    if (((drop | escape) & taken) != 0) {
      in = _mm512_mask_mov_epi8(in, escape, backslashes_);
      const std::uint32_t keep = taken & ~drop;
      in = _mm512_maskz_compress_epi8(keep, in);
      delims = _pext_u32(delims, keep);
      k = static_cast<unsigned>(__builtin_popcount(keep));
    }
    const unsigned length = k + 2 * n;
    const std::uint64_t bits = _bzhi_u64(slot_bits32(delims), length);
    _mm512_storeu_si512(o, _mm512_mask_expand_epi8(dquotes_, bits, in));
    return o + length;
  }

  __m512i delim_;
  __m512i quote_;
  __m512i dquotes_;
  __m512i commas_;
  __m512i backslashes_;
};

}  // namespace

bool plain_records_avx512_built() { return true; }

PlainRun write_plain_records_avx512(const char*& p, const char* end, char*& out, const char* lim,
                                    bool first, std::size_t& expected, std::size_t max_record,
                                    char delim, char quote, bool utf8) {
  const Avx512Kernel kernel(delim, quote);
  return write_plain_records_with(kernel, p, end, out, lim, first, expected, max_record, delim,
                                  quote, utf8);
}

#else  // not built for AVX-512: never called

bool plain_records_avx512_built() { return false; }

PlainRun write_plain_records_avx512(const char*&, const char*, char*&, const char*, bool,
                                    std::size_t&, std::size_t, char, char, bool) {
  return {};
}

#endif

}  // namespace dsfill::codec::detail
