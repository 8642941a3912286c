// --limit N: a trial load of the first N data rows, plain or compressed; part of the checkpoint's
// identity, so a resume with another limit is refused.
#include <gtest/gtest.h>

#include "loader/pipeline.h"
#include "loader/report.h"
#include "tests/loader/e2e_support.h"
#include "tests/loader/process_run.h"

namespace dsfill::testing {
namespace {

using loader::Outcome;

class Limit : public ::testing::TestWithParam<bool> {};

TEST_P(Limit, LoadsOnlyTheFirstNRows) {
  TempDir dir;
  const std::string plain = dir.file("in.csv");
  write_file(plain, hard_csv(3000, 9));  // quoted newlines: rows are records, not lines
  std::string input = plain;
  if (GetParam()) {
    input = dir.file("in.csv.zst");
    ASSERT_EQ(std::system(("zstd -q -c '" + plain + "' > '" + input + "'").c_str()), 0);
  }
  ReferenceServer server(dir.file("store.db"));
  auto o = test_options(input, server.url());
  o.chunker.batch_rows = 100;
  o.chunker.limit_records = 1234;  // not a multiple of the batch
  o.connections = 1;
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.rows, 1234u);
  EXPECT_EQ(report.batches, 13u);
  Rows want = python_rows(plain);
  want.resize(1234);
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1"), want);
}

INSTANTIATE_TEST_SUITE_P(PlainOrZstd, Limit, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Zstd" : "Plain"; });

TEST(LimitCli, IsPartOfTheCheckpointIdentity) {
  TempDir dir;
  write_file(dir.file("in.csv"), hard_csv(800, 4));
  ReferenceServer server(dir.file("store.db"));
  const std::string args = "load " + dir.file("in.csv") + " --url " + server.url() +
                           " --user-code u1 --dataset-code d1 --batch-rows 100 --progress never" +
                           " --checkpoint " + dir.file("ck.json");
  const auto first = dsfill(dir, args + " --limit 250");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1").size(), 250u);
  const auto again = dsfill(dir, args + " --limit 250 --resume");
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("already finished (250 rows)"), std::string::npos) << again.out;
  const auto other = dsfill(dir, args + " --limit 300 --resume");
  EXPECT_EQ(other.exit_code, 2) << other.out << other.err;
  EXPECT_NE((other.out + other.err).find("limit=250"), std::string::npos) << other.out << other.err;
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1").size(), 250u);
}

}  // namespace
}  // namespace dsfill::testing
