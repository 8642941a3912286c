// The record loop shared by the transcoder's fast-path kernels (plain_records_*.cpp): which
// records a run takes, where it stops, and how many fields each has. A kernel supplies only the
// byte work: classifying a 64-byte block into bit masks, and writing a span with each delimiter
// as `","`.
//
// Quoted fields and escapes (kernels whose kQuotedFields is true): a field that starts with the
// quote char becomes the JSON string of its bytes when its opening and closing quotes are
// dropped and each doubled quote inside it is written as `\"` (two bytes for two), so the run
// goes on through quoted records with the same block-at-a-time writes. Which quotes open, close
// or double is found from the block's quote mask alone: its prefix XOR (carried from block to
// block) marks the bytes inside quoted fields, so delimiters and LFs there are data. LF and CR
// inside quotes, and tab, backslash, backspace, form feed and a '"' that is not the quote char
// anywhere, are written as their two-byte JSON escapes. A quote where the grammar
// (csv_dialect.h) would raise an error, another control byte, a bare CR and invalid UTF-8 end
// the run at their record, for the general path to write or to reject.
//
// Internal to codec/. Each kernel's file includes it and instantiates it with its own Kernel
// type, so every instantiation is compiled with that file's instruction set only.
#pragma once

#include <cstdint>
#include <cstring>

#include "codec/plain_records.h"
#include "codec/utf8.h"

