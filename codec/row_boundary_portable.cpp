// The portable kernel of find_record_cut (row_boundary.h): plain C++ on 64-bit words (SWAR), no
// SSE or AVX, for the portable kernel set (simd_dispatch.h) and every target. On x86-64 it is
// built with -mgeneral-regs-only, so that the compiler cannot turn it into SSE code behind our
// back.
#include <bit>
#include <cstring>

#include "codec/row_boundary_loop.h"

namespace dsfill::codec::detail {
namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101;
constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7F;

// Bit 7 of each byte of the result is set where that byte of `word` equals the byte broadcast in
// `needle`, and nothing else is set. Exact (no borrow crosses a byte): the low 7 bits are added
// apart from the top bit.
inline std::uint64_t equal_bytes(std::uint64_t word, std::uint64_t needle) {
  const std::uint64_t x = word ^ needle;
  return ~(((x & kLow7) + kLow7) | x | kLow7);
}

// The top bits of the 8 bytes of `bytes7` (only bit 7 of each set) as 8 bits, byte 0 lowest: the
// multiply moves byte k's bit to bit 56 + k, and no two partial products meet.
inline std::uint64_t gather_top_bits(std::uint64_t bytes7) {
  return ((bytes7 >> 7) * 0x0102040810204080) >> 56;
}

class PortableKernel {
 public:
  explicit PortableKernel(char quote) : quote_(kOnes * static_cast<unsigned char>(quote)) {}

  BoundaryMasks classify(const char* p) const {
    BoundaryMasks m{0, 0, 0};
    for (unsigned i = 0; i < 8; ++i) {
      std::uint64_t w;
      std::memcpy(&w, p + 8 * i, 8);
      if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
      m.quote |= gather_top_bits(equal_bytes(w, quote_)) << (8 * i);
      m.lf |= gather_top_bits(equal_bytes(w, kOnes * '\n')) << (8 * i);
      m.cr |= gather_top_bits(equal_bytes(w, kOnes * '\r')) << (8 * i);
    }
    return m;
  }

  std::uint64_t prefix_xor(std::uint64_t x) const { return prefix_xor_by_shifts(x); }

  // Most blocks hold zero or one terminator; skip the popcount then (without POPCNT it is a
  // library call).
  std::size_t count(std::uint64_t x) const {
    return (x & (x - 1)) == 0 ? (x != 0) : static_cast<std::size_t>(std::popcount(x));
  }

 private:
  std::uint64_t quote_;
};

}  // namespace

RecordCut find_record_cut_portable(std::string_view block, std::size_t max_records, bool at_eof,
                                   const CsvDialect& dialect, bool padded) {
  return find_record_cut_with(PortableKernel(dialect.quote), block, max_records, at_eof, padded);
}

}  // namespace dsfill::codec::detail
