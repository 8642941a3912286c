// Which SIMD kernel each of the codec's byte-crunching steps runs on this CPU, within the cap of
// DSFILL_SIMD (simd_cap.h). `dsfill bench` and the load summaries name them, so that figures from
// two machines, or from two DSFILL_SIMD settings, can be told apart.
#pragma once

#include <string>

namespace dsfill::codec {

struct KernelsInUse {
  std::string transcoder;  // the CSV -> JSON fast path: "avx512", "ssse3" or "none"
  std::string boundary;    // the chunker's record cut: "avx512", "sse2" or "portable"
  std::string base64;      // "avx512" or "portable"
};

KernelsInUse kernels_in_use();

// "transcoder avx512, boundary avx512, base64 avx512".
std::string describe(const KernelsInUse& kernels);

}  // namespace dsfill::codec
