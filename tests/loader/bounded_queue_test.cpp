#include "loader/bounded_queue.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace dsfill::loader {
namespace {

TEST(BoundedQueue, TryPushDropsWhenFullInsteadOfWaiting) {
  BoundedQueue<int> q(2);
  EXPECT_TRUE(q.try_push(1));
  EXPECT_TRUE(q.try_push(2));
  EXPECT_FALSE(q.try_push(3));  // full: dropped at once
  EXPECT_EQ(q.pop(), 1);
  EXPECT_TRUE(q.try_push(4));
  q.close();
  EXPECT_FALSE(q.try_push(5));  // closed
  EXPECT_EQ(q.pop(), 2);
  EXPECT_EQ(q.pop(), 4);
  EXPECT_EQ(q.pop(), std::nullopt);
}

TEST(BoundedQueue, PopsInPushOrder) {
  BoundedQueue<int> q(3);
  q.push(1);
  q.push(2);
  q.push(3);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.pop(), 1);
  EXPECT_EQ(q.pop(), 2);
  EXPECT_EQ(q.pop(), 3);
  EXPECT_EQ(q.size(), 0u);
  EXPECT_FALSE(q.closed());
}

TEST(BoundedQueue, CapacityZeroActsAsOne) {
  const BoundedQueue<int> q(0);
  EXPECT_EQ(q.capacity(), 1u);
}

TEST(BoundedQueue, PushWaitsWhileFull) {
  BoundedQueue<int> q(2);
  q.push(1);
  q.push(2);
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    q.push(3);
    pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(pushed.load());  // two items in a queue of two: no room
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.pop(), 1);
  producer.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(q.size(), 2u);
}

TEST(BoundedQueue, CloseDrainsThenEnds) {
  BoundedQueue<int> q(4);
  q.push(1);
  q.push(2);
  q.close();
  EXPECT_FALSE(q.push(3));
  EXPECT_EQ(q.pop(), 1);
  EXPECT_EQ(q.pop(), 2);
  EXPECT_EQ(q.pop(), std::nullopt);
}

TEST(BoundedQueue, CloseAndClearDropsItems) {
  BoundedQueue<int> q(4);
  q.push(1);
  q.close_and_clear();
  EXPECT_EQ(q.pop(), std::nullopt);
}

TEST(BoundedQueue, ProducerBlocksUntilConsumerTakes) {
  BoundedQueue<int> q(1);
  q.push(0);
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    q.push(1);  // blocks: the queue is full
    pushed = true;
  });
  // The producer cannot finish until we pop; pop and then join proves it was unblocked.
  EXPECT_EQ(q.pop(), 0);
  producer.join();
  EXPECT_TRUE(pushed);
  EXPECT_EQ(q.pop(), 1);
}

TEST(BoundedQueue, CloseWakesBlockedProducerAndConsumer) {
  BoundedQueue<int> full(1);
  full.push(0);
  BoundedQueue<int> empty(1);
  bool push_result = true;
  std::optional<int> pop_result = 5;
  std::thread producer([&] { push_result = full.push(1); });
  std::thread consumer([&] { pop_result = empty.pop(); });
  full.close_and_clear();
  empty.close();
  producer.join();
  consumer.join();
  EXPECT_FALSE(push_result);
  EXPECT_EQ(pop_result, std::nullopt);
}

TEST(BoundedQueue, ManyProducersManyConsumersLoseNothing) {
  BoundedQueue<int> q(3);
  constexpr int kPerProducer = 2000;
  std::vector<std::thread> producers;
  producers.reserve(3);
  for (int p = 0; p < 3; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) q.push(p * kPerProducer + i);
    });
  }
  std::atomic<long long> sum{0};
  std::atomic<int> count{0};
  std::vector<std::thread> consumers;
  consumers.reserve(2);
  for (int c = 0; c < 2; ++c) {
    consumers.emplace_back([&] {
      while (auto v = q.pop()) {
        sum += *v;
        ++count;
      }
    });
  }
  for (auto& t : producers) t.join();
  q.close();
  for (auto& t : consumers) t.join();
  const long long n = 3LL * kPerProducer;
  EXPECT_EQ(count, n);
  EXPECT_EQ(sum, n * (n - 1) / 2);
}

}  // namespace
}  // namespace dsfill::loader
