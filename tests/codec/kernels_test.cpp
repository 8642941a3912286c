#include "codec/kernels.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "codec/row_boundary_loop.h"
#include "codec/simd_cap.h"
#include "codec/simd_dispatch.h"

namespace dsfill::codec {
namespace {

bool avx512_cpu() {
  return cpu_has_avx512(kAvx512Vl | kAvx512Vbmi | kAvx512Vbmi2 | kBmi2 | kPclmul);
}

// What DSFILL_SIMD should select here, worked out from the CPU checks alone.
std::string expected_set(const char* value) {
  const std::string v = value == nullptr ? "" : value;
  if (v == "portable" || v == "none") return "portable";
  if (v == "ssse3") return cpu_has_ssse3() ? "ssse3" : "portable";
  if (avx512_cpu()) return "avx512";
  return cpu_has_ssse3() ? "ssse3" : "portable";
}

// Every function pointer of `got` is the one of the set named `name`: a set that reports one
// name but runs another set's kernels fails here.
void expect_runs_only(const KernelSet& got, KernelSetId id) {
  const KernelSet& want = kernel_set(id);
  EXPECT_STREQ(got.name, want.name);
  EXPECT_EQ(got.find_record_cut, want.find_record_cut) << want.name;
  EXPECT_EQ(got.write_plain_records, want.write_plain_records) << want.name;
  EXPECT_EQ(got.base64_encode, want.base64_encode) << want.name;
  EXPECT_EQ(got.base64_decode, want.base64_decode) << want.name;
}

// ctest runs this binary under DSFILL_SIMD=portable and =ssse3 too, so every branch gets a turn.
TEST(KernelsInUse, HonourTheDsfillSimdOverrideForEveryStep) {
  const char* env = std::getenv("DSFILL_SIMD");
  const std::string want = expected_set(env);
  const KernelsInUse k = kernels_in_use();
  EXPECT_EQ(k.transcoder, want);
  EXPECT_EQ(k.boundary, want);
  EXPECT_EQ(k.base64, want);
  EXPECT_EQ(active_kernels().name, want);
  if (want == "portable") {
    expect_runs_only(active_kernels(), KernelSetId::kPortable);
    // The SWAR boundary finder itself, not an SSE one under the portable name.
    EXPECT_EQ(active_kernels().find_record_cut, &detail::find_record_cut_portable);
    EXPECT_FALSE(detail::plain_records_supported());
  }
  EXPECT_EQ(describe(k), "transcoder " + want + ", boundary " + want + ", base64 " + want);
}

TEST(KernelSets, NamedOnceBestFirst) {
  const auto sets = kernel_sets();
  ASSERT_EQ(sets.size(), 3u);
  EXPECT_STREQ(sets[0]->name, "avx512");
  EXPECT_STREQ(sets[1]->name, "ssse3");
  EXPECT_STREQ(sets[2]->name, "portable");
  for (const KernelSet* set : sets) {
    EXPECT_EQ(&kernel_set(set->id), set);
    EXPECT_NE(set->find_record_cut, nullptr) << set->name;
  }
  EXPECT_TRUE(kernel_set(KernelSetId::kPortable).cpu_runs());
}

// The portable set runs no SIMD kernel: its boundary finder is its own, and it has no
// transcoder fast path and no base64 bulk loop (so only plain C++ runs under it).
TEST(KernelSets, PortableSharesNoKernelWithTheSimdSets) {
  const KernelSet& portable = kernel_set(KernelSetId::kPortable);
  for (const KernelSetId id : {KernelSetId::kSsse3, KernelSetId::kAvx512}) {
    EXPECT_NE(portable.find_record_cut, kernel_set(id).find_record_cut) << kernel_set(id).name;
  }
  EXPECT_EQ(portable.find_record_cut, &detail::find_record_cut_portable);
  EXPECT_EQ(portable.write_plain_records, nullptr);
  EXPECT_EQ(portable.base64_encode, nullptr);
  EXPECT_EQ(portable.base64_decode, nullptr);
}

TEST(KernelSets, SelectTheBestTheCpuRunsAtOrBelowTheNamedOne) {
  for (const char* value : {"portable", "none", "ssse3", "avx512", "", "sse9", "AVX512"}) {
    EXPECT_EQ(select_kernel_set(value).name, expected_set(value)) << value;
  }
  EXPECT_EQ(select_kernel_set(nullptr).name, expected_set(nullptr));
  expect_runs_only(select_kernel_set("portable"), KernelSetId::kPortable);
  expect_runs_only(select_kernel_set("none"), KernelSetId::kPortable);
#if defined(__x86_64__)
  EXPECT_STREQ(select_kernel_set("ssse3").name, "ssse3");  // every x86-64 still made has SSSE3
#endif
}

TEST(KernelSets, UseKernelSetSwitchesEveryStepAndRefusesWhatTheCpuLacks) {
  const KernelSet& before = active_kernels();
  for (const KernelSet* set : kernel_sets()) {
    ASSERT_EQ(use_kernel_set(*set), set->cpu_runs()) << set->name;
    if (set->cpu_runs()) {
      EXPECT_EQ(kernels_in_use().boundary, set->name);
      EXPECT_EQ(kernels_in_use().transcoder, set->name);
      EXPECT_EQ(kernels_in_use().base64, set->name);
    }
  }
  ASSERT_TRUE(use_kernel_set(before));
}

}  // namespace
}  // namespace dsfill::codec
