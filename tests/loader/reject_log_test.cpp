// The rejects file and its errors: byte for byte, in file order, exactly once across a resume.
#include "loader/reject_log.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "tests/loader/temp_dir.h"

namespace dsfill::loader {
namespace {

using testing::slurp;
using testing::TempDir;

codec::RowReject reject(std::int64_t row, std::string record, codec::RejectReason reason,
                        std::size_t field = 0) {
  codec::RowReject r;
  r.row = row;
  r.byte_offset = row * 10;
  r.record = std::move(record);
  r.field = field;
  r.value = "v";
  r.value += std::to_string(row);
  r.reason = reason;
  r.message = "bad ";
  r.message += std::to_string(row);
  return r;
}

std::vector<codec::RowReject> one(codec::RowReject r) {
  std::vector<codec::RowReject> v;
  v.push_back(std::move(r));
  return v;
}

TEST(BadRowLimits, TheLargerOfCountAndRatioApplies) {
  EXPECT_EQ((BadRowLimits{}).allowed(1'000'000), 0u);
  EXPECT_EQ((BadRowLimits{.max_rows = 50}).allowed(10), 50u);
  EXPECT_EQ((BadRowLimits{.max_rows = 5, .max_ratio = 0.01}).allowed(1000), 10u);
  EXPECT_EQ((BadRowLimits{.max_rows = 50, .max_ratio = 0.01}).allowed(1000), 50u);
}

TEST(RejectBudget, CountsUntilPastTheLimit) {
  RejectBudget budget({.max_rows = 3}, 0, 0);
  EXPECT_TRUE(budget.count(100, 2));
  EXPECT_TRUE(budget.count(100, 1));
  EXPECT_FALSE(budget.count(100, 1));
  EXPECT_EQ(budget.rejects(), 4u);
  // A resume starts from what the earlier runs left out.
  RejectBudget resumed({.max_rows = 3}, 1000, 3);
  EXPECT_FALSE(resumed.count(10, 1));
}

TEST(RejectLog, WritesTheHeaderThenEachRecordByteForByteInFileOrder) {
  TempDir dir;
  const std::string path = dir.file("r.csv");
  auto log = RejectLog::open(path, "id,name\r\n", nullptr, {"id", "name"});
  ASSERT_TRUE(log.has_value()) << log.error().message;
  (*log)->hold(1, one(reject(7, "7,\"a\"b\r\n", codec::RejectReason::kAfterQuote, 2)));
  (*log)->hold(0, one(reject(3, "3,x,y\n", codec::RejectReason::kRaggedRow)));
  ASSERT_TRUE((*log)->write_through(1));  // batch 1 is not in the prefix yet
  EXPECT_EQ(slurp(path), "id,name\r\n3,x,y\n");
  ASSERT_TRUE((*log)->write_through(2));
  EXPECT_EQ(slurp(path), "id,name\r\n3,x,y\n7,\"a\"b\r\n");
  ASSERT_TRUE((*log)->sync());
  const std::string errors = slurp(path + ".errors.jsonl");
  std::istringstream lines(errors);
  std::string line;
  std::getline(lines, line);
  auto first = boost::json::parse(line).as_object();
  EXPECT_EQ(first["row"].as_int64(), 3);
  EXPECT_EQ(first["reason"].as_string(), "ragged_row");
  std::getline(lines, line);
  auto second = boost::json::parse(line).as_object();
  EXPECT_EQ(second["field"].as_int64(), 2);
  EXPECT_EQ(second["column"].as_string(), "name");
  EXPECT_EQ(second["value"].as_string(), "v7");
  EXPECT_EQ(second["message"].as_string(), "bad 7");
  const RejectTally& t = (*log)->tally();
  EXPECT_EQ(t.rows, 2u);
  EXPECT_EQ(t.by_reason[static_cast<std::size_t>(codec::RejectReason::kRaggedRow)], 1u);
  EXPECT_EQ(t.file_bytes, slurp(path).size());
  EXPECT_EQ(t.errors_bytes, errors.size());
  EXPECT_EQ(reject_counts_text(t), "ragged_row 1, after_quote 1");
}

TEST(RejectLog, ALastRecordWithoutTerminatorGetsOne) {
  TempDir dir;
  const std::string path = dir.file("r.csv");
  auto log = RejectLog::open(path, "id,name", nullptr, {});
  ASSERT_TRUE(log.has_value());
  (*log)->hold(0, one(reject(2, "1,2,3", codec::RejectReason::kRaggedRow)));
  ASSERT_TRUE((*log)->write_through(1));
  ASSERT_TRUE((*log)->sync());
  EXPECT_EQ(slurp(path), "id,name\n1,2,3\n");
}

TEST(RejectLog, AResumeTruncatesBackToTheCheckpointsLengths) {
  TempDir dir;
  const std::string path = dir.file("r.csv");
  RejectTally recorded;
  {
    auto log = RejectLog::open(path, "h\n", nullptr, {});
    ASSERT_TRUE(log.has_value());
    (*log)->hold(0, one(reject(2, "a\n", codec::RejectReason::kBareQuote)));
    ASSERT_TRUE((*log)->write_through(1));
    recorded = (*log)->tally();  // what a checkpoint at this prefix records
    // Written after the checkpoint, then the process died: the resume re-sends batch 1.
    (*log)->hold(1, one(reject(5, "b\n", codec::RejectReason::kBareQuote)));
    ASSERT_TRUE((*log)->write_through(2));
    ASSERT_TRUE((*log)->sync());
  }
  auto log = RejectLog::open(path, "h\n", &recorded, {});
  ASSERT_TRUE(log.has_value()) << log.error().message;
  (*log)->hold(1, one(reject(5, "b\n", codec::RejectReason::kBareQuote)));
  ASSERT_TRUE((*log)->write_through(2));
  ASSERT_TRUE((*log)->sync());
  EXPECT_EQ(slurp(path), "h\na\nb\n");  // b once
  EXPECT_EQ((*log)->tally().rows, 2u);
  std::istringstream lines(slurp(path + ".errors.jsonl"));
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) ++n;
  EXPECT_EQ(n, 2);
}

TEST(RejectLog, AResumeRefusesARejectsFileShorterThanRecorded) {
  TempDir dir;
  const std::string path = dir.file("r.csv");
  testing::write_file(path, "h\n");
  testing::write_file(path + ".errors.jsonl", "");
  RejectTally recorded;
  recorded.file_bytes = 100;
  auto log = RejectLog::open(path, "h\n", &recorded, {});
  ASSERT_FALSE(log.has_value());
  EXPECT_NE(log.error().message.find("shorter than the checkpoint records"), std::string::npos);
}

TEST(RejectLog, WithoutAFileItCountsOnly) {
  auto log = RejectLog::open("", "h\n", nullptr, {});
  ASSERT_TRUE(log.has_value());
  (*log)->hold(0, one(reject(2, "a\n", codec::RejectReason::kNotANumber)));
  ASSERT_TRUE((*log)->write_through(1));
  EXPECT_EQ((*log)->tally().rows, 1u);
  EXPECT_EQ((*log)->tally().file_bytes, 0u);
  ASSERT_EQ((*log)->examples().size(), 1u);
}

}  // namespace
}  // namespace dsfill::loader
