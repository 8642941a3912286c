#include "loader/level_controller.h"

#include <gtest/gtest.h>

namespace dsfill::loader {
namespace {

constexpr std::size_t kBatch = 1'000'000;  // CSV bytes per reported batch

void report_batches(LevelController& c, int n, double busy, double wait) {
  for (int i = 0; i < n; ++i) c.report(c.level(), kBatch, busy, wait);
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
  EXPECT_EQ(c.level(), 4);  // never waiting at all: two steps
  report_batches(c, 100 * LevelController::kBatchesPerDecision, 0.05, 0.0);
  EXPECT_EQ(c.level(), 1);
}

TEST(LevelController, RarelyWaitingLowersOneStep) {
  LevelController c(6, 1, 12);
  report_batches(c, LevelController::kBatchesPerDecision, 0.98, 0.02);  // 2% waiting
  EXPECT_EQ(c.level(), 5);
  LevelController low(2, 1, 12);
  report_batches(low, LevelController::kBatchesPerDecision, 0.05, 0.0);
  EXPECT_EQ(low.level(), 1);  // two steps, but not below the lowest level
}

TEST(LevelController, ModerateWaitingKeepsTheLevel) {
  LevelController c(4, 0, 3);  // ISA-L's range; the start is clamped into it
  EXPECT_EQ(c.level(), 3);
  report_batches(c, 10 * LevelController::kBatchesPerDecision, 0.95, 0.05);  // 5% waiting
  EXPECT_EQ(c.level(), 3);
}

// The link carries 10 MB/s per encoder at level 7 (0.05 s working + 0.05 s waiting per MB).
// Level 8 encodes at only 5 MB/s: tried once, it is not taken again while that figure is fresh.
TEST(LevelController, DoesNotReturnToALevelTooSlowForTheLink) {
  constexpr int kDecide = LevelController::kBatchesPerDecision;
  LevelController c(7, 1, 12);
  report_batches(c, kDecide, 0.05, 0.05);
  ASSERT_EQ(c.level(), 8);                 // untried: probed
  report_batches(c, kDecide, 0.2, 0.003);  // 5 MB/s, hardly waiting: the encoders are behind
  ASSERT_EQ(c.level(), 7);
  EXPECT_NEAR(c.speed(8), 5e6, 1);
  for (int i = 0; i < LevelController::kStaleDecisions - 1; ++i) {
    report_batches(c, kDecide, 0.05, 0.05);
    ASSERT_EQ(c.level(), 7) << i;  // waiting, yet level 8 could not keep up
  }
  // Once the figure is stale (the link may be slower now), level 8 is tried again.
  report_batches(c, 2 * kDecide, 0.05, 0.05);
  EXPECT_EQ(c.level(), 8);
}

TEST(LevelController, ReturnsToALevelFastEnoughForTheLink) {
  constexpr int kDecide = LevelController::kBatchesPerDecision;
  LevelController c(3, 1, 12);
  report_batches(c, kDecide, 0.05, 0.05);
  ASSERT_EQ(c.level(), 4);
  // Level 4 runs at 12.5 MB/s, more than the 10 MB/s delivered at 3, but this period the
  // encoders hardly waited: down to 3, and back up since 4 is fast enough.
  report_batches(c, kDecide, 0.08, 0.0017);  // 2% waiting: one step
  ASSERT_EQ(c.level(), 3);
  report_batches(c, kDecide, 0.05, 0.05);
  EXPECT_EQ(c.level(), 4);
}

TEST(LevelController, WarmupAndBatchesOfAnOldLevelDecideNothing) {
  constexpr int kDecide = LevelController::kBatchesPerDecision;
  LevelController c(6, 1, 12, /*warmup=*/5);
  report_batches(c, 5, 0.05, 0.0);  // the window filling: nobody waits yet
  EXPECT_EQ(c.level(), 6);
  report_batches(c, kDecide, 0.05, 0.05);
  ASSERT_EQ(c.level(), 7);
  for (int i = 0; i < 3 * kDecide; ++i) c.report(6, kBatch, 0.05, 0.05);  // begun at 6
  EXPECT_EQ(c.level(), 7);
  EXPECT_EQ(c.batches_per_level()[6], static_cast<std::uint64_t>(5 + kDecide + 3 * kDecide));
}

// Before the window fills nobody waits, whatever the link; a batch that finds a connection free
// and nothing ahead of it (backlog < senders) shows the link waiting for the encoders.
TEST(LevelController, BatchesTheLinkAwaitsLowerTheLevelDuringTheWarmup) {
  constexpr int kSenders = 2;
  LevelController c(6, 1, 12, /*warmup=*/20, kSenders);
  c.report(6, kBatch, 0.05, 0.0, 0);
  c.report(6, kBatch, 0.05, 0.0, 1);
  EXPECT_EQ(c.level(), 6);  // the first `senders` batches always find a connection free
  c.report(6, kBatch, 0.05, 0.0, 1);
  c.report(6, kBatch, 0.05, 0.0, kSenders);  // the link is behind now: the run starts over
  c.report(6, kBatch, 0.05, 0.0, 0);
  EXPECT_EQ(c.level(), 6);
  c.report(6, kBatch, 0.05, 0.0, 0);
  EXPECT_EQ(c.level(), 4);            // two in a row
  c.report(6, kBatch, 0.05, 0.0, 0);  // begun at 6: counts for nothing
  c.report(4, kBatch, 0.05, 0.0, 0);
  EXPECT_EQ(c.level(), 4);
  c.report(4, kBatch, 0.05, 0.0, 0);
  EXPECT_EQ(c.level(), 2);

  // A link that is always behind keeps the level through the warmup.
  LevelController slow(6, 1, 12, /*warmup=*/20, kSenders);
  for (int i = 0; i < 20; ++i) slow.report(6, kBatch, 0.05, 0.0, kSenders + 1);
  EXPECT_EQ(slow.level(), 6);
}

TEST(LevelController, CountsBatchesPerLevel) {
  LevelController c(2, 1, 3);
  c.report(2, kBatch, 1, 0);
  c.report(2, kBatch, 1, 0);
  c.report(3, kBatch, 1, 0);
  const auto per_level = c.batches_per_level();
  ASSERT_EQ(per_level.size(), 4u);
  EXPECT_EQ(per_level[1], 0u);
  EXPECT_EQ(per_level[2], 2u);
  EXPECT_EQ(per_level[3], 1u);
  EXPECT_EQ(c.speed(1), 0);
  EXPECT_NEAR(c.speed(2), 1e6, 1);
}

// --codec auto: the controller walks steps over both backends; level() is a step index and
// setting() its backend and level. Encoders that never wait reach the fastest step (ISA-L 1 where
// built in), and waiting climbs back to libdeflate's levels.
TEST(LevelController, WalksStepsOverBothBackends) {
  const std::vector<codec::GzipSetting> steps = codec::gzip_auto_steps();
  const int last = static_cast<int>(steps.size()) - 1;
  LevelController c(steps, 7);
  EXPECT_EQ(c.setting(7), steps[7]);
  EXPECT_EQ(c.setting(last + 5), steps.back());  // out of range: clamped
  report_batches(c, 100 * LevelController::kBatchesPerDecision, 0.05, 0.0);
  EXPECT_EQ(c.level(), 0);
  EXPECT_EQ(c.setting(c.level()), steps.front());
  report_batches(c, 100 * LevelController::kBatchesPerDecision, 0.05, 0.05);
  EXPECT_EQ(c.level(), last);
  EXPECT_EQ(c.setting(c.level()), (codec::GzipSetting{codec::GzipBackend::kLibdeflate, 12}));
  const std::vector<std::string> names = c.step_names();
  ASSERT_EQ(names.size(), steps.size());
  EXPECT_EQ(names.back(), "12");
  if (codec::gzip_backend_available(codec::GzipBackend::kIsal)) {
    EXPECT_EQ(names[0], "isal 1");
  }
}

TEST(LevelController, LevelsOfOneBackendHaveNoSettings) {
  LevelController c(6, 1, 12);
  EXPECT_FALSE(c.setting(6).has_value());
  EXPECT_TRUE(c.step_names().empty());
}

}  // namespace
}  // namespace dsfill::loader
