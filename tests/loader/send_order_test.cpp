// SendOrder: the sink's ordering and gating rules, with no I/O.
#include "loader/send_order.h"

#include <gtest/gtest.h>

namespace dsfill::loader {
namespace {

TEST(SendOrder, BatchesGoInSequenceOrderWhateverOrderTheyArrive) {
  SendOrder order(0, 1, false);
  order.arrive(2, false);
  order.arrive(1, false);
  EXPECT_FALSE(order.next(0));  // batch 0 is not here yet: nothing may overtake it
  EXPECT_TRUE(order.has_waiting());
  order.arrive(0, false);
  EXPECT_EQ(order.next(0), 0u);
  EXPECT_EQ(order.next(1), 1u);
  EXPECT_EQ(order.next(2), 2u);
  EXPECT_FALSE(order.next(3));
  EXPECT_FALSE(order.has_waiting());
}

TEST(SendOrder, ARetryGoesBeforeBatchesNotYetSent) {
  SendOrder order(0, 1, false);
  for (std::uint64_t seq = 0; seq < 3; ++seq) order.arrive(seq, false);
  EXPECT_EQ(order.next(0), 0u);
  order.retry(0, false);
  EXPECT_EQ(order.next(0), 0u);
  EXPECT_EQ(order.next(1), 1u);
}

TEST(SendOrder, ReplaceSendsNothingBesideTheTruncatingBatchUntilItIsAcknowledged) {
  SendOrder order(10, 2, true);
  order.arrive(1, false);
  order.arrive(0, true);
  EXPECT_FALSE(order.gate_open());
  EXPECT_EQ(order.next(0), 0u);
  EXPECT_FALSE(order.next(1));  // batch 1 waits for the truncation's acknowledgement
  EXPECT_FALSE(order.next(0));  // ... even with no request in flight
  EXPECT_TRUE(order.acknowledge(0, 20, 5, 3, true));
  EXPECT_TRUE(order.gate_open());
  EXPECT_EQ(order.next(0), 1u);
}

TEST(SendOrder, ARetriedTruncationStillGoesAloneAndFirst) {
  SendOrder order(0, 1, true);
  order.arrive(0, true);
  order.arrive(1, false);
  EXPECT_EQ(order.next(0), 0u);
  order.retry(0, true);
  EXPECT_FALSE(order.next(1));  // another request in flight: the truncation waits
  EXPECT_EQ(order.next(0), 0u);
}

TEST(SendOrder, ThePrefixGrowsOnlyWhenItsGapCloses) {
  SendOrder order(100, 2, false);
  EXPECT_FALSE(order.acknowledge(1, 300, 9, 4, false));
  EXPECT_EQ(order.acks().offset(), 100);
  EXPECT_TRUE(order.acknowledge(0, 200, 5, 3, false));
  EXPECT_EQ(order.acks().offset(), 300);
  EXPECT_EQ(order.acks().row(), 9);
  EXPECT_EQ(order.acks().rows(), 7u);
}

TEST(SendOrder, TakeAllEmptiesTheLineInSequenceOrder) {
  SendOrder order(0, 1, false);
  order.arrive(3, false);
  order.arrive(0, false);
  order.arrive(1, false);
  EXPECT_EQ(order.take_all(), (std::vector<std::uint64_t>{0, 1, 3}));
  EXPECT_FALSE(order.has_waiting());
  EXPECT_FALSE(order.next(0));
}

}  // namespace
}  // namespace dsfill::loader
