// A row the server refuses does not end the load: the batch is split around it and sent again
// (loader/row_split.h). Against a stub that stores rows by Idempotency-Key, as an API with an
// idempotency cache does, and refuses every request holding a row whose name is "BAD": naming
// the row (as the reference server does) or not (a server that refuses whole requests).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "loader/pipeline.h"
#include "loader/row_split.h"
#include "tests/loader/e2e_support.h"
#include "tests/loader/keyed_store.h"
#include "tests/loader/process_run.h"
#include "tests/loader/stub_server.h"

namespace dsfill::testing {
namespace {

using loader::BatchPart;
using loader::Outcome;

// --- The pure split rules --------------------------------------------------------------------

TEST(RowSplit, ReadsTheRowTheServerNames) {
  EXPECT_EQ(loader::named_row("insert-data: rows[12] column 2 \"x\" (numeric): ..."), 12u);
  EXPECT_EQ(loader::named_row("HTTP 400: rows[0]: 3 values, expected 4"), 0u);
  EXPECT_FALSE(loader::named_row("rows JSON does not parse").has_value());
  EXPECT_FALSE(loader::named_row("rows[x]").has_value());
}

TEST(RowSplit, CutsAroundTheNamedRowOnRecordBoundaries) {
  const std::string csv = "a,1\n\"b\nb\",2\nc,3\nd,4\n";
  const BatchPart all{0, csv.size(), 10};
  const auto parts = loader::split_refused(csv, all, 1, {});
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(csv.substr(parts[0].begin, parts[0].end - parts[0].begin), "a,1\n");
  EXPECT_EQ(csv.substr(parts[1].begin, parts[1].end - parts[1].begin), "\"b\nb\",2\n");
  EXPECT_EQ(csv.substr(parts[2].begin, parts[2].end - parts[2].begin), "c,3\nd,4\n");
  EXPECT_EQ(parts[0].first_row, 10);
  EXPECT_EQ(parts[1].first_row, 11);
  EXPECT_EQ(parts[2].first_row, 12);
  // The first row named: two parts.
  EXPECT_EQ(loader::split_refused(csv, all, 0, {}).size(), 2u);
}

TEST(RowSplit, BisectsWhenNoRowIsNamedAndStopsAtOneRecord) {
  const std::string csv = "a\nb\nc\nd\ne\n";
  const auto halves = loader::split_refused(csv, {0, csv.size(), 1}, std::nullopt, {});
  ASSERT_EQ(halves.size(), 2u);
  EXPECT_EQ(csv.substr(0, halves[0].end), "a\nb\nc\n");
  EXPECT_EQ(halves[1].first_row, 4);
  EXPECT_TRUE(loader::split_refused(csv, {2, 4, 2}, std::nullopt, {}).empty());
  // Two records: one each.
  const auto two = loader::split_refused(csv, {2, 6, 2}, std::nullopt, {});
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0], (BatchPart{2, 4, 2}));
  EXPECT_EQ(two[1], (BatchPart{4, 6, 3}));
  // A named row past the part's end falls back to halves.
  EXPECT_EQ(loader::split_refused(csv, {0, csv.size(), 1}, 99, {}).size(), 2u);
}

// --- Against a stub ----------------------------------------------------------------------------

// Refuses every request holding a row named "BAD" (a request holding one was never stored, so
// its key is never in the store) and stores the rest by key.
class RefusingStore {
 public:
  explicit RefusingStore(bool names_row) : names_row_(names_row) {}

  StubResponse answer(const Seen& seen) {
    if (seen.target.find("dataset-fill") != std::string::npos) {
      const auto body = boost::json::parse(seen.body).as_object();
      const auto rows = boost::json::parse(body.at("insert-data").as_string()).as_array();
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].as_array().at(1).as_string() == "BAD") {
          ++refusals_;
          return reply(400, R"({"data":{"status":"error","message":"insert-data: )" +
                                (names_row_ ? "rows[" + std::to_string(i) + "] " : std::string()) +
                                R"(column 1 \"name\": refused"}})");
        }
      }
    }
    return rows_.store(seen);
  }
  std::map<std::string, int> ids() const { return rows_.ids(); }
  int refusals() const { return refusals_; }

 private:
  bool names_row_;
  std::atomic<int> refusals_{0};
  KeyedStore rows_;
};

