// The resume plan, decided from the options and the checkpoint file alone: no server.
#include "loader/resume_plan.h"

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
  TempDir dir;
  std::string csv;
  LoadOptions o;
  codec::BodyTemplate body;
};

TEST_F(PlanFixture, WithoutACheckpointAFreshLoadStartsAfterTheHeader) {
  o.checkpoint.clear();
  auto plan = plan_load(o, body, 4, 2);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(plan->resumed);
  EXPECT_EQ(plan->start_offset, 4);
  EXPECT_EQ(plan->start_row, 2);
  EXPECT_FALSE(plan->checkpoint.load_id.empty());
}

TEST_F(PlanFixture, ResumeWithoutACheckpointIsAUsageError) {
  o.resume = true;
  auto plan = plan_load(o, body, 4, 2);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, ErrorCode::kBadArgument);
  EXPECT_NE(plan.error().message.find("nothing to resume"), std::string::npos);
}

TEST_F(PlanFixture, AResumeContinuesAtTheRecordedOffsetWithTheRecordedLoadId) {
  auto fresh = plan_load(o, body, 4, 2);
  ASSERT_TRUE(fresh);
  CheckpointKeeper keeper(o.checkpoint, fresh->checkpoint, false);
  AckTracker acks(4, 2);
  acks.ack(0, 8, 3, 1);
  ASSERT_TRUE(keeper.write_now(acks, false));

  // A fresh run would abandon the unfinished load: refused.
  auto again = plan_load(o, body, 4, 2);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("--resume"), std::string::npos);

  o.resume = true;
  auto resumed = plan_load(o, body, 4, 2);
  ASSERT_TRUE(resumed) << resumed.error().message;
  EXPECT_TRUE(resumed->resumed);
  EXPECT_EQ(resumed->start_offset, 8);
  EXPECT_EQ(resumed->start_row, 3);
  EXPECT_EQ(resumed->checkpoint.load_id, fresh->checkpoint.load_id);
}

TEST_F(PlanFixture, AResumeOfAChangedFileIsRefused) {
  auto fresh = plan_load(o, body, 4, 2);
  ASSERT_TRUE(fresh);
  CheckpointKeeper keeper(o.checkpoint, fresh->checkpoint, false);
  ASSERT_TRUE(keeper.write_now(AckTracker(4, 2), false));
  write_file(csv, "a,b\n1,2\n3,4\n5,6\n");
  o.resume = true;
  auto plan = plan_load(o, body, 4, 2);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("differ"), std::string::npos) << plan.error().message;
}

TEST_F(PlanFixture, AReplaceThatDiedBeforeItsTruncationTruncatesAgain) {
  o.replace = true;
  auto fresh = plan_load(o, body, 4, 2);
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(fresh->replace);
  CheckpointKeeper keeper(o.checkpoint, fresh->checkpoint, true);
  ASSERT_TRUE(keeper.write_now(AckTracker(4, 2), false));
  o.resume = true;
  auto before = plan_load(o, body, 4, 2);
  ASSERT_TRUE(before);
  EXPECT_TRUE(before->replace);  // nothing acknowledged: the truncation is still to come
  AckTracker acks(4, 2);
  acks.ack(0, 8, 3, 1);
  ASSERT_TRUE(keeper.write_now(acks, false));
  auto after = plan_load(o, body, 4, 2);
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->replace);  // truncated already: the rest appends
}

TEST_F(PlanFixture, AFinishedLoadResumesToNothing) {
  auto fresh = plan_load(o, body, 4, 2);
  ASSERT_TRUE(fresh);
  CheckpointKeeper keeper(o.checkpoint, fresh->checkpoint, false);
  AckTracker acks(4, 2);
  acks.ack(0, 12, 4, 2);
  ASSERT_TRUE(keeper.write_now(acks, true));
  o.resume = true;
  auto plan = plan_load(o, body, 4, 2);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->already_finished);
  const LoadReport r = finished_report(o, *plan);
  EXPECT_TRUE(r.already_finished);
  EXPECT_EQ(r.rows_before, 2u);
}

}  // namespace
}  // namespace dsfill::loader
