// SegmentPool (loader/segment_pool.h): buffers come back when their last user is gone, from any
// thread, and are handed out again instead of being mapped anew.
#include "loader/segment_pool.h"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

namespace dsfill::loader {
namespace {

TEST(SegmentPool, ABufferHandedBackIsHandedOutAgain) {
  SegmentPool pool;
  auto first = pool.get(9u << 20);
  char* const address = first.get();
  std::memset(address, 'x', 9u << 20);
  auto copy = first;  // a second batch of the same segment
  first.reset();
  EXPECT_EQ(pool.spare(), 0u) << "still viewed by a batch";
  copy.reset();
  EXPECT_EQ(pool.spare(), 1u);
  auto again = pool.get(4u << 20);  // smaller: the idle buffer fits
  EXPECT_EQ(again.get(), address);
  EXPECT_EQ(again[0], 'x') << "a reused buffer keeps its contents; the chunker overwrites them";
  EXPECT_EQ(pool.mapped(), 1u);
}

TEST(SegmentPool, ABufferTooSmallIsNotHandedOut) {
  SegmentPool pool;
  pool.get(1u << 20).reset();
  auto big = pool.get(16u << 20);
  EXPECT_EQ(pool.mapped(), 2u);
  big[(16u << 20) - 1] = 1;  // all of it is mapped
  EXPECT_EQ(pool.spare(), 1u);
}

TEST(SegmentPool, KeepsNoMoreIdleBuffersThanAsked) {
  SegmentPool pool(2);
  std::vector<std::shared_ptr<char[]>> held;
  for (int i = 0; i < 5; ++i) held.push_back(pool.get(1u << 20));
  held.clear();
  EXPECT_EQ(pool.spare(), 2u);
  EXPECT_EQ(pool.mapped(), 5u);
}

TEST(SegmentPool, BuffersMayOutliveThePoolAndComeBackFromOtherThreads) {
  std::vector<std::shared_ptr<char[]>> held;
  {
    SegmentPool pool;
    for (int i = 0; i < 3; ++i) held.push_back(pool.get(1u << 20));
    std::thread other([b = held[0]]() mutable { b.reset(); });
    held[0].reset();
    other.join();
    EXPECT_EQ(pool.spare(), 1u);
  }
  // The pool is gone: these are unmapped when dropped (ASan and valgrind check no leak).
  held[1][0] = 'a';
  std::thread other([h = std::move(held)]() mutable { h.clear(); });
  other.join();
}

}  // namespace
}  // namespace dsfill::loader
