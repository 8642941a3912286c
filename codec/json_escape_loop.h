// The inner loop of JSON string writing, shared by the string escaper (codec/json_text.cpp) and
// the CSV transcoder's two paths (codec/rows_json.cpp, codec/checked_rows.cpp): a raw output
// cursor, a SIMD copy of the bytes that need nothing, and the writer of runs of high bytes.
// Internal to codec/; the escapes themselves are codec/json_text.h's.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>

#include "codec/single_byte.h"
#include "codec/utf8.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dsfill::codec::detail {

// The output is written through a raw cursor (o, lim) held in locals, never in members: stores
// through char* may alias anything, so a cursor kept in memory would be reloaded after every byte.
struct OutSpan {
  char* o;
  char* lim;
};

// Grows `s` (whose bytes before `o` are written) to hold at least `k` more bytes.
[[gnu::noinline]] inline OutSpan grow_out(std::string& s, char* o, std::size_t k) {
  const auto used = static_cast<std::size_t>(o - s.data());
  s.resize(std::max(s.size() * 2, used + k + 64));
  return {s.data() + used, s.data() + s.size()};
}

// Starts writing at s[used] with room for `hint` bytes; the caller trims at the end. A string
// that is large enough already is not resized (so a reused buffer is not zero-filled again).
inline OutSpan open_out(std::string& s, std::size_t used, std::size_t hint) {
  hint = std::max<std::size_t>(hint, 64);
  if (s.size() < used + hint) s.resize(used + hint);
  return {s.data() + used, s.data() + s.size()};
}

// Makes room for `k` more output bytes; expects locals `out` (the string), `o` and `lim`.
// A macro rather than a function so that o and lim never have their address taken.
#define DSFILL_RESERVE(k)                                       \
  do {                                                          \
    if (static_cast<std::size_t>(lim - o) < (k)) [[unlikely]] { \
      const ::dsfill::codec::detail::OutSpan grown =            \
          ::dsfill::codec::detail::grow_out(out, o, (k));       \
      o = grown.o;                                              \
      lim = grown.lim;                                          \
    }                                                           \
  } while (0)

// The bytes a plain run stops at: control characters, '"', '\\', every byte >= 0x80 (they need
// escaping or UTF-8 attention), and the dialect's quote and (outside quotes) delimiter.
class PlainClasses {
 public:
  // Pass '"' as `delim` where the delimiter is data (inside quotes, plain JSON strings).
  PlainClasses(char quote, char delim) {
    for (int c = 0; c < 256; ++c) special_[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
    special_[static_cast<unsigned char>(quote)] = true;
    special_[static_cast<unsigned char>(delim)] = true;
#if defined(__SSE2__)
    q_ = _mm_set1_epi8(quote);
    d_ = _mm_set1_epi8(delim);
#endif
  }
  bool special(char c) const { return special_[static_cast<unsigned char>(c)]; }
#if defined(__SSE2__)
  // Returns a mask of the special bytes among the 16 at v.
  unsigned mask(__m128i v) const {
    // Signed compare: bytes >= 0x80 are negative, so one compare catches control and high bytes.
    const __m128i low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
    const __m128i json =
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    const __m128i csv = _mm_or_si128(_mm_cmpeq_epi8(v, q_), _mm_cmpeq_epi8(v, d_));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(low, _mm_or_si128(json, csv))));
  }
#endif

 private:
  bool special_[256];
#if defined(__SSE2__)
  __m128i q_;
  __m128i d_;
#endif
};

// Copies bytes from p to o while none is special; stops at the first special byte or at end.
// Inlined so that p, o and lim stay in registers.
[[gnu::always_inline]] inline void copy_plain(const char*& p, const char* end, char*& o, char*& lim,
                                              std::string& out, const PlainClasses& cls) {
#if defined(__SSE2__)
  while (end - p >= 16) {
    DSFILL_RESERVE(16);
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Store all 16 bytes first; the cursor then advances only over the plain ones.
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o), v);
    const unsigned mask = cls.mask(v);
    if (mask != 0) {
      const auto k = static_cast<unsigned>(__builtin_ctz(mask));
      p += k;
      o += k;
      return;
    }
    p += 16;
    o += 16;
  }
#endif
  for (;;) {
    DSFILL_RESERVE(16);
    for (int i = 0; i < 16; ++i) {
      if (p == end || cls.special(*p)) return;
      *o++ = *p++;
    }
  }
}

// What write_high_run hands back: where input and output stand, and whether the run was valid.
struct HighRun {
  const char* p;
  char* o;
  char* lim;
  bool ok;
};

// Writes the run of bytes >= 0x80 at p (sequences end at `end` at the latest) as UTF-8 text:
// converted by `table` for a single-byte encoding (codec/single_byte.h); else validated. An
// invalid subpart (or a byte the table leaves undefined) is written as U+FFFD when `replace`, or
// else (strict) stops the run there with ok false and p at the bad byte.
// Out of line: high bytes are rare in most files, and the copy loops keep their registers.
[[gnu::noinline]] inline HighRun write_high_run(const char* p, const char* end, char* o, char* lim,
                                                std::string& out, const HighByteTable* table,
                                                bool replace) {
  if (table != nullptr) {
    do {
      const HighByte& h = (*table)[static_cast<unsigned char>(*p) - 0x80];
      DSFILL_RESERVE(3);
      if (h.size != 0) {
        std::memcpy(o, h.utf8, 3);  // the room is reserved; only h.size bytes count
        o += h.size;
      } else if (replace) {
        std::memcpy(o, "\xEF\xBF\xBD", 3);
        o += 3;
      } else {
        return {p, o, lim, false};
      }
      ++p;
    } while (p < end && static_cast<unsigned char>(*p) >= 0x80);
    return {p, o, lim, true};
  }
  do {
    std::size_t bad = 1;
    const std::size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(p),
                                        reinterpret_cast<const unsigned char*>(end), bad);
    DSFILL_RESERVE(4);
    if (n != 0) {
      std::memcpy(o, p, n);
      o += n;
      p += n;
    } else if (replace) {
      std::memcpy(o, "\xEF\xBF\xBD", 3);
      o += 3;
      p += bad;
    } else {
      return {p, o, lim, false};
    }
  } while (p < end && static_cast<unsigned char>(*p) >= 0x80);
  return {p, o, lim, true};
}

}  // namespace dsfill::codec::detail
