#include "codec/simd_dispatch.h"

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "codec/base64_avx512.h"
#include "codec/row_boundary_loop.h"
#include "codec/simd_cap.h"

namespace dsfill::codec {
namespace {

bool portable_runs() { return true; }

bool ssse3_runs() {
  return detail::record_cut_ssse3_built() && detail::plain_records_ssse3_built() && cpu_has_ssse3();
}

bool avx512_runs() {
  return detail::record_cut_avx512_built() && detail::plain_records_avx512_built() &&
         detail::base64_avx512_built() &&
         cpu_has_avx512(kAvx512Vl | kAvx512Vbmi | kAvx512Vbmi2 | kBmi2 | kPclmul);
}

constexpr KernelSet kPortable{KernelSetId::kPortable,
                              "portable",
                              portable_runs,
                              detail::find_record_cut_portable,
                              nullptr,
                              nullptr,
                              nullptr};
constexpr KernelSet kSsse3{KernelSetId::kSsse3,
                           "ssse3",
                           ssse3_runs,
                           detail::find_record_cut_ssse3,
                           detail::write_plain_records_ssse3,
                           nullptr,
                           nullptr};
constexpr KernelSet kAvx512{KernelSetId::kAvx512,
                            "avx512",
                            avx512_runs,
                            detail::find_record_cut_avx512,
                            detail::write_plain_records_avx512,
                            detail::base64_encode_avx512,
                            detail::base64_decode_avx512};

// Best first: the selection walk takes the first one the CPU runs.
constexpr std::array<const KernelSet*, 3> kSets{&kAvx512, &kSsse3, &kPortable};

KernelSetId cap_named(const char* value) {
  if (value == nullptr) return KernelSetId::kAvx512;
  if (std::strcmp(value, "none") == 0) return KernelSetId::kPortable;  // the old name
  for (const KernelSet* set : kSets) {
    if (std::strcmp(value, set->name) == 0) return set->id;
  }
  return KernelSetId::kAvx512;
}

std::atomic<const KernelSet*>& in_use() {
  static std::atomic<const KernelSet*> set{&select_kernel_set(std::getenv("DSFILL_SIMD"))};
  return set;
}

}  // namespace

std::span<const KernelSet* const> kernel_sets() { return kSets; }

const KernelSet& kernel_set(KernelSetId id) {
  for (const KernelSet* set : kSets) {
    if (set->id == id) return *set;
  }
  return kPortable;
}

const KernelSet& select_kernel_set(const char* value) {
  const KernelSetId cap = cap_named(value);
  for (const KernelSet* set : kSets) {
    if (set->id <= cap && set->cpu_runs()) return *set;
  }
  return kPortable;
}

// Relaxed: the pointer is set once before any kernel runs (use_kernel_set's contract), so no
// ordering is needed, only a load the compiler cannot tear.
const KernelSet& active_kernels() { return *in_use().load(std::memory_order_relaxed); }

bool use_kernel_set(const KernelSet& set) {
  if (!set.cpu_runs()) return false;
  in_use().store(&set, std::memory_order_relaxed);
  return true;
}

}  // namespace dsfill::codec