namespace dsfill::codec::detail {

// Bit i of each mask stands for byte i of a 64-byte block.
struct PlainBlock {
  std::uint64_t delims;
  std::uint64_t lfs;
  std::uint64_t crs;
  // The quote char, '"', '\\' and control bytes (the delimiter and CR/LF included).
  std::uint64_t odd;
  std::uint64_t high;    // bytes >= 0x80
  std::uint64_t quotes;  // the quote char (kernels that take quoted fields; else may be 0)
};

// What the kernel's writes do to each byte of a span, as masks over the two blocks around it:
// bit i of `prev` / `cur` is byte i of the block before the one being classified / of that one.
struct WriteMasks {
  std::uint64_t delims = 0;     // delimiters between fields: written as `","`
  std::uint64_t drop = 0;       // opening and closing quotes: not written
  std::uint64_t backslash = 0;  // the first quote of a doubled one: written as '\\'
  std::uint64_t escaped = 0;    // written as a two-byte JSON escape (LF as `\n`, ...)
  bool any_quoted() const { return (drop | backslash | escaped) != 0; }
};
struct MaskWindow {
  const char* base;  // the first byte of the block before the current one
  WriteMasks prev;
  WriteMasks cur;
};

inline std::uint64_t bits_from(unsigned at) { return at >= 64 ? 0 : ~std::uint64_t{0} << at; }

// Bit 0 of the result is bit `at` of the 128 bits prev:cur (prev low). REQUIRES: at < 128.
inline std::uint64_t window_bits(std::uint64_t prev, std::uint64_t cur, unsigned at) {
  if (at >= 64) return cur >> (at - 64);
  return at == 0 ? prev : (prev >> at) | (cur << (64 - at));
}

// Blocks with at most this many high bytes are walked a sequence at a time; denser ones (text in a
// script beyond Latin) are checked with one SIMD call.
inline constexpr int kUtf8WalkAtMost = 16;

// Returns whether the high bytes of the block at q (bit i of `high`: q[i] >= 0x80), each widened
// to its whole UTF-8 sequence within [begin, end), are valid UTF-8: the answer of
// utf8_valid_around(), the same rule (codec/utf8.h). A few accented letters cost less walked than
// the SIMD call's set-up and tail. A sequence may start before the block (its lead byte is then
// at most three bytes back) and end past it; a stray continuation byte after the block's last
// sequence is the next block's to find. REQUIRES: high != 0, as utf8_valid_around().
[[gnu::noinline]] inline bool high_bytes_valid(const char* q, std::uint64_t high, const char* begin,
                                               const char* end) {
  if (__builtin_popcountll(high) > kUtf8WalkAtMost) return utf8_valid_around(q, begin, end);
  const auto* const first = reinterpret_cast<const unsigned char*>(q);
  const auto* const text_end = reinterpret_cast<const unsigned char*>(end);
  const unsigned char* p = first + __builtin_ctzll(high);
  if (p == first) {
    p = reinterpret_cast<const unsigned char*>(utf8_sequence_start(q, begin));
    if (*p < 0x80) return false;  // a continuation byte after an ASCII one
  }
  for (;;) {
    std::size_t bad = 1;
    const std::size_t n = utf8_sequence(p, text_end, bad);
    if (n == 0) return false;
    p += n;
    const std::uint64_t rest = high & bits_from(static_cast<unsigned>(p - first));
    if (rest == 0) return true;
    p = first + __builtin_ctzll(rest);
  }
}

// Kernel requirements:
//   static constexpr bool kQuotedFields;  whether write() honours drop, backslash and escaped
//     (if not, classify() may leave `quotes` 0)
//   PlainBlock classify(const char* q) const;  reads q[0..63]
//   (kQuotedFields) std::uint64_t prefix_xor(std::uint64_t x) const;  bit i = xor of bits 0..i
//   (kQuotedFields) std::uint64_t escapable(const char* q) const;  reads q[0..63]: '\\', '"',
//     LF, CR, tab, backspace and form feed
//   char* write(const char* from, const char* to, char* o, const MaskWindow& w) const;
//     writes [from, to) at o as the masks say (delimiters as `","`), returns the end of that
//     output; may write up to 64 bytes past it and read up to 15 bytes past `to`. [from, to)
//     lies within the window's two blocks.
//   const char* write_steps(const char* from, const char* to, char*& o,
//                           const MaskWindow& w) const;
//     the same for the longest prefix of [from, to) made of the kernel's whole steps (full
//     vectors, no tail); returns where it stopped.
template <class Kernel>
inline PlainRun write_plain_records_with(const Kernel& kernel, const char*& p, const char* end,
                                         char*& out, const char* lim, bool first,
                                         std::size_t& expected, std::size_t max_record, char delim,
                                         char quote, bool utf8) {
  PlainRun done;
  if (end - p < static_cast<std::ptrdiff_t>(kPlainMinInput)) return done;
  // The cursor lives in a local: through the reference it would be stored and reloaded around
  // every write (a char store may alias it).
  char* o = out;
  std::size_t want = expected;
  const char* rec = p;  // the record being written
  char* rec_o = o;      // where its output starts (its comma, if any)
  const char* seg = p;  // its first byte not yet written
  std::size_t fields = 1;
  const char* q = p;  // the block being classified
  const char* const begin = p;
  // Carried from one block to the next (bit 0 stands for the byte before the block):
  std::uint64_t inside = 0;       // all ones: that byte is inside a quoted field
  std::uint64_t after_end = 1;    // it ends a field or a record (p starts one)
  std::uint64_t after_close = 0;  // it is a quote that closes a field or starts a doubled one
  MaskWindow window{q - 64, {}, {}};
  // A control-char quote (--quote $'\t') needs a JSON escape, and one equal to the delimiter
  // cannot be told from it: the general path takes those.
  const bool quoted_fields =
      Kernel::kQuotedFields && quote >= 0x20 && quote < 0x7F && quote != delim;
  // Inside a JSON string only '"' and '\\' need a backslash: the first of any other doubled
  // quote char is dropped instead.
  const bool escape_doubled = quote == '"' || quote == '\\';
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
    const PlainBlock b = kernel.classify(q);
    std::uint64_t d = b.delims;
    std::uint64_t lf = b.lfs;
    std::uint64_t cr = b.crs;
    std::uint64_t odd = b.odd;
    WriteMasks masks;
    std::uint64_t in = 0;  // bytes inside quoted fields, closing quotes aside
    if constexpr (Kernel::kQuotedFields) {
      if (quoted_fields) {
        odd &= ~b.quotes;
        if ((b.quotes | inside) != 0) {
          const std::uint64_t quotes = b.quotes;
          in = kernel.prefix_xor(quotes) ^ inside;
          d &= ~in;
          lf &= ~in;
          cr &= ~in;
          const auto next = static_cast<unsigned char>(q[64]);
          const std::uint64_t next_quote = (quotes >> 1) | (std::uint64_t{next == quote} << 63);
          const std::uint64_t next_ends =
              ((b.delims | b.lfs | b.crs) >> 1) |
              (std::uint64_t{next == delim || next == '\n' || next == '\r'} << 63);
          const std::uint64_t leaving = quotes & ~in;  // closing, or the first of a doubled quote
          const std::uint64_t entering = quotes & in;  // opening, or the second of a doubled quote
          const std::uint64_t after_leaving = (leaving << 1) | after_close;
          const std::uint64_t after_ends = ((d | lf) << 1) | after_end;
          // Each quote where the grammar raises an error: one entering mid-field (a bare quote),
          // one leaving before anything but a quote, delimiter or terminator.
          odd |= (entering & ~(after_ends | after_leaving)) | (leaving & ~(next_quote | next_ends));
          masks.drop = (entering & ~after_leaving) | (leaving & ~next_quote);
          const std::uint64_t doubled = leaving & next_quote;
          if (escape_doubled) {
            masks.backslash = doubled;
          } else {
            masks.drop |= doubled;
          }
          inside = static_cast<std::uint64_t>(static_cast<std::int64_t>(in) >> 63);
          after_close = leaving >> 63;
        } else {
          after_close = 0;
        }
        after_end = (d | lf) >> 63;
      }
    }
    // A CR is plain only right before an LF (a CRLF terminator); q[64] is the byte after.
    const std::uint64_t crlf = cr & ((lf >> 1) | (std::uint64_t{q[64] == '\n'} << 63));
    odd &= ~(d | lf | crlf);  // a tab delimiter is not odd
    if constexpr (Kernel::kQuotedFields) {
      // Looked for only where something is odd: most blocks have nothing to escape. A CR outside
      // quotes that is not part of a CRLF ends a record (the general path takes it).
      if (quoted_fields && odd != 0) {
        masks.escaped = kernel.escapable(q) & odd & ~b.quotes & ~(cr & ~in);
        odd &= ~masks.escaped;
      }
    }
    // High bytes are plain where they are valid UTF-8: checked here, block by block, rather than
    // over the whole input first (most blocks of most files have none).
    if (b.high != 0 && !(utf8 && high_bytes_valid(q, b.high, begin, end))) odd |= b.high;
    masks.delims = d;
    window.prev = window.cur;
    window.cur = masks;
    window.base = q - 64;
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
        // Ragged: the general path names the error. Too long: it measures the values.
        if (fields != want || static_cast<std::size_t>(content_end - rec) > max_record) {
          expected = want;
          out = rec_o;
          p = rec;
          return done;
        }
        o = kernel.write(seg, content_end, o, window);
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
    // Write this block's part of the record in whole steps: a partial step would cost as much as
    // a whole one, so its bytes wait for the record's end. A CR in the block's last byte that
    // starts a CRLF stays behind too (the terminator's test above drops it).
    const char* upto = q + 64 - (crlf >> 63);
    seg = kernel.write_steps(seg, upto, o, window);
    q += 64;
  }
  out = rec_o;  // take back the opening (and any bytes) of the unfinished record
  expected = want;
  p = rec;
  return done;
}

}  // namespace dsfill::codec::detail
