// End to end on 127.0.0.1: dsfill's pipeline against the in-process reference server, checking
// row for row what SQLite stored against what Python's csv module reads from the same file.
#include <gtest/gtest.h>

#include <ostream>

#include "loader/pipeline.h"
#include "loader/report.h"
#include "tests/loader/e2e_support.h"

namespace dsfill::testing {
namespace {

using loader::Outcome;

struct Case {
  int rows;
  std::size_t batch_rows;
  int connections;
};

// What gtest (and so ctest's test list) shows as the case: its figures, not its bytes.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.rows << "_rows_by_" << c.batch_rows << "_K" << c.connections;
}

class RowForRow : public ::testing::TestWithParam<Case> {};

TEST_P(RowForRow, StoredRowsEqualPythonCsvRows) {
  const Case c = GetParam();
  TempDir dir;
  const std::string csv = dir.file("in.csv");
  write_file(csv, hard_csv(c.rows, static_cast<unsigned>(c.rows)));
  ReferenceServer server(dir.file("store.db"));
  auto o = test_options(csv, server.url());
  o.chunker.batch_rows = c.batch_rows;
  o.connections = c.connections;
  o.replace = true;
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  const Rows expected = python_rows(csv);
  ASSERT_EQ(expected.size(), static_cast<std::size_t>(c.rows));
  EXPECT_EQ(report.rows, expected.size());
  EXPECT_EQ(report.batches, (expected.size() + c.batch_rows - 1) / c.batch_rows);
  EXPECT_TRUE(report.completed);
  EXPECT_EQ(report.server_rows_count, static_cast<std::int64_t>(expected.size()));
  // Batches are stored in the order they are acknowledged, not file order (encoders and K
  // connections finish out of order): compare sorted, so each row must be there exactly once.
  Rows stored = stored_rows(server.db(), "u1", "d1");
  Rows want = expected;
  std::sort(stored.begin(), stored.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(stored, want);
}

INSTANTIATE_TEST_SUITE_P(Batching, RowForRow,
                         ::testing::Values(Case{500, 7, 1},           // many small batches, K=1
                                           Case{2000, 13, 8},         // many small batches, K=8
                                           Case{3000, 1'000'000, 1},  // one huge batch
                                           Case{3000, 1000, 8}),
                         [](const auto& info) { return ::testing::PrintToString(info.param); });

TEST(Load, TheEndpointUrlAsDocumentedLoadsLikeTheBase) {
  TempDir dir;
  const std::string csv = dir.file("in.csv");
  write_file(csv, hard_csv(200));
  ReferenceServer server(dir.file("store.db"));
  // The base form (with a trailing '/') and the endpoint form, one after the other, both store.
  for (const std::string& url : {server.url() + "/", server.url() + "/dataset-fill"}) {
    auto o = test_options(csv, url);
    o.chunker.batch_rows = 50;
    const auto report = loader::run_load(o);
    ASSERT_EQ(report.outcome, Outcome::kOk) << url << ": " << report.message;
    EXPECT_TRUE(report.completed) << url;
  }
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1").size(), 400u);
}

TEST(Load, ReplaceTruncatesAndAppendAdds) {
  TempDir dir;
  const std::string csv = dir.file("in.csv");
  write_file(csv, hard_csv(300));
  ReferenceServer server(dir.file("store.db"));
  auto o = test_options(csv, server.url());
  o.chunker.batch_rows = 50;
  ASSERT_EQ(loader::run_load(o).outcome, Outcome::kOk);
  // A deliberate second append of the same file appends again (a fresh load id).
  const auto second = loader::run_load(o);
  ASSERT_EQ(second.outcome, Outcome::kOk) << second.message;
  EXPECT_EQ(second.server_rows_inserted, 300u);
  EXPECT_EQ(second.server_rows_count, 600);
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1").size(), 600u);
  o.replace = true;
  const auto replaced = loader::run_load(o);
  ASSERT_EQ(replaced.outcome, Outcome::kOk) << replaced.message;
  EXPECT_EQ(replaced.server_rows_count, 300);
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1").size(), 300u);
}

TEST(Load, EmptyInputInReplaceModeStillTruncates) {
  TempDir dir;
  const std::string csv = dir.file("in.csv");
  write_file(csv, hard_csv(40));
  ReferenceServer server(dir.file("store.db"));
  auto o = test_options(csv, server.url());
  ASSERT_EQ(loader::run_load(o).outcome, Outcome::kOk);
  ASSERT_EQ(stored_rows(server.db(), "u1", "d1").size(), 40u);
  const std::string empty = dir.file("empty.csv");
  write_file(empty, "Id,Name,Note,Qty,Country\n");
  auto e = test_options(empty, server.url());
  e.replace = true;
  const auto report = loader::run_load(e);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.batches, 1u);
  EXPECT_EQ(report.rows, 0u);
  EXPECT_EQ(report.server_rows_count, 0);
  EXPECT_TRUE(stored_rows(server.db(), "u1", "d1").empty());
}

TEST(Load, BadCsvStopsWithItsRowAndByte) {
  TempDir dir;
  const std::string csv = dir.file("in.csv");
  write_file(csv, "a,b\n1,2\n3,x\"y\n5,6\n");
  ReferenceServer server(dir.file("store.db"));
  const auto report = loader::run_load(test_options(csv, server.url()));
  EXPECT_EQ(report.outcome, Outcome::kBadInput);
  // The file, what is wrong, and where (byte 11 is the quote): "…/in.csv: bare quote … (row 3,
  // byte 11)".
  EXPECT_EQ(report.message.rfind(csv + ": ", 0), 0u) << report.message;
  EXPECT_NE(report.message.find("(row 3, byte 11)"), std::string::npos) << report.message;
}

TEST(Load, BadHeaderNamesTheFile) {
  TempDir dir;
  const std::string csv = dir.file("in.csv");
  write_file(csv, "a,\"b\n");  // a quote left open in the header
  const auto report = loader::run_load(test_options(csv, "http://127.0.0.1:1"));
  EXPECT_EQ(report.outcome, Outcome::kBadInput);
  EXPECT_EQ(report.message.rfind(csv + ": ", 0), 0u) << report.message;
}

TEST(Load, MissingFileIsBadInput) {
  const auto report = loader::run_load(test_options("/nonexistent/x.csv", "http://127.0.0.1:1"));
  EXPECT_EQ(report.outcome, Outcome::kBadInput);
  EXPECT_NE(report.message.find("/nonexistent/x.csv"), std::string::npos) << report.message;
  EXPECT_EQ(report.target, loader::Target::kNetwork);
  // A bench that fails before it starts still reports as a bench ("bench: bad_input", no
  // requests or acknowledged prefix).
  auto o = test_options("/nonexistent/x.csv", "");
  o.target = loader::Target::kBench;
  const auto bench = loader::run_load(o);
  EXPECT_EQ(bench.outcome, Outcome::kBadInput);
  EXPECT_EQ(bench.target, loader::Target::kBench);
  EXPECT_EQ(loader::format_summary(bench).rfind("bench: bad_input", 0), 0u);
}

TEST(Load, ColumnsOfAnotherShapeAreRejectedWithExit4Outcome) {
  TempDir dir;
  ReferenceServer server(dir.file("store.db"));
  const std::string a = dir.file("a.csv");
  write_file(a, "x,y\n1,2\n");
  ASSERT_EQ(loader::run_load(test_options(a, server.url())).outcome, Outcome::kOk);
  const std::string b = dir.file("b.csv");
  write_file(b, "x,y,z\n1,2,3\n");
  const auto report = loader::run_load(test_options(b, server.url()));
  EXPECT_EQ(report.outcome, Outcome::kRejected);
  EXPECT_NE(report.message.find("HTTP 400"), std::string::npos) << report.message;
  EXPECT_NE(report.message.find("rows 2-2, bytes 6-12"), std::string::npos) << report.message;
}

}  // namespace
}  // namespace dsfill::testing
