#include "codec/kernels.h"

#include "codec/base64.h"
#include "codec/plain_records.h"
#include "codec/row_boundary.h"

namespace dsfill::codec {

KernelsInUse kernels_in_use() {
  return {detail::plain_kernel_name(detail::plain_kernel()), find_record_cut_kernel(),
          base64_kernel()};
}

std::string describe(const KernelsInUse& kernels) {
  return "transcoder " + kernels.transcoder + ", boundary " + kernels.boundary + ", base64 " +
         kernels.base64;
}

}  // namespace dsfill::codec
