// keep_freed_blocks_warm (loader/heap_tuning.h): blocks of the pipeline's size come from the heap
// and stay there after free, so the next batch reuses pages the kernel has already faulted in.
// Its own executable: glibc's mmap threshold moves with what a process freed before, and this
// test must see the allocator as dsfill's main() leaves it.
#include "loader/heap_tuning.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace dsfill::loader {
namespace {

#if defined(__SANITIZE_ADDRESS__)
#define DSFILL_OWN_ALLOCATOR 1  // AddressSanitizer's malloc replaces glibc's (GCC)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define DSFILL_OWN_ALLOCATOR 1  // (clang)
#endif
#endif

TEST(HeapTuning, BatchSizedBlocksComeFromTheHeapAndAreNotTrimmedOnFree) {
#if !defined(__GLIBC__) || defined(DSFILL_OWN_ALLOCATOR)
  GTEST_SKIP() << "glibc's allocator only (a sanitizer's malloc replaces it)";
#else
  keep_freed_blocks_warm();
  constexpr std::size_t kBlock = 16u << 20;  // a read segment or a JSON buffer
  const struct mallinfo2 before = mallinfo2();
  void* block = std::malloc(kBlock);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kBlock);
  asm volatile("" : : "r"(block) : "memory");  // keeps the compiler from dropping the pair
  const struct mallinfo2 during = mallinfo2();
  // glibc's default maps every block over 128 KiB on its own and unmaps it on free: each batch
  // would fault its pages in again.
  EXPECT_EQ(during.hblks, before.hblks) << "a 16 MiB block was mmap()ed on its own";
  EXPECT_GE(during.arena, before.arena + kBlock);
  std::free(block);
  const struct mallinfo2 after = mallinfo2();
  EXPECT_EQ(after.arena, during.arena) << "the heap was trimmed when the block was freed";
#endif
}

// The VmFlags of the mapping that holds `at`, from /proc/self/smaps ("" if none is found).
std::string vm_flags_of(const void* at) {
  const auto addr = reinterpret_cast<std::uintptr_t>(at);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t lo = 0;
    std::uintptr_t hi = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= addr && addr < hi;  // a mapping's first line: "lo-hi perms ..."
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line.substr(8);
    }
  }
  return "";
}

TEST(HeapTuning, AnEncoderThreadsHeapIsAdvisedHugePages) {
#if !defined(__GLIBC__) || defined(DSFILL_OWN_ALLOCATOR)
  GTEST_SKIP() << "glibc's allocator only (a sanitizer's malloc replaces it)";
#else
  keep_freed_blocks_warm();
  std::string flags;
  std::thread([&flags] {  // a thread of its own gets an arena of its own, as an encoder does
    advise_thread_heap_huge_pages();
    void* buffer = std::malloc(8u << 20);  // a JSON buffer's size
    ASSERT_NE(buffer, nullptr);
    std::memset(buffer, 1, 8u << 20);
    flags = vm_flags_of(buffer);
    std::free(buffer);
  })
      .join();
  ASSERT_FALSE(flags.empty()) << "no mapping in /proc/self/smaps holds the buffer";
  EXPECT_NE(flags.find(" hg"), std::string::npos) << "VmFlags:" << flags;
#endif
}

}  // namespace
}  // namespace dsfill::loader
