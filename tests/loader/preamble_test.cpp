// --skip-lines N (a preamble before the header) and --comment CHAR (comment lines at record
// starts, not inside quoted fields): the rows stored are those Python's csv module reads from the
// file without them; row numbers in errors stay the file's; both are part of the checkpoint's
// identity, so a resume with another value is refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "loader/checkpoint.h"
#include "loader/chunker.h"
#include "loader/input_reader.h"
#include "loader/pipeline.h"
#include "loader/report.h"
#include "tests/loader/e2e_support.h"
#include "tests/loader/process_run.h"

namespace dsfill::testing {
namespace {

using loader::Outcome;

// A report export's preamble: lines with delimiters, a lone quote (which would open a quoted
// field if it were read as CSV) and a blank line.
const std::string kPreamble =
    "Sales report, generated 2026-12-02\r\nfilter: \"region = EU\n\nrows:\n";

class SkipLines : public ::testing::TestWithParam<bool> {};

TEST_P(SkipLines, DropsThePreambleBeforeTheHeader) {
  TempDir dir;
  const std::string plain = dir.file("plain.csv");
  const std::string data = hard_csv(2500, 5);
  write_file(plain, data);
  std::string input = dir.file("report.csv");
  write_file(input, kPreamble + data);
  if (GetParam()) {
    ASSERT_EQ(std::system(("gzip -q -c '" + input + "' > '" + input + ".gz'").c_str()), 0);
    input += ".gz";
  }
  ReferenceServer server(dir.file("store.db"));
  auto o = test_options(input, server.url());
  o.chunker.batch_rows = 300;
  o.chunker.skip_lines = 4;
  o.connections = 1;  // rows are stored in the order they are sent
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.rows, 2500u);
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1"), python_rows(plain));
}

INSTANTIATE_TEST_SUITE_P(PlainOrGzip, SkipLines, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Gzip" : "Plain"; });

TEST(SkipLinesErrors, NameTheFileLine) {
  TempDir dir;
  // Line 7 of the file is ragged: 4 preamble lines, the header (5), two rows (6, 7).
  write_file(dir.file("in.csv"), kPreamble + "a,b\n1,2\n3\n");
  ReferenceServer server(dir.file("store.db"));
  auto o = test_options(dir.file("in.csv"), server.url());
  o.chunker.skip_lines = 4;
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kBadInput);
  EXPECT_NE(report.message.find("row 7"), std::string::npos) << report.message;
}

TEST(SkipLinesCli, IsPartOfTheCheckpointIdentity) {
  TempDir dir;
  write_file(dir.file("in.csv"), kPreamble + hard_csv(500, 2));
  ReferenceServer server(dir.file("store.db"));
  const std::string args = "load " + dir.file("in.csv") + " --url " + server.url() +
                           " --user-code u1 --dataset-code d1 --batch-rows 100 --progress never" +
                           " --checkpoint " + dir.file("ck.json");
  const auto first = dsfill(dir, args + " --skip-lines 4");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1").size(), 500u);
  const auto other = dsfill(dir, args + " --skip-lines 3 --resume");
  EXPECT_EQ(other.exit_code, 2) << other.out << other.err;
  EXPECT_NE((other.out + other.err).find("skip_lines=4"), std::string::npos)
      << other.out << other.err;
}

// Returns a CSV with comment lines ('#') before the header and between records, and records
// whose quoted fields hold "\n#" (data, not comments); `plain` receives it without the comments.
std::string commented_csv(int rows, std::string& plain) {
  std::string out = "# exported by tool 1.2, \"quoted\n#\n";
  plain = "id,note,qty\n";
  out += plain;
  for (int r = 1; r <= rows; ++r) {
    if (r % 7 == 0) out += "# every seventh, a comment with a \" quote\r\n";
    const std::string record = std::to_string(r) + ",\"text " + std::to_string(r) +
                               "\n# not a comment\"," + std::to_string(r * 3) +
                               (r % 2 == 0 ? "\r\n" : "\n");
    out += record;
    plain += record;
  }
  return out + "# trailing comment without a newline";
}

TEST(Comment, DropsCommentLinesNotQuotedData) {
  TempDir dir;
  std::string plain;
  write_file(dir.file("in.csv"), commented_csv(5000, plain));
  write_file(dir.file("plain.csv"), plain);
  ReferenceServer server(dir.file("store.db"));
  auto o = test_options(dir.file("in.csv"), server.url());
  o.chunker.batch_rows = 500;
  o.chunker.comment = '#';
  o.connections = 1;  // rows are stored in the order they are sent
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.rows, 5000u);
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1"), python_rows(dir.file("plain.csv")));
}

TEST(CommentErrors, NameTheFileRow) {
  TempDir dir;
  // Rows: comment (1), header (2), comment (3), data (4), ragged (5).
  write_file(dir.file("in.csv"), "# c\na,b\n# c\n1,2\n3\n");
  ReferenceServer server(dir.file("store.db"));
  auto o = test_options(dir.file("in.csv"), server.url());
  o.chunker.comment = '#';
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kBadInput);
  EXPECT_NE(report.message.find("row 5"), std::string::npos) << report.message;
}

