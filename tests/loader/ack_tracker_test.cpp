// AckTracker: out-of-order acknowledgements grow the contiguous prefix only when the gap fills.
#include "loader/ack_tracker.h"

#include <gtest/gtest.h>

namespace dsfill::loader {
namespace {

TEST(AckTracker, StartsAtTheGivenOffsetRowAndSeq) {
  const AckTracker t(10, 2, 5);
  EXPECT_EQ(t.offset(), 10);
  EXPECT_EQ(t.row(), 2);
  EXPECT_EQ(t.next_seq(), 5u);
  EXPECT_EQ(t.rows(), 0u);
  EXPECT_EQ(t.pending(), 0u);
}

TEST(AckTracker, InOrderAckGrowsThePrefix) {
  AckTracker t(0, 1);
  EXPECT_TRUE(t.ack(0, 100, 11, 10));
  EXPECT_EQ(t.offset(), 100);
  EXPECT_EQ(t.row(), 11);
  EXPECT_EQ(t.next_seq(), 1u);
}

TEST(AckTracker, AckPastAGapWaitsWithoutGrowing) {
  AckTracker t(10, 2);
  EXPECT_FALSE(t.ack(1, 200, 20));
  EXPECT_EQ(t.offset(), 10);
  EXPECT_EQ(t.row(), 2);
  EXPECT_EQ(t.next_seq(), 0u);
  EXPECT_EQ(t.pending(), 1u);
}

TEST(AckTracker, FillingTheGapTakesEveryWaitingBatch) {
  AckTracker t(0, 1);
  EXPECT_FALSE(t.ack(2, 300, 30));
  EXPECT_FALSE(t.ack(1, 200, 20));
  EXPECT_TRUE(t.ack(0, 100, 10));
  EXPECT_EQ(t.offset(), 300);
  EXPECT_EQ(t.row(), 30);
  EXPECT_EQ(t.next_seq(), 3u);
  EXPECT_EQ(t.pending(), 0u);
}

TEST(AckTracker, PrefixStopsAtTheNextGap) {
  AckTracker t(0, 1);
  EXPECT_FALSE(t.ack(1, 200, 20));
  EXPECT_FALSE(t.ack(3, 400, 40));
  EXPECT_TRUE(t.ack(0, 100, 10));
  EXPECT_EQ(t.offset(), 200);
  EXPECT_EQ(t.next_seq(), 2u);
  EXPECT_EQ(t.pending(), 1u);  // seq 3 waits for seq 2
}

TEST(AckTracker, RowsCountOnlyTheBatchesInThePrefix) {
  AckTracker t(0, 1);
  t.ack(1, 200, 20, 7);
  EXPECT_EQ(t.rows(), 0u);
  t.ack(0, 100, 10, 9);
  EXPECT_EQ(t.rows(), 16u);
  t.ack(3, 400, 40, 100);
  EXPECT_EQ(t.rows(), 16u);
}

TEST(AckTracker, FirstSeqOtherThanZeroIsHonoured) {
  AckTracker t(500, 50, 4);
  EXPECT_FALSE(t.ack(5, 700, 70));
  EXPECT_TRUE(t.ack(4, 600, 60));
  EXPECT_EQ(t.offset(), 700);
  EXPECT_EQ(t.next_seq(), 6u);
}

TEST(AckTracker, AckBeforeThePrefixIsIgnored) {
  AckTracker t(0, 1, 3);
  EXPECT_FALSE(t.ack(2, 999, 99, 5));
  EXPECT_EQ(t.offset(), 0);
  EXPECT_EQ(t.rows(), 0u);
  EXPECT_EQ(t.pending(), 0u);
}

}  // namespace
}  // namespace dsfill::loader
