// The widest instruction set the codec's SIMD kernels may use, from the environment variable
// DSFILL_SIMD: "none" (portable code only), "ssse3" (SSE kernels), or unset / anything else (the
// best the CPU runs). It caps what the CPU check allows, never raises it; the point is to compare
// kernels on one machine (benchmarks, tests) with one binary.
#pragma once

namespace dsfill::codec {

enum class SimdCap { kNone, kSsse3, kAvx512 };

// Read once, on first use.
SimdCap simd_cap();

}  // namespace dsfill::codec