TEST(CommentCli, IsPartOfTheCheckpointIdentity) {
  TempDir dir;
  std::string plain;
  // Comments only after the header, so that a run without --comment reads the same header.
  std::string text = commented_csv(300, plain);
  text.erase(0, text.find("id,"));
  write_file(dir.file("in.csv"), text);
  ReferenceServer server(dir.file("store.db"));
  const std::string args = "load " + dir.file("in.csv") + " --url " + server.url() +
                           " --user-code u1 --dataset-code d1 --batch-rows 100 --progress never" +
                           " --checkpoint " + dir.file("ck.json");
  const auto first = dsfill(dir, args + " --comment '#'");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1").size(), 300u);
  const auto other = dsfill(dir, args + " --resume");
  EXPECT_EQ(other.exit_code, 2) << other.out << other.err;
  EXPECT_NE((other.out + other.err).find("comment=35"), std::string::npos)
      << other.out << other.err;
}

TEST(CommentCli, InferAndCheckHonourIt) {
  TempDir dir;
  std::string plain;
  write_file(dir.file("in.csv"), "rows:\n" + commented_csv(50, plain));
  const auto infer = dsfill(dir, "infer " + dir.file("in.csv") + " --skip-lines 1 --comment '#'");
  ASSERT_EQ(infer.exit_code, 0) << infer.out << infer.err;
  EXPECT_NE(infer.out.find("\"name\":\"qty\""), std::string::npos) << infer.out;
  EXPECT_NE(infer.out.find("numeric"), std::string::npos) << infer.out;
  const auto check = dsfill(dir, "check " + dir.file("in.csv") + " --skip-lines 1 --comment '#'");
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  const auto without = dsfill(dir, "check " + dir.file("in.csv"));
  EXPECT_NE(without.exit_code, 0) << without.out << without.err;
}

TEST(SkipLines, ThreeShardsStoreEveryRowOnce) {
  TempDir dir;
  const std::string data = hard_csv(4000, 8);
  write_file(dir.file("plain.csv"), data);
  write_file(dir.file("in.csv"), kPreamble + data);
  ReferenceServer server(dir.file("store.db"));
  for (int i = 0; i < 3; ++i) {
    auto o = test_options(dir.file("in.csv"), server.url());
    o.chunker.batch_rows = 250;
    o.chunker.skip_lines = 4;
    o.shard = loader::ShardSpec{.index = i, .count = 3};
    o.complete = false;
    const auto report = loader::run_load(o);
    ASSERT_EQ(report.outcome, Outcome::kOk) << "shard " << i << ": " << report.message;
  }
  Rows stored = stored_rows(server.db(), "u1", "d1");
  Rows want = python_rows(dir.file("plain.csv"));
  std::sort(stored.begin(), stored.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(stored, want);
}

TEST(Comment, WithShardIsRefused) {
  TempDir dir;
  std::string plain;
  write_file(dir.file("in.csv"), commented_csv(100, plain));
  ReferenceServer server(dir.file("store.db"));
  auto o = test_options(dir.file("in.csv"), server.url());
  o.chunker.comment = '#';
  o.shard = loader::ShardSpec{.index = 1, .count = 2};
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kUsage) << report.message;
  EXPECT_NE(report.message.find("--comment"), std::string::npos) << report.message;
  EXPECT_TRUE(stored_rows(server.db(), "u1", "d1").empty());
}

// A resume continues at the acknowledged offset, which may be a comment line (a batch ends before
// one): it is dropped again there, and every row is stored once, the row check over all runs.
TEST(SkipLinesAndComment, ResumeStoresEveryRowOnce) {
  TempDir dir;
  std::string plain;
  write_file(dir.file("in.csv"), kPreamble + commented_csv(3000, plain));
  write_file(dir.file("plain.csv"), plain);
  ReferenceServer server(dir.file("store.db"));
  auto o = test_options(dir.file("in.csv"), server.url());
  o.chunker.batch_rows = 200;
  o.chunker.skip_lines = 4;
  o.chunker.comment = '#';
  o.connections = 1;
  o.replace = true;
  o.checkpoint = dir.file("ck.json");
  ASSERT_EQ(loader::run_load(o).outcome, Outcome::kOk);
  // Simulate a run killed after five batches (kill -9 before later checkpoint writes): rewind
  // the checkpoint to the end of the fifth batch; the server holds them all, by their keys.
  auto read = loader::read_checkpoint(o.checkpoint);
  ASSERT_TRUE(read && *read);
  loader::Checkpoint c = **read;
  auto reader = loader::InputReader::open(o.input);
  ASSERT_TRUE(reader);
  loader::Chunker chunker(*reader, o.chunker);
  ASSERT_TRUE(chunker.next(1));  // the header
  std::uint64_t rows = 0;
  for (int i = 0; i < 5; ++i) {
    auto batch = chunker.next();
    ASSERT_TRUE(batch && batch->has_value());
    rows += (*batch)->physical_rows;
  }
  c.offset = chunker.offset();
  c.next_row = chunker.row();
  c.batches_acked = 5;
  c.rows_acked = rows;
  c.finished = false;
  ASSERT_TRUE(loader::write_checkpoint(o.checkpoint, c));
  o.resume = true;
  const auto r = loader::run_load(o);
  ASSERT_EQ(r.outcome, Outcome::kOk) << r.message;
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(r.server_rows_count, 3000);
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1"), python_rows(dir.file("plain.csv")));
}

}  // namespace
}  // namespace dsfill::testing
