// --level auto's controller: waiting for the sender raises the level, never waiting lowers it,
// within the range, one step per decision.
#include "loader/level_controller.h"

#include <gtest/gtest.h>

namespace dsfill::loader {
namespace {

void report_batches(LevelController& c, int n, double busy, double wait) {
  for (int i = 0; i < n; ++i) c.report(c.level(), busy, wait);
}

TEST(LevelController, WaitingForTheSenderRaisesTheLevel) {
  LevelController c(6, 1, 12);
  report_batches(c, LevelController::kBatchesPerDecision, 0.05, 0.05);  // half the time waiting
  EXPECT_EQ(c.level(), 7);
  report_batches(c, 100 * LevelController::kBatchesPerDecision, 0.05, 0.05);
  EXPECT_EQ(c.level(), 12);  // and no further
}

TEST(LevelController, NeverWaitingLowersTheLevel) {
  LevelController c(6, 1, 12);
  report_batches(c, LevelController::kBatchesPerDecision - 1, 0.05, 0.0);
  EXPECT_EQ(c.level(), 6);  // no decision before enough batches
  report_batches(c, 1, 0.05, 0.0);
  EXPECT_EQ(c.level(), 5);
  report_batches(c, 100 * LevelController::kBatchesPerDecision, 0.05, 0.0);
  EXPECT_EQ(c.level(), 1);
}

TEST(LevelController, ModerateWaitingKeepsTheLevel) {
  LevelController c(4, 0, 3);  // ISA-L's range; the start is clamped into it
  EXPECT_EQ(c.level(), 3);
  report_batches(c, 10 * LevelController::kBatchesPerDecision, 0.95, 0.05);  // 5% waiting
  EXPECT_EQ(c.level(), 3);
}

TEST(LevelController, CountsBatchesPerLevel) {
  LevelController c(2, 1, 3);
  c.report(2, 1, 0);
  c.report(2, 1, 0);
  c.report(3, 1, 0);
  const auto per_level = c.batches_per_level();
  ASSERT_EQ(per_level.size(), 4u);
  EXPECT_EQ(per_level[1], 0u);
  EXPECT_EQ(per_level[2], 2u);
  EXPECT_EQ(per_level[3], 1u);
}

}  // namespace
}  // namespace dsfill::loader
