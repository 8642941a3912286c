// What this CPU (and OS) runs, for the kernel sets of the dispatch table (simd_dispatch.h). It
// lives in a file built for any target, because the kernels' own files are built with wider
// instruction sets and code there may use them before the check has run.
#pragma once

namespace dsfill::codec {

// What an AVX-512 kernel needs beyond AVX-512 F, BW and POPCNT.
enum Avx512Extra : unsigned {
  kAvx512Vl = 1,
  kAvx512Vbmi = 2,
  kAvx512Vbmi2 = 4,
  kBmi2 = 8,
  kPclmul = 16,
};

// True when this CPU (and OS: libgcc reports AVX-512 only when the OS saves its registers) has
// AVX-512 F, BW, POPCNT and every feature in `extras` (Avx512Extra bits). False off x86.
bool cpu_has_avx512(unsigned extras);

// True when this CPU has SSSE3 and POPCNT. False off x86.
bool cpu_has_ssse3();

}  // namespace dsfill::codec
