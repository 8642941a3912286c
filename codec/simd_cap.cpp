#include "codec/simd_cap.h"

namespace dsfill::codec {

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

bool cpu_has_ssse3() {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("popcnt");
#else
  return false;
#endif
}

}  // namespace dsfill::codec
