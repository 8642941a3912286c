#include "codec/plain_records.h"

#include <initializer_list>

#include "codec/simd_cap.h"
#include "codec/utf8.h"

namespace dsfill::codec::detail {
namespace {

bool cpu_runs(PlainKernel kernel) {
#if defined(__x86_64__) || defined(__i386__)
  switch (kernel) {
    case PlainKernel::kNone:
      return true;
    case PlainKernel::kSsse3:
      return plain_records_ssse3_built() && __builtin_cpu_supports("ssse3") &&
             __builtin_cpu_supports("popcnt");
    case PlainKernel::kAvx512:
      return plain_records_avx512_built() && cpu_has_avx512(kAvx512Vl | kAvx512Vbmi2 | kBmi2);
  }
  return false;
#else
  return kernel == PlainKernel::kNone;
#endif
}

PlainKernel best_kernel() {
  const SimdCap simd = simd_cap();
  const PlainKernel cap = simd == SimdCap::kNone    ? PlainKernel::kNone
                          : simd == SimdCap::kSsse3 ? PlainKernel::kSsse3
                                                    : PlainKernel::kAvx512;
  for (PlainKernel k : {PlainKernel::kAvx512, PlainKernel::kSsse3}) {
    if (k <= cap && cpu_runs(k)) return k;
  }
  return PlainKernel::kNone;
}

PlainKernel& kernel_in_use() {
  static PlainKernel kernel = best_kernel();
  return kernel;
}

}  // namespace

PlainKernel plain_kernel() { return kernel_in_use(); }

const char* plain_kernel_name(PlainKernel kernel) {
  switch (kernel) {
    case PlainKernel::kAvx512:
      return "avx512";
    case PlainKernel::kSsse3:
      return "ssse3";
    case PlainKernel::kNone:
      break;
  }
  return "none";
}

bool use_plain_kernel(PlainKernel kernel) {
  if (!cpu_runs(kernel)) return false;
  kernel_in_use() = kernel;
  return true;
}

bool utf8_valid_around(const char* block, const char* begin, const char* end) {
  // A sequence has at most three continuation bytes (10xxxxxx): step back to its lead byte and
  // on past the last one; any more and the window starts or ends inside an invalid run.
  const auto continuation = [](const char* c) {
    return (static_cast<unsigned char>(*c) & 0xC0) == 0x80;
  };
  const char* from = block;
  for (int i = 0; i < 3 && from > begin && continuation(from); ++i) --from;
  const char* to = block + 64;
  for (int i = 0; i < 3 && to < end && continuation(to); ++i) ++to;
  return utf8_valid(std::string_view(from, static_cast<std::size_t>(to - from)));
}

PlainRun write_plain_records(const char*& p, const char* end, char*& o, const char* lim, bool first,
                             std::size_t& expected, char delim, char quote, bool utf8) {
  switch (kernel_in_use()) {
    case PlainKernel::kAvx512:
      return write_plain_records_avx512(p, end, o, lim, first, expected, delim, quote, utf8);
    case PlainKernel::kSsse3:
      return write_plain_records_ssse3(p, end, o, lim, first, expected, delim, quote, utf8);
    case PlainKernel::kNone:
      break;
  }
  return {};
}

}  // namespace dsfill::codec::detail
