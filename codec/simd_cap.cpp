#include "codec/simd_cap.h"

#include <cstdlib>
#include <cstring>

namespace dsfill::codec {

SimdCap simd_cap() {
  static const SimdCap cap = [] {
    const char* v = std::getenv("DSFILL_SIMD");
    if (v != nullptr && std::strcmp(v, "none") == 0) return SimdCap::kNone;
    if (v != nullptr && std::strcmp(v, "ssse3") == 0) return SimdCap::kSsse3;
    return SimdCap::kAvx512;
  }();
  return cap;
}

bool cpu_has_avx512(unsigned extras) {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("popcnt") &&
         ((extras & kAvx512Vl) == 0 || __builtin_cpu_supports("avx512vl")) &&
         ((extras & kAvx512Vbmi) == 0 || __builtin_cpu_supports("avx512vbmi")) &&
         ((extras & kAvx512Vbmi2) == 0 || __builtin_cpu_supports("avx512vbmi2")) &&
         ((extras & kBmi2) == 0 || __builtin_cpu_supports("bmi2")) &&
         ((extras & kPclmul) == 0 || __builtin_cpu_supports("pclmul"));
#else
  (void)extras;
  return false;
#endif
}

}  // namespace dsfill::codec
