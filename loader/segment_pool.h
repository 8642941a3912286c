// The chunker's read segments: big buffers (a batch and a read, about 9 MiB) that batches view
// and share, handed back here when the last batch cut from one is gone, and handed out again.
//
// Why not the heap: first touching a page costs a page fault, which on the virtual machines we
// measure on costs ~14 us (the pvm_irq_enable exit), and a fresh 9 MiB segment is 2,300 of them.
// glibc gives a thread's big blocks back to the kernel when a heap of its arena empties (whatever
// M_TRIM_THRESHOLD says), so the reader kept faulting in memory it had just freed. Buffers here
// are mapped once, asked for transparent huge pages (one fault per 2 MiB where the kernel has
// them), and kept while batches are in flight.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace dsfill::loader {

class SegmentPool {
 public:
  // Keeps at most `max_spare` idle buffers; a buffer handed back beyond that is unmapped.
  explicit SegmentPool(std::size_t max_spare = 4);

  // Returns a buffer of at least `bytes` bytes, an idle one if one is big enough (its contents
  // are whatever it last held), else a newly mapped one (zero-filled). The buffer comes back to
  // the pool when the last copy of the pointer is gone, from any thread, even after the pool
  // itself is destroyed (it is then unmapped). Throws std::bad_alloc when memory is exhausted, as
  // new would.
  std::shared_ptr<char[]> get(std::size_t bytes);

  // Buffers mapped so far, and idle ones now (for tests and benchmarks).
  std::uint64_t mapped() const;
  std::size_t spare() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace dsfill::loader