// 3,000 rows; rows 100, 1500 and 2999 (0-based) are named "BAD".
std::string file_with_refused_rows(std::set<std::string>& bad) {
  std::string csv = "id,name\n";
  for (int i = 0; i < 3000; ++i) {
    const bool refused = i == 100 || i == 1500 || i == 2999;
    if (refused) bad.insert(std::to_string(i));
    csv += std::to_string(i) + "," + (refused ? "BAD" : "ok" + std::to_string(i)) + "\n";
  }
  return csv;
}

// A 3,000-row file with three rows the server refuses, loaded in 1,000-row batches; the
// parameter says whether the server names the refused row or refuses the whole request.
class RefusalSplit : public ::testing::TestWithParam<bool> {
 protected:
  RefusalSplit() { write_file(dir_.file("in.csv"), file_with_refused_rows(bad_)); }

  loader::LoadOptions options() const {
    auto o = test_options(dir_.file("in.csv"), stub_.url());
    o.compress = false;
    o.chunker.batch_rows = 1000;
    return o;
  }

  TempDir dir_;
  std::set<std::string> bad_;
  RefusingStore store_{GetParam()};
  StubServer stub_{[this](int, const Seen& seen) { return store_.answer(seen); }};
};

TEST_P(RefusalSplit, EveryGoodRowIsStoredOnceAndTheRefusedOnesAreKeptAside) {
  auto o = options();
  o.bad_rows.max_rows = 10;
  o.rejects_path = dir_.file("r.csv");
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.rows, 2997u);
  EXPECT_EQ(report.rejects.rows, 3u);
  const auto ids = store_.ids();
  EXPECT_EQ(ids.size(), 2997u);
  for (const auto& [id, times] : ids) {
    EXPECT_EQ(times, 1) << id;
    EXPECT_EQ(bad_.count(id), 0u) << id;
  }
  EXPECT_EQ(slurp(dir_.file("r.csv")), "id,name\n100,BAD\n1500,BAD\n2999,BAD\n");
  const std::string errors = slurp(dir_.file("r.csv.errors.jsonl"));
  EXPECT_NE(errors.find("refused_by_server"), std::string::npos) << errors;
  // Naming the row takes a few requests per refused row; bisection about 2 log2(1000).
  EXPECT_LE(store_.refusals(), GetParam() ? 6 : 3 * 2 * 11);
}

TEST_P(RefusalSplit, PastTheLimitTheLoadStops) {
  auto o = options();
  o.bad_rows.max_rows = 1;
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kBadInput) << report.message;
  for (const auto& [id, times] : store_.ids()) EXPECT_EQ(times, 1) << id;
}

TEST_P(RefusalSplit, WithoutBadRowsAllowedARefusalStopsTheLoadAsBefore) {
  auto o = options();
  o.connections = 1;  // so that one refusal is all the server sees
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kRejected) << report.message;
  EXPECT_EQ(store_.refusals(), 1);
}

INSTANTIATE_TEST_SUITE_P(NamedOrNot, RefusalSplit, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "RowNamed" : "Bisection"; });

// kill -9 of the loader in the middle of a split, then --resume: still exactly once.
TEST(RefusalSplitResume, AKilledSplitResumesExactlyOnce) {
  TempDir dir;
  std::set<std::string> bad;
  write_file(dir.file("in.csv"), file_with_refused_rows(bad));
  RefusingStore store(false);
  std::atomic<bool> slow{true};
  StubServer stub([&](int, const Seen& seen) {
    // Slow answers once refusals began, so that the kill lands mid-split.
    if (slow && store.refusals() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(40));
    return store.answer(seen);
  });
  const std::string args = " load " + dir.file("in.csv") + " --url " + stub.url() +
                           " --user-code u1 --dataset-code d1 --no-compress --batch-rows 1000 "
                           "--connections 1 --max-bad-rows 10 --rejects " +
                           dir.file("r.csv") + " --checkpoint " + dir.file("ck.json") +
                           " --progress never";
  const int status = kill_dsfill_when(
      args, [&] { return store.refusals() >= 4; }, 1000, std::chrono::milliseconds(10));
  ASSERT_TRUE(WIFSIGNALED(status)) << "the load finished before the kill";
  slow = false;
  const int rc = std::system(
      ("timeout 50 " DSFILL_BIN + args + " --resume >" + dir.file("out.txt") + " 2>&1").c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 0) << slurp(dir.file("out.txt"));
  const auto ids = store.ids();
  EXPECT_EQ(ids.size(), 2997u);
  for (const auto& [id, times] : ids) EXPECT_EQ(times, 1) << id;
  EXPECT_EQ(slurp(dir.file("r.csv")), "id,name\n100,BAD\n1500,BAD\n2999,BAD\n");
}

}  // namespace
}  // namespace dsfill::testing
