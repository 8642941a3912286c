#include "loader/heap_tuning.h"

// <cstddef> first: it defines __GLIBC__ (through <features.h>), which the test below needs. Without
// a libc header before it the test was always false, and the tuning compiled to nothing.
#include <cstddef>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace dsfill::loader {

void keep_freed_blocks_warm() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum on 64-bit
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

}  // namespace dsfill::loader
