#include "loader/segment_pool.h"

#include <sys/mman.h>

#include <algorithm>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#if defined(__has_include)
#if __has_include(<sanitizer/asan_interface.h>)
#include <sanitizer/asan_interface.h>
#endif
#endif
#if !defined(ASAN_POISON_MEMORY_REGION)
#define ASAN_POISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#define ASAN_UNPOISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#endif

namespace dsfill::loader {

namespace {

// Transparent huge pages are 2 MiB on x86-64 and on most arm64 kernels; a mapping gets them only
// on 2 MiB-aligned ranges, so buffers are rounded and aligned to it.
constexpr std::size_t kHugePage = 2u << 20;

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

// Maps `bytes` (a multiple of kHugePage) aligned to kHugePage, or returns nullptr.
char* map_aligned(std::size_t bytes) {
  const std::size_t over = bytes + kHugePage;
  void* raw = mmap(nullptr, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  char* const begin = static_cast<char*>(raw);
  char* const aligned =
      reinterpret_cast<char*>(round_up(reinterpret_cast<std::uintptr_t>(begin), kHugePage));
  // Unmaps the unaligned head and the rest of the tail.
  if (aligned > begin) munmap(begin, static_cast<std::size_t>(aligned - begin));
  char* const end = aligned + bytes;
  if (begin + over > end) munmap(end, static_cast<std::size_t>(begin + over - end));
#if defined(MADV_HUGEPAGE)
  // Advice only: where the kernel has no huge pages to give (or THP is off), 4 KiB pages serve.
  madvise(aligned, bytes, MADV_HUGEPAGE);
#endif
  return aligned;
}

struct Buffer {
  char* data;
  std::size_t bytes;
};

}  // namespace

struct SegmentPool::State {
  explicit State(std::size_t max) : max_spare(max) {}
  ~State() {
    for (const Buffer& b : spare) unmap(b);
  }
  static void unmap(const Buffer& b) {
    // A later mapping may land at the same addresses: leave no poison behind.
    ASAN_UNPOISON_MEMORY_REGION(b.data, b.bytes);
    munmap(b.data, b.bytes);
  }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  // Takes a buffer back: idle, or unmapped when enough are idle (the smallest goes first, as a
  // record longer than a batch leaves one bigger buffer that later segments may need again).
  void give_back(Buffer b) {
    // Under AddressSanitizer an idle buffer is poisoned, so a view that outlived its batch's
    // ownership is reported as a use after free, as it was when segments came from the heap.
    ASAN_POISON_MEMORY_REGION(b.data, b.bytes);
    std::unique_lock lock(mutex);
    spare.push_back(b);
    if (spare.size() <= max_spare) return;
    auto smallest =
        std::min_element(spare.begin(), spare.end(),
                         [](const Buffer& x, const Buffer& y) { return x.bytes < y.bytes; });
    const Buffer drop = *smallest;
    spare.erase(smallest);
    lock.unlock();
    unmap(drop);
  }

  const std::size_t max_spare;
  mutable std::mutex mutex;
  std::vector<Buffer> spare;
  std::uint64_t mapped = 0;
};

SegmentPool::SegmentPool(std::size_t max_spare) : state_(std::make_shared<State>(max_spare)) {}

std::shared_ptr<char[]> SegmentPool::get(std::size_t bytes) {
  Buffer buffer{nullptr, 0};
  {
    std::lock_guard lock(state_->mutex);
    auto& spare = state_->spare;
    // The smallest idle buffer that fits.
    auto best = spare.end();
    for (auto it = spare.begin(); it != spare.end(); ++it) {
      if (it->bytes >= bytes && (best == spare.end() || it->bytes < best->bytes)) best = it;
    }
    if (best != spare.end()) {
      buffer = *best;
      spare.erase(best);
    }
  }
  if (buffer.data == nullptr) {
    const std::size_t size = round_up(std::max<std::size_t>(bytes, 1), kHugePage);
    buffer = {map_aligned(size), size};
    if (buffer.data == nullptr) throw std::bad_alloc();
    std::lock_guard lock(state_->mutex);
    ++state_->mapped;
  }
  // Under AddressSanitizer only the bytes asked for are addressable: a kernel reading past a
  // segment's padding is reported as it was when segments came from the heap at their size.
  ASAN_UNPOISON_MEMORY_REGION(buffer.data, bytes);
  ASAN_POISON_MEMORY_REGION(buffer.data + bytes, buffer.bytes - bytes);
  // The deleter holds the state, so a buffer outliving the pool (a batch still in the sender)
  // still has somewhere to go back to.
  return std::shared_ptr<char[]>(buffer.data,
                                 [state = state_, buffer](char*) { state->give_back(buffer); });
}

std::uint64_t SegmentPool::mapped() const {
  std::lock_guard lock(state_->mutex);
  return state_->mapped;
}

std::size_t SegmentPool::spare() const {
  std::lock_guard lock(state_->mutex);
  return state_->spare.size();
}

}  // namespace dsfill::loader
