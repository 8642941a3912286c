#include "codec/base64_avx512.h"

#include <array>
#include <cstdint>

#include "codec/simd_cap.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VBMI__)
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
constexpr char kAlphabet[65] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

bool base64_avx512_usable() {
  static const bool usable = simd_cap() == SimdCap::kAvx512 && __builtin_cpu_supports("avx512f") &&
                             __builtin_cpu_supports("avx512bw") &&
                             __builtin_cpu_supports("avx512vbmi");
  return usable;
}

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

#else  // not built for AVX-512 VBMI

bool base64_avx512_usable() { return false; }

std::size_t base64_encode_avx512(const unsigned char*, std::size_t, char*) { return 0; }

#endif

}  // namespace dsfill::codec::detail
