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

}  // namespace dsfill::codec
