// The resume plan, decided from the options and the checkpoint file alone: no server.
#include "loader/resume_plan.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "tests/loader/temp_dir.h"

namespace dsfill::loader {
namespace {

using dsfill::testing::TempDir;
using dsfill::testing::write_file;

struct PlanFixture : ::testing::Test {
  void SetUp() override {
    csv = dir.file("in.csv");
    write_file(csv, "a,b\n1,2\n3,4\n");
    o.input = csv;
    o.url = "http://127.0.0.1:1";
    o.user_code = "u";
    o.dataset_code = "d";
    o.checkpoint = dir.file("ckpt");
    body.prefix = "{";
  }
  // Plans a fresh load and records it with its first batch (bytes 4-`end`, `rows` rows)
  // acknowledged, or with nothing acknowledged when `end` is 0. Returns the fresh plan.
  Plan record(std::int64_t end, std::uint64_t rows, bool finished = false) {
    auto fresh = plan_load(o, body, o.schema.rows, 4, 2);
    EXPECT_TRUE(fresh);
    if (!fresh) return Plan{};
    CheckpointKeeper keeper(o.checkpoint, fresh->checkpoint, o.replace);
    AckTracker acks(4, 2);
    if (end > 0) acks.ack(0, end, 2 + static_cast<std::int64_t>(rows), rows);
    EXPECT_TRUE(keeper.write_now(acks, finished));
    return *fresh;
  }

  TempDir dir;
  std::string csv;
  LoadOptions o;
  codec::BodyTemplate body;
};

TEST_F(PlanFixture, WithoutACheckpointAFreshLoadStartsAfterTheHeader) {
  o.checkpoint.clear();
  auto plan = plan_load(o, body, o.schema.rows, 4, 2);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(plan->resumed);
  EXPECT_EQ(plan->start_offset, 4);
  EXPECT_EQ(plan->start_row, 2);
  EXPECT_FALSE(plan->checkpoint.load_id.empty());
}

TEST_F(PlanFixture, ResumeWithoutACheckpointIsAUsageError) {
  o.resume = true;
  auto plan = plan_load(o, body, o.schema.rows, 4, 2);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, ErrorCode::kBadArgument);
  EXPECT_NE(plan.error().message.find("nothing to resume"), std::string::npos);
}

TEST_F(PlanFixture, AResumeContinuesAtTheRecordedOffsetWithTheRecordedLoadId) {
  const Plan fresh = record(8, 1);

  // A fresh run would abandon the unfinished load: refused.
  auto again = plan_load(o, body, o.schema.rows, 4, 2);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("--resume"), std::string::npos);

  o.resume = true;
  auto resumed = plan_load(o, body, o.schema.rows, 4, 2);
  ASSERT_TRUE(resumed) << resumed.error().message;
  EXPECT_TRUE(resumed->resumed);
  EXPECT_EQ(resumed->start_offset, 8);
  EXPECT_EQ(resumed->start_row, 3);
  EXPECT_EQ(resumed->checkpoint.load_id, fresh.checkpoint.load_id);
}

TEST_F(PlanFixture, AResumeOfAFileChangedWithinItsAcknowledgedPrefixIsRefused) {
  record(8, 1);  // "a,b\n1,2\n" stored
  write_file(csv, "a,b\n1,9\n3,4\n");
  o.resume = true;
  auto plan = plan_load(o, body, o.schema.rows, 4, 2);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("changed within its first 8 bytes"), std::string::npos)
      << plan.error().message;
}

TEST_F(PlanFixture, AResumeOfAFileChangedPastItsAcknowledgedPrefixContinues) {
  const Plan fresh = record(8, 1);
  write_file(csv, "a,b\n1,2\n3,4,fixed\n5,6\n");
  o.resume = true;
  auto plan = plan_load(o, body, o.schema.rows, 4, 2);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->start_offset, 8);
  EXPECT_EQ(plan->checkpoint.load_id, fresh.checkpoint.load_id);
  // From here on the checkpoint describes the fixed file.
  EXPECT_EQ(plan->checkpoint.identity.size, 22);
}

TEST_F(PlanFixture, ARerunAsksInsteadOfAppendingTheSameFileTwice) {
  record(12, 2, /*finished=*/true);
  auto again = plan_load(o, body, o.schema.rows, 4, 2);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already finished"), std::string::npos);
  EXPECT_NE(again.error().message.find("--restart"), std::string::npos);
  o.restart = true;
  EXPECT_TRUE(plan_load(o, body, o.schema.rows, 4, 2));
  o.restart = false;
  write_file(csv, "a,b\n7,8\n");  // tonight's file: a new load
  EXPECT_TRUE(plan_load(o, body, o.schema.rows, 4, 2));
}

TEST_F(PlanFixture, AnotherLoadsCheckpointIsLeftAlone) {
  record(12, 2, /*finished=*/true);
  o.dataset_code = "test";
  o.auto_resume = true;
  auto plan = plan_load(o, body, o.schema.rows, 4, 2);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("another load"), std::string::npos);
}

TEST_F(PlanFixture, AReplaceThatDiedBeforeItsTruncationTruncatesAgain) {
  o.replace = true;
  EXPECT_TRUE(record(0, 0).replace);
  o.resume = true;
  auto before = plan_load(o, body, o.schema.rows, 4, 2);
  ASSERT_TRUE(before);
  EXPECT_TRUE(before->replace);  // nothing acknowledged: the truncation is still to come
  o.resume = false;
  std::filesystem::remove(o.checkpoint);
  record(8, 1);
  o.resume = true;
  auto after = plan_load(o, body, o.schema.rows, 4, 2);
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->replace);  // truncated already: the rest appends
}

TEST_F(PlanFixture, AFinishedLoadResumesToNothing) {
  record(12, 2, true);
  o.resume = true;
  auto plan = plan_load(o, body, o.schema.rows, 4, 2);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->already_finished);
  const LoadReport r = finished_report(o, *plan);
  EXPECT_TRUE(r.already_finished);
  EXPECT_EQ(r.rows_before, 2u);
}

}  // namespace
}  // namespace dsfill::loader
