#include "codec/row_boundary.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dsfill::codec {
namespace {

// Bit i of each mask stands for byte i of a 64-byte block.
struct BlockMasks {
  std::uint64_t quote;
  std::uint64_t lf;
  std::uint64_t cr;
};

#if defined(__SSE2__)
inline std::uint64_t lane_mask(__m128i v, __m128i needle) {
  return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)));
}

inline BlockMasks classify(const char* p, char quote) {
  const __m128i q = _mm_set1_epi8(quote);
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  __m128i v[4];
  __m128i any_cr = _mm_setzero_si128();
  BlockMasks m{0, 0, 0};
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
// Portable fallback: one pass per byte, same masks.
inline BlockMasks classify(const char* p, char quote) {
  BlockMasks m{0, 0, 0};
  for (int i = 0; i < 64; ++i) {
    const std::uint64_t bit = std::uint64_t{1} << i;
    if (p[i] == quote) m.quote |= bit;
    if (p[i] == '\n') m.lf |= bit;
    if (p[i] == '\r') m.cr |= bit;
  }
  return m;
}
#endif

// Returns a mask whose bit i is the XOR of bits 0..i of `x`: 1 from an opening quote up to (not
// including) its closing quote.
inline std::uint64_t prefix_xor(std::uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

}  // namespace

RecordCut find_record_cut(std::string_view block, std::size_t max_records, bool at_eof,
                          const CsvDialect& dialect) {
  RecordCut cut;
  const char* data = block.data();
  std::size_t len = block.size();
  // A CR at the very end may be the first half of a CRLF whose LF is not read yet: leave its
  // record for the next call (the bytes before it are then an incomplete record).
  if (!at_eof && len > 0 && data[len - 1] == '\r') --len;
  if (max_records == 0 || len == 0) return cut;

  std::uint64_t in_quote = 0;  // all ones while a quoted field is open at the block start
  std::uint64_t prev_cr = 0;   // 1 if the previous block ended with an unquoted CR
  std::size_t records = 0;
  std::size_t last_term = SIZE_MAX;  // offset of the last terminator byte taken

  char pad[64];
  const char filler = dialect.quote == '\0' ? 'x' : '\0';
  for (std::size_t base = 0; base < len; base += 64) {
    BlockMasks m;
    std::uint64_t valid = ~std::uint64_t{0};
    if (len - base >= 64) {
      m = classify(data + base, dialect.quote);
    } else {
      const std::size_t tail = len - base;
      std::memset(pad, filler, sizeof pad);
      std::memcpy(pad, data + base, tail);
      m = classify(pad, dialect.quote);
      valid = (std::uint64_t{1} << tail) - 1;
    }
    const std::uint64_t quoted = prefix_xor(m.quote) ^ in_quote;
    const std::uint64_t cr = m.cr & ~quoted & valid;
    // An LF right after an unquoted CR completes a CRLF: one terminator, counted at the CR.
    const std::uint64_t lf = m.lf & ~quoted & valid & ~((cr << 1) | prev_cr);
    std::uint64_t terms = cr | lf;
    // Most blocks hold zero or one terminator; skip the popcount then (without -mpopcnt it is
    // a library call).
    const std::size_t count = (terms & (terms - 1)) == 0
                                  ? (terms != 0)
                                  : static_cast<std::size_t>(__builtin_popcountll(terms));
    if (records + count >= max_records) {
      // The max_records-th terminator is in this block: find it.
      for (std::size_t k = max_records - records; k > 1; --k) terms &= terms - 1;
      last_term = base + static_cast<std::size_t>(__builtin_ctzll(terms));
      records = max_records;
      std::size_t end = last_term + 1;
      if (data[last_term] == '\r' && end < len && data[end] == '\n') ++end;
      cut.end = end;
      cut.records = records;
      cut.in_quotes = false;
      return cut;
    }
    records += count;
    if (terms != 0) last_term = base + static_cast<std::size_t>(63 - __builtin_clzll(terms));
    in_quote = (quoted >> 63) != 0 ? ~std::uint64_t{0} : 0;
    prev_cr = cr >> 63;
  }
  // Quote state at `len` (padding bytes are never quotes, so the last block's top bit holds it).
  const bool open_quote = in_quote != 0;

  std::size_t end = 0;
  if (last_term != SIZE_MAX) {
    end = last_term + 1;
    if (data[last_term] == '\r' && end < len && data[end] == '\n') ++end;
  }
  if (at_eof && end < block.size() && !open_quote) {
    // The final record lacks a terminator; at the end of input it is complete.
    end = block.size();
    ++records;
  }
  cut.end = end;
  cut.records = records;
  cut.in_quotes = open_quote && end < block.size();
  return cut;
}

}  // namespace dsfill::codec
