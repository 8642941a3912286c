#include "codec/base64_avx512.h"

#include <array>
#include <cstdint>

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VBMI__)
// g++ 12 warns that the "undefined" pass-through vector inside its own byte-permute and multishift
// intrinsics may be used uninitialized; all lanes are written, so the warning is false.
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#define DSFILL_BASE64_AVX512 1
#endif

namespace dsfill::codec::detail {

#if DSFILL_BASE64_AVX512

namespace {

// For each 3-byte group b0 b1 b2 at input offset 3k, the 4 bytes b1 b0 b2 b1 of output lane k:
// read as a little-endian 32-bit word, every 6-bit index then sits at a fixed bit offset.
constexpr std::array<std::uint8_t, 64> make_spread() {
  std::array<std::uint8_t, 64> t{};
  for (unsigned k = 0; k < 16; ++k) {
    t[4 * k + 0] = static_cast<std::uint8_t>(3 * k + 1);
    t[4 * k + 1] = static_cast<std::uint8_t>(3 * k);
    t[4 * k + 2] = static_cast<std::uint8_t>(3 * k + 2);
    t[4 * k + 3] = static_cast<std::uint8_t>(3 * k + 1);
  }
  return t;
}

constexpr std::array<std::uint8_t, 64> kSpread = make_spread();

// The 6-bit value of each ASCII character, 0x80 for those outside the alphabet.
constexpr std::array<std::uint8_t, 128> make_values() {
  std::array<std::uint8_t, 128> t{};
  for (auto& v : t) v = 0x80;
  for (unsigned c = 'A'; c <= 'Z'; ++c) t[c] = static_cast<std::uint8_t>(c - 'A');
  for (unsigned c = 'a'; c <= 'z'; ++c) t[c] = static_cast<std::uint8_t>(c - 'a' + 26);
  for (unsigned c = '0'; c <= '9'; ++c) t[c] = static_cast<std::uint8_t>(c - '0' + 52);
  t['+'] = 62;
  t['/'] = 63;
  return t;
}

// After the multiply-adds each 32-bit lane k holds the 24 decoded bits of quad k, first byte
// highest: the output takes its bytes 2, 1, 0.
constexpr std::array<std::uint8_t, 64> make_gather() {
  std::array<std::uint8_t, 64> t{};
  for (unsigned k = 0; k < 16; ++k) {
    t[3 * k + 0] = static_cast<std::uint8_t>(4 * k + 2);
    t[3 * k + 1] = static_cast<std::uint8_t>(4 * k + 1);
    t[3 * k + 2] = static_cast<std::uint8_t>(4 * k);
  }
  return t;
}

constexpr std::array<std::uint8_t, 128> kValues = make_values();
constexpr std::array<std::uint8_t, 64> kGather = make_gather();
constexpr char kAlphabet[65] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

bool base64_avx512_built() { return true; }

std::size_t base64_encode_avx512(const unsigned char* in, std::size_t n, char* out) {
  const __m512i spread = _mm512_loadu_si512(kSpread.data());
  const __m512i alphabet = _mm512_loadu_si512(kAlphabet);
  // The bit offsets of the four indices in each 32-bit word (b1 b0 b2 b1): 10, 4, 22, 16.
  const __m512i offsets = _mm512_set1_epi64(0x3036242a1016040a);
  std::size_t i = 0;
  for (; i + 64 <= n; i += 48) {
    const __m512i bytes = _mm512_permutexvar_epi8(spread, _mm512_loadu_si512(in + i));
    const __m512i indices = _mm512_multishift_epi64_epi8(offsets, bytes);
    _mm512_storeu_si512(out, _mm512_permutexvar_epi8(indices, alphabet));
    out += 64;
  }
  return i;
}

std::size_t base64_decode_avx512(const unsigned char* in, std::size_t n, unsigned char* out) {
  const __m512i values_lo = _mm512_loadu_si512(kValues.data());
  const __m512i values_hi = _mm512_loadu_si512(kValues.data() + 64);
  const __m512i gather = _mm512_loadu_si512(kGather.data());
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512i chars = _mm512_loadu_si512(in + i);
    // The permute reads each character's low 7 bits; a high bit set in the character or in its
    // value marks it bad.
    const __m512i v = _mm512_permutex2var_epi8(values_lo, chars, values_hi);
    if (_mm512_movepi8_mask(_mm512_or_si512(v, chars)) != 0) break;
    // Pairs of 6-bit values into 12 bits, then pairs of those into 24 bits per 32-bit lane.
    const __m512i pairs = _mm512_maddubs_epi16(v, _mm512_set1_epi32(0x01400140));
    const __m512i quads = _mm512_madd_epi16(pairs, _mm512_set1_epi32(0x00011000));
    _mm512_mask_storeu_epi8(out, (std::uint64_t{1} << 48) - 1,
                            _mm512_permutexvar_epi8(gather, quads));
    out += 48;
  }
  return i;
}

#else  // not built for AVX-512 VBMI

bool base64_avx512_built() { return false; }

std::size_t base64_encode_avx512(const unsigned char*, std::size_t, char*) { return 0; }

std::size_t base64_decode_avx512(const unsigned char*, std::size_t, unsigned char*) { return 0; }

#endif

}  // namespace dsfill::codec::detail
