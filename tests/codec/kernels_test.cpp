#include "codec/kernels.h"

#include <gtest/gtest.h>

#include "codec/simd_cap.h"

namespace dsfill::codec {
namespace {

// ctest also runs this binary under DSFILL_SIMD=none and =ssse3, so every branch gets its turn.
TEST(KernelsInUse, NameTheBestKernelWithinTheSimdCap) {
  const KernelsInUse k = kernels_in_use();
  switch (simd_cap()) {
    case SimdCap::kNone:
      EXPECT_EQ(k.transcoder, "none");
      EXPECT_NE(k.boundary, "avx512");
      EXPECT_EQ(k.base64, "portable");
      break;
    case SimdCap::kSsse3:
      EXPECT_NE(k.transcoder, "avx512");
      EXPECT_NE(k.boundary, "avx512");
      EXPECT_EQ(k.base64, "portable");
      break;
    case SimdCap::kAvx512:
      EXPECT_EQ(k.transcoder == "avx512", cpu_has_avx512(kAvx512Vl | kAvx512Vbmi2 | kBmi2));
      EXPECT_EQ(k.boundary == "avx512", cpu_has_avx512(kPclmul));
      EXPECT_EQ(k.base64 == "avx512", cpu_has_avx512(kAvx512Vbmi));
      break;
  }
#if defined(__x86_64__)
  EXPECT_NE(k.boundary, "portable");  // SSE2 is part of x86-64
#endif
  EXPECT_EQ(describe(k),
            "transcoder " + k.transcoder + ", boundary " + k.boundary + ", base64 " + k.base64);
}

}  // namespace
}  // namespace dsfill::codec
