// SeqWindow: batch `seq` enters only while seq < released + capacity; close() ends every wait.
#include "loader/seq_window.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace dsfill::loader {
namespace {

// Long enough for a thread that is not blocked to have run its enter().
constexpr auto kSettle = std::chrono::milliseconds(50);

TEST(SeqWindow, AdmitsSeqsBelowTheCapacityWithoutWaiting) {
  SeqWindow window(2);
  EXPECT_TRUE(window.enter(0));
  EXPECT_TRUE(window.enter(1));
}

TEST(SeqWindow, AdmitsOnlySeqsWithinCapacityOfTheReleased) {
  SeqWindow window(2);
  EXPECT_TRUE(window.enter(0));
  EXPECT_TRUE(window.enter(1));
  std::atomic<bool> entered{false};
  std::thread late([&] { entered = window.enter(3); });
  std::this_thread::sleep_for(kSettle);
  EXPECT_FALSE(entered.load());  // 3 >= 0 released + 2
  window.release();              // 3 >= 1 + 2: still waits
  std::this_thread::sleep_for(kSettle);
  EXPECT_FALSE(entered.load());
  window.release();  // 3 < 2 + 2
  late.join();
  EXPECT_TRUE(entered.load());
}

TEST(SeqWindow, EnterCountsTheBatchesStillInTheWindow) {
  SeqWindow window(4);
  std::size_t held = 99;
  EXPECT_TRUE(window.enter(0, &held));
  EXPECT_EQ(held, 0u);
  EXPECT_TRUE(window.enter(2, &held));  // out of order is fine
  EXPECT_EQ(held, 1u);
  EXPECT_TRUE(window.enter(1, &held));
  EXPECT_EQ(held, 2u);
  window.release();
  window.release();
  EXPECT_TRUE(window.enter(3, &held));
  EXPECT_EQ(held, 1u);
}

TEST(SeqWindow, CapacityZeroActsAsOne) {
  SeqWindow window(0);
  EXPECT_TRUE(window.enter(0));
  std::atomic<bool> entered{false};
  std::thread next([&] { entered = window.enter(1); });
  std::this_thread::sleep_for(kSettle);
  EXPECT_FALSE(entered.load());
  window.release();
  next.join();
  EXPECT_TRUE(entered.load());
}

TEST(SeqWindow, CloseWakesWaitersAndRefusesLaterEntries) {
  SeqWindow window(1);
  std::atomic<int> result{-1};
  std::thread waiter([&] { result = window.enter(5) ? 1 : 0; });
  window.close();
  waiter.join();
  EXPECT_EQ(result.load(), 0);
  EXPECT_FALSE(window.enter(0));
}

}  // namespace
}  // namespace dsfill::loader
