// The AVX-512 kernel of the transcoder's fast path (plain_records.h): one 64-byte compare per
// class, and a byte expand (VBMI2 vpexpandb) that writes 32 input bytes at a time into their
// output slots, with a '"' in each gap around a delimiter. It takes quoted fields too
// (plain_records_loop.h): a carry-less multiply finds the bytes inside quotes, and a byte
// compress (vpcompressb) drops the opening and closing quotes before the expand.
// Built with AVX-512 F/BW/VL/VBMI/VBMI2, BMI2, PCLMUL and POPCNT; the dispatch table
// (simd_dispatch.h) calls it only when the CPU (and the OS) runs the whole avx512 set.
#include "codec/plain_records_loop.h"

#include <array>

#include "codec/json_text.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) &&   \
    defined(__AVX512VBMI__) && defined(__AVX512VBMI2__) && defined(__BMI2__) && \
    defined(__PCLMUL__) && defined(__POPCNT__)
#include <immintrin.h>
#define DSFILL_PLAIN_AVX512 1
#endif

namespace dsfill::codec::detail {

#if DSFILL_PLAIN_AVX512

namespace {

// For each index of the classes of `kGroup` bytes (bit i: byte i is a delimiter, written gap,
// byte, gap; bit kGroup + i: byte i is escaped, written gap, byte): the output positions that take
// those bytes and the output length.
struct Slots {
  std::uint32_t bits;
  std::uint32_t length;
};

template <unsigned kGroup>
constexpr std::array<Slots, 256> make_slots() {
  std::array<Slots, 256> table{};
  for (unsigned mask = 0; mask < 256; ++mask) {
    unsigned pos = 0;
    std::uint32_t bits = 0;
    for (unsigned i = 0; i < kGroup; ++i) {
      const bool delim = ((mask >> i) & 1) != 0;
      const bool escaped = ((mask >> (kGroup + i)) & 1) != 0;
      pos += delim || escaped;
      bits |= 1u << pos++;
      pos += delim;
    }
    table[mask] = {bits, pos};
  }
  return table;
}

constexpr std::array<Slots, 256> kSlots = make_slots<8>();        // by the delimiters of 8 bytes
constexpr std::array<Slots, 256> kEscapeSlots = make_slots<4>();  // by those of 4, and escapes

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

// The same for 32 bytes with escaped bytes among them. REQUIRES: 2 * delimiters + escaped <= 32.
inline std::uint64_t slot_bits32(std::uint32_t dm, std::uint32_t em) {
  std::uint64_t bits = 0;
  unsigned pos = 0;
  for (unsigned i = 0; i < 32; i += 4) {
    const Slots& s = kEscapeSlots[((dm >> i) & 0xF) | (((em >> i) & 0xF) << 4)];
    bits |= std::uint64_t{s.bits} << pos;
    pos += s.length;
  }
  return bits;
}

// The letter of each ASCII byte's two-byte JSON escape (put_json_escape's), zero for the rest:
// vpermi2b's table of 128 bytes, in two halves.
struct EscapeLetters {
  __m512i low;
  __m512i high;
};

inline EscapeLetters make_escape_letters() {
  alignas(64) char table[128] = {};
  for (unsigned c = 0; c < 128; ++c) {
    char escape[6];
    if (needs_json_escape(c) &&
        put_json_escape(escape, static_cast<unsigned char>(c)) == escape + 2)
      table[c] = escape[1];
  }
  return {_mm512_load_si512(table), _mm512_load_si512(table + 64)};
}

// Built once: a kernel is made for each run of records.
inline const EscapeLetters& escape_letters_table() {
  static const EscapeLetters table = make_escape_letters();
  return table;
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

  std::uint64_t escapable(const char* q) const {
    const __m512i v = _mm512_loadu_si512(q);
    const __m512i letters = escape_letters(v);
    return _mm512_test_epi8_mask(letters, letters) & ~_mm512_movepi8_mask(v);
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
  // The masks of 32 bytes (bit i: byte i).
  struct Masks32 {
    std::uint32_t delims;
    std::uint32_t drop;
    std::uint32_t backslash;
    std::uint32_t escaped;
    Masks32 high_half() const { return {delims >> 16, drop >> 16, backslash >> 16, escaped >> 16}; }
  };

  // The escape letter of each ASCII byte of v (a high byte's is that of its low 7 bits).
  __m512i escape_letters(__m512i v) const {
    return _mm512_permutex2var_epi8(letters_.low, v, letters_.high);
  }

  // Writes the k (1..32) bytes at `from` at o as the window's masks say; returns the output's
  // end.
  char* put(const char* from, unsigned k, char* o, const MaskWindow& w) const {
    const auto at = static_cast<unsigned>(from - w.base);
    const auto bits = [&](std::uint64_t WriteMasks::*m) {
      return static_cast<std::uint32_t>(window_bits(w.prev.*m, w.cur.*m, at));
    };
    if (!w.prev.any_quoted() && !w.cur.any_quoted()) {
      // Nothing quoted or escaped near: most blocks of most files.
      return put_bits(from, k, o, {bits(&WriteMasks::delims), 0, 0, 0});
    }
    return put_bits(from, k, o,
                    {bits(&WriteMasks::delims), bits(&WriteMasks::drop),
                     bits(&WriteMasks::backslash), bits(&WriteMasks::escaped)});
  }

  // The same with the masks of those bytes (bits from k on are ignored).
  char* put_bits(const char* from, unsigned k, char* o, Masks32 m) const {
    const std::uint32_t taken = _bzhi_u32(~0u, k);
    m.delims &= taken;
    m.escaped &= taken;
    const auto n = static_cast<unsigned>(__builtin_popcount(m.delims));
    const auto e = static_cast<unsigned>(__builtin_popcount(m.escaped));
    if (2 * n + e > 32) [[unlikely]] {
      // The output of 32 bytes would not fit 64: two halves.
      o = put_bits(from, 16, o, m);
      return put_bits(from + 16, k - 16, o, m.high_half());
    }
    __m512i in = _mm512_maskz_loadu_epi8(taken, from);
    in = _mm512_mask_mov_epi8(in, m.delims, commas_);  // one uop: cheaper than testing for one
    if (((m.drop | m.backslash | m.escaped) & taken) == 0) {
      const unsigned length = k + 2 * n;
      const std::uint64_t slots = _bzhi_u64(slot_bits32(m.delims), length);
      _mm512_storeu_si512(o, _mm512_mask_expand_epi8(dquotes_, slots, in));
      return o + length;
    }
    in = _mm512_mask_mov_epi8(in, m.backslash, backslashes_);
    const std::uint32_t keep = taken & ~m.drop;
    const unsigned length = static_cast<unsigned>(__builtin_popcount(keep)) + 2 * n + e;
    if (m.escaped == 0) {  // quoted fields with nothing to escape: most of them
      in = _mm512_maskz_compress_epi8(keep, in);
      const std::uint64_t slots = _bzhi_u64(slot_bits32(_pext_u32(m.delims, keep)), length);
      _mm512_storeu_si512(o, _mm512_mask_expand_epi8(dquotes_, slots, in));
      return o + length;
    }
    in = _mm512_mask_mov_epi8(in, m.escaped, escape_letters(in));
    in = _mm512_maskz_compress_epi8(keep, in);
    const std::uint32_t escaped = _pext_u32(m.escaped, keep);
    const std::uint64_t slots = _bzhi_u64(slot_bits32(_pext_u32(m.delims, keep), escaped), length);
    __m512i json = _mm512_mask_expand_epi8(dquotes_, slots, in);
    // Each escape's gap, right before its letter, takes the backslash.
    json = _mm512_mask_mov_epi8(json, _pdep_u64(escaped, slots) >> 1, backslashes_);
    _mm512_storeu_si512(o, json);
    return o + length;
  }

  __m512i delim_;
  __m512i quote_;
  __m512i dquotes_;
  __m512i commas_;
  __m512i backslashes_;
  const EscapeLetters& letters_ = escape_letters_table();
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
