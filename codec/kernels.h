// Which kernel set (simd_dispatch.h) the codec's byte-crunching steps run on this CPU, within
// DSFILL_SIMD. `dsfill bench` and the load summaries name it, so that figures from two machines,
// or from two DSFILL_SIMD settings, can be told apart.
#pragma once

#include <string>

namespace dsfill::codec {

// One field per step; every field holds the name of the set in use ("portable", "ssse3" or
// "avx512"), since one set serves every step. Under "portable" the transcoder has no fast path.
struct KernelsInUse {
  std::string transcoder;  // the CSV -> JSON fast path
  std::string boundary;    // the chunker's record cut
  std::string base64;
};

KernelsInUse kernels_in_use();

// "transcoder avx512, boundary avx512, base64 avx512".
std::string describe(const KernelsInUse& kernels);

}  // namespace dsfill::codec
