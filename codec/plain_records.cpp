#include "codec/plain_records.h"

#include <array>
#include <cstring>

#if defined(__SSSE3__) && defined(__POPCNT__)
#include <tmmintrin.h>
#define DSFILL_PLAIN_RECORDS 1
#endif

namespace dsfill::codec::detail {

#if DSFILL_PLAIN_RECORDS

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

inline std::uint64_t bits_from(unsigned at) { return at >= 64 ? 0 : ~std::uint64_t{0} << at; }

inline std::uint64_t mask16(__m128i v, unsigned shift) {
  return std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(v))} << shift;
}

class Expander {
 public:
  explicit Expander(char delim)
      : delim_(_mm_set1_epi8(delim)),
        extra_(_mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, '"', ',', 0, 0, 0, 0, 0, 0)) {}

  // Writes [from, to) at o with each delimiter as `","` and returns the end of that output.
  // Reads up to 7 bytes past `to`; writes up to 31 bytes past its output (later writes
  // overwrite them).
  inline char* write(const char* from, const char* to, char* o) const {
    while (to - from >= 8) {
      const unsigned mask = group_mask(from);
      o += shuffle(from, mask, o);
      from += 8;
    }
    if (from < to) {
      const auto k = static_cast<unsigned>(to - from);
      const unsigned mask = group_mask(from) & ((1u << k) - 1);
      shuffle(from, mask, o);
      o += k + 2 * static_cast<unsigned>(__builtin_popcount(mask));
    }
    return o;
  }

 private:
  inline unsigned group_mask(const char* at) const {
    const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(at));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, delim_))) & 0xFF;
  }
  // Writes the expansion of the 8 bytes at `at` (delimiters `mask`); returns its full length.
  inline unsigned shuffle(const char* at, unsigned mask, char* o) const {
    const Expansion& e = kExpansions[mask];
    const __m128i v = _mm_or_si128(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(at)), extra_);
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(e.lanes.data()));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(e.lanes.data() + 16));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o), _mm_shuffle_epi8(v, lo));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o + 16), _mm_shuffle_epi8(v, hi));
    return e.length;
  }

  __m128i delim_;
  __m128i extra_;
};

}  // namespace

bool plain_records_supported() {
  static const bool supported =
      __builtin_cpu_supports("ssse3") != 0 && __builtin_cpu_supports("popcnt") != 0;
  return supported;
}

PlainRun write_plain_records(const char*& p, const char* end, char*& out, const char* lim,
                             bool first, std::size_t& expected, char delim, char quote,
                             bool high_ok) {
  PlainRun done;
  if (end - p < static_cast<std::ptrdiff_t>(kPlainMinInput)) return done;
  // The cursor lives in a local: through the reference it would be stored and reloaded around
  // every write (a char store may alias it).
  char* o = out;
  std::size_t want = expected;
  const Expander expand(delim);
  const __m128i delim_v = _mm_set1_epi8(delim);
  const __m128i quote_v = _mm_set1_epi8(quote);
  const char* rec = p;  // the record being written
  char* rec_o = o;      // where its output starts (its comma, if any)
  const char* seg = p;  // its first byte not yet written
  std::size_t fields = 1;
  const char* q = p;  // the block being classified
  const auto open_record = [&o](bool first_record) {
    if (!first_record) *o++ = ',';
    std::memcpy(o, "[\"", 2);
    o += 2;
  };
  open_record(first);
  while (end - q >= static_cast<std::ptrdiff_t>(kPlainMinInput)) {
    if (lim - o < static_cast<std::ptrdiff_t>(kPlainBlockRoom)) {
      done.need_room = true;
      break;
    }
    std::uint64_t d = 0, lf = 0, cr = 0, odd = 0;
    for (unsigned i = 0; i < 4; ++i) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 16 * i));
      // Signed compare: bytes >= 0x80 are negative, so one compare catches control and high.
      __m128i low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
      if (high_ok) low = _mm_and_si128(low, _mm_cmpgt_epi8(v, _mm_set1_epi8(-1)));
      const __m128i bad = _mm_or_si128(_mm_or_si128(low, _mm_cmpeq_epi8(v, quote_v)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
      d |= mask16(_mm_cmpeq_epi8(v, delim_v), 16 * i);
      lf |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), 16 * i);
      cr |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')), 16 * i);
      odd |= mask16(bad, 16 * i);
    }
    // A CR is plain only right before an LF (a CRLF terminator); q[64] is the byte after.
    const std::uint64_t crlf = cr & ((lf >> 1) | (std::uint64_t{q[64] == '\n'} << 63));
    odd &= ~(d | lf | crlf);  // a tab delimiter is a control byte, but not an odd one
    // Terminators past the first odd byte are not taken: its record goes the general way.
    const std::uint64_t usable = odd != 0 ? (odd & (0 - odd)) - 1 : ~std::uint64_t{0};
    unsigned from = seg > q ? static_cast<unsigned>(seg - q) : 0;  // first bit not counted
    for (std::uint64_t m = lf & usable; m != 0; m &= m - 1) {
      const auto bit = static_cast<unsigned>(__builtin_ctzll(m));
      const char* at = q + bit;
      fields +=
          static_cast<std::size_t>(__builtin_popcountll(d & bits_from(from) & ~bits_from(bit)));
      const char* content_end = at > seg && at[-1] == '\r' ? at - 1 : at;
      if (fields == 1 && content_end == rec) {
        o = rec_o;  // a blank line: take its opening back
      } else {
        if (want == 0) want = fields;
        if (fields != want) {  // ragged: the general path names the error
          expected = want;
          out = rec_o;
          p = rec;
          return done;
        }
        o = expand.write(seg, content_end, o);
        std::memcpy(o, "\"]", 2);
        o += 2;
        ++done.rows;
        first = false;
      }
      ++done.physical;
      rec = seg = at + 1;
      from = bit + 1;
      rec_o = o;
      fields = 1;
      open_record(first);
    }
    if (odd != 0) break;
    fields += static_cast<std::size_t>(__builtin_popcountll(d & bits_from(from)));
    // Write this block's part of the record; a CR in its last byte that starts a CRLF stays
    // behind (the terminator's test above drops it).
    const char* upto = q + 64 - (crlf >> 63);
    o = expand.write(seg, upto, o);
    seg = upto;
    q += 64;
  }
  out = rec_o;  // take back the opening (and any bytes) of the unfinished record
  expected = want;
  p = rec;
  return done;
}

#else  // no SSSE3/POPCNT build: the general path does all the work

bool plain_records_supported() { return false; }

PlainRun write_plain_records(const char*&, const char*, char*&, const char*, bool, std::size_t&,
                             char, char, bool) {
  return {};
}

#endif

}  // namespace dsfill::codec::detail
