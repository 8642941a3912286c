#include "codec/kernels.h"

#include "codec/simd_dispatch.h"

namespace dsfill::codec {

KernelsInUse kernels_in_use() {
  const std::string name = active_kernels().name;
  return {name, name, name};
}

std::string describe(const KernelsInUse& kernels) {
  return "transcoder " + kernels.transcoder + ", boundary " + kernels.boundary + ", base64 " +
         kernels.base64;
}

}  // namespace dsfill::codec
