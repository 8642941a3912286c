// The widest instruction set the codec's SIMD kernels may use, from the environment variable
// DSFILL_SIMD: "none" (portable code only), "ssse3" (SSE kernels), or unset / anything else (the
// best the CPU runs). It caps what the CPU check allows, never raises it; the point is to compare
// kernels on one machine (benchmarks, tests) with one binary.
#pragma once

namespace dsfill::codec {

enum class SimdCap { kNone, kSsse3, kAvx512 };

// Read once, on first use.
SimdCap simd_cap();

// What an AVX-512 kernel needs beyond AVX-512 F, BW and POPCNT.
enum Avx512Extra : unsigned {
  kAvx512Vl = 1,
  kAvx512Vbmi = 2,
  kAvx512Vbmi2 = 4,
  kBmi2 = 8,
  kPclmul = 16,
};

// True when this CPU (and OS: libgcc reports AVX-512 only when the OS saves its registers) has
// AVX-512 F, BW, POPCNT and every feature in `extras` (Avx512Extra bits). Ignores simd_cap().
// It lives here, in a file built for any x86-64, because the kernels' own files are built with
// AVX-512 enabled and code there may use it before the check has run.
bool cpu_has_avx512(unsigned extras);

}  // namespace dsfill::codec
