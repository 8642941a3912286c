// The scan loop of find_record_cut (row_boundary.h), shared by its kernels, one per kernel set
// (simd_dispatch.h): row_boundary_portable.cpp (64-bit SWAR), row_boundary_ssse3.cpp (SSE2
// compares) and row_boundary_avx512.cpp (AVX-512 compares, carry-less multiply, POPCNT). A kernel
// supplies the byte work; each kernel's file instantiates the loop with its own type, so every
// instantiation is compiled with that file's instruction set only.
//
// Kernels have no tail code: they always classify a whole 64-byte block. The loop masks off the
// bytes past the end of the input, and reads them from the buffer itself when it is padded
// (padded.h), else from a copy of the last partial block (the one tail routine, for callers that
// pass unpadded spans).
//
// Internal to codec/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "codec/row_boundary.h"

namespace dsfill::codec::detail {

// Bit i of each mask stands for byte i of a 64-byte block.
struct BoundaryMasks {
  std::uint64_t quote;
  std::uint64_t lf;
  std::uint64_t cr;
};

// Kernel requirements:
//   BoundaryMasks classify(const char* p) const;   reads p[0..63]
//   std::uint64_t prefix_xor(std::uint64_t x) const;  bit i = XOR of bits 0..i of x
//   std::size_t count(std::uint64_t x) const;      the number of bits set
// Returns x with bit i set to the XOR of bits 0..i, by shifts: for kernels without a carry-less
// multiply (the AVX-512 one uses PCLMULQDQ).
inline std::uint64_t prefix_xor_by_shifts(std::uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

template <class Kernel>
inline RecordCut find_record_cut_with(const Kernel& kernel, std::string_view block,
                                      std::size_t max_records, bool at_eof, bool padded) {
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
  for (std::size_t base = 0; base < len; base += 64) {
    const std::size_t left = len - base;
    BoundaryMasks m;
    std::uint64_t valid = ~std::uint64_t{0};
    if (left >= 64 || padded) {
      m = kernel.classify(data + base);
    } else {
      std::memset(pad, 0, sizeof pad);
      std::memcpy(pad, data + base, left);
      m = kernel.classify(pad);
    }
    if (left < 64) {
      valid = (std::uint64_t{1} << left) - 1;
      m.quote &= valid;  // bytes past the end are never quotes: the parity below stays exact
    }
    const std::uint64_t quoted = kernel.prefix_xor(m.quote) ^ in_quote;
    const std::uint64_t cr = m.cr & ~quoted & valid;
    // An LF right after an unquoted CR completes a CRLF: one terminator, counted at the CR.
    const std::uint64_t lf = m.lf & ~quoted & valid & ~((cr << 1) | prev_cr);
    std::uint64_t terms = cr | lf;
    const std::size_t count = kernel.count(terms);
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
  // Quote state at `len` (bytes past it are never quotes, so the last block's top bit holds it).
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

}  // namespace dsfill::codec::detail

namespace dsfill::codec::detail {

// The kernels' entries, one per kernel set (simd_dispatch.h's RecordCutKernel); call the SSSE3
// and AVX-512 ones only when their set's cpu_runs() is true. *_built() says whether this build
// has them at all (off x86 they are stubs).
RecordCut find_record_cut_portable(std::string_view block, std::size_t max_records, bool at_eof,
                                   const CsvDialect& dialect, bool padded);
RecordCut find_record_cut_ssse3(std::string_view block, std::size_t max_records, bool at_eof,
                                const CsvDialect& dialect, bool padded);
RecordCut find_record_cut_avx512(std::string_view block, std::size_t max_records, bool at_eof,
                                 const CsvDialect& dialect, bool padded);
bool record_cut_ssse3_built();
bool record_cut_avx512_built();

}  // namespace dsfill::codec::detail
