// The record loop shared by the transcoder's fast-path kernels (plain_records_*.cpp): which
// records a run takes, where it stops, and how many fields each has. A kernel supplies only the
// byte work: classifying a 64-byte block into bit masks, and writing a span with each delimiter
// as `","`.
//
// Internal to codec/. Each kernel's file includes it and instantiates it with its own Kernel
// type, so every instantiation is compiled with that file's instruction set only.
#pragma once

#include <cstdint>
#include <cstring>

#include "codec/plain_records.h"

namespace dsfill::codec::detail {

// Bit i of each mask stands for byte i of a 64-byte block.
struct PlainBlock {
  std::uint64_t delims;
  std::uint64_t lfs;
  std::uint64_t crs;
  // Quote chars, '"', '\\' and control bytes (the delimiter and CR/LF included).
  std::uint64_t odd;
  std::uint64_t high;  // bytes >= 0x80
};

inline std::uint64_t bits_from(unsigned at) { return at >= 64 ? 0 : ~std::uint64_t{0} << at; }

// Kernel requirements:
//   PlainBlock classify(const char* q) const;  reads q[0..63]
//   char* write(const char* from, const char* to, char* o) const;
//     writes [from, to) at o with each delimiter as `","`, returns the end of that output; may
//     write up to 64 bytes past it and read up to 15 bytes past `to`.
//   const char* write_steps(const char* from, const char* to, char*& o) const;
//     the same for the longest prefix of [from, to) made of the kernel's whole steps (full
//     vectors, no tail); returns where it stopped.
template <class Kernel>
inline PlainRun write_plain_records_with(const Kernel& kernel, const char*& p, const char* end,
                                         char*& out, const char* lim, bool first,
                                         std::size_t& expected, std::size_t max_record, bool utf8) {
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
    const std::uint64_t d = b.delims;
    const std::uint64_t lf = b.lfs;
    // A CR is plain only right before an LF (a CRLF terminator); q[64] is the byte after.
    const std::uint64_t crlf = b.crs & ((lf >> 1) | (std::uint64_t{q[64] == '\n'} << 63));
    std::uint64_t odd = b.odd & ~(d | lf | crlf);  // a tab delimiter is not odd
    // High bytes are plain where they are valid UTF-8: checked here, block by block, rather than
    // over the whole input first (most blocks of most files have none).
    if (b.high != 0 && !(utf8 && utf8_valid_around(q, begin, end))) odd |= b.high;
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
        o = kernel.write(seg, content_end, o);
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
    seg = kernel.write_steps(seg, upto, o);
    q += 64;
  }
  out = rec_o;  // take back the opening (and any bytes) of the unfinished record
  expected = want;
  p = rec;
  return done;
}

}  // namespace dsfill::codec::detail
