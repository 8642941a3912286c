// The AVX-512 kernel of the transcoder's fast path (plain_records.h): one 64-byte compare per
// class, and a byte expand (VBMI2 vpexpandb) that writes 32 input bytes at a time into their
// output slots, with a '"' in each gap around a delimiter.
// Built with AVX-512 F/BW/VL/VBMI2, BMI2 and POPCNT; the dispatch table (simd_dispatch.h) calls it
// only when the CPU (and the OS) runs the whole avx512 set.
#include "codec/plain_records_loop.h"

#include <array>

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && \
    defined(__AVX512VBMI2__) && defined(__BMI2__) && defined(__POPCNT__)
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
  Avx512Kernel(char delim, char quote)
      : delim_(_mm512_set1_epi8(delim)),
        quote_(_mm512_set1_epi8(quote)),
        dquotes_(_mm512_set1_epi8('"')),
        commas_(_mm512_set1_epi8(',')) {}

  PlainBlock classify(const char* q) const {
    const __m512i v = _mm512_loadu_si512(q);
    const std::uint64_t controls = _mm512_cmplt_epu8_mask(v, _mm512_set1_epi8(0x20));
    return {_mm512_cmpeq_epi8_mask(v, delim_), _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n')),
            _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r')),
            controls | _mm512_cmpeq_epi8_mask(v, quote_) | _mm512_cmpeq_epi8_mask(v, dquotes_) |
                _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\')),
            _mm512_movepi8_mask(v)};
  }

  const char* write_steps(const char* from, const char* to, char*& o) const {
    while (to - from >= 32) {
      o = put(from, 32, o);
      from += 32;
    }
    return from;
  }

  // Never reads past `to`; writes up to 64 bytes past its output.
  char* write(const char* from, const char* to, char* o) const {
    from = write_steps(from, to, o);
    if (from < to) o = put(from, static_cast<unsigned>(to - from), o);
    return o;
  }

 private:
  // Writes the k (1..32) bytes at `from` at o; returns the output's end.
  char* put(const char* from, unsigned k, char* o) const {
    const std::uint64_t taken = _bzhi_u64(~std::uint64_t{0}, k);
    __m512i in = _mm512_maskz_loadu_epi8(taken, from);
    const auto dm = static_cast<std::uint32_t>(_mm512_mask_cmpeq_epi8_mask(taken, in, delim_));
    in = _mm512_mask_mov_epi8(in, dm, commas_);  // one uop: cheaper than testing for a comma
    const auto n = static_cast<unsigned>(__builtin_popcount(dm));
    if (n > 16) [[unlikely]] {
      // Over 16 delimiters among 32 bytes would not fit 64 output bytes: two halves.
      return put(from + 16, k - 16, put(from, 16, o));
    }
    const unsigned length = k + 2 * n;
    const std::uint64_t bits = _bzhi_u64(slot_bits32(dm), length);
    _mm512_storeu_si512(o, _mm512_mask_expand_epi8(dquotes_, bits, in));
    return o + length;
  }

  __m512i delim_;
  __m512i quote_;
  __m512i dquotes_;
  __m512i commas_;
};

}  // namespace

bool plain_records_avx512_built() { return true; }

PlainRun write_plain_records_avx512(const char*& p, const char* end, char*& out, const char* lim,
                                    bool first, std::size_t& expected, std::size_t max_record,
                                    char delim, char quote, bool utf8) {
  const Avx512Kernel kernel(delim, quote);
  return write_plain_records_with(kernel, p, end, out, lim, first, expected, max_record, utf8);
}

#else  // not built for AVX-512: never called

bool plain_records_avx512_built() { return false; }

PlainRun write_plain_records_avx512(const char*&, const char*, char*&, const char*, bool,
                                    std::size_t&, std::size_t, char, char, bool) {
  return {};
}

#endif

}  // namespace dsfill::codec::detail
