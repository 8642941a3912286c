// Client data as it comes: columns matched by name whatever their order, null markers and
// decimal commas, bad rows kept aside in a rejects file (and loadable once fixed), a replace
// load that checks the whole file before it truncates anything, and `dsfill check`.
// Against the in-process reference server on 127.0.0.1; what it stored is read back from SQLite.
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "loader/pipeline.h"
#include "loader/schema.h"
#include "tests/loader/e2e_support.h"
#include "tests/loader/process_run.h"

namespace dsfill::testing {
namespace {

using loader::Outcome;

// The 200,000-row runs take a few seconds; bounded at 50.
ProcessRun dsfill_long(const TempDir& dir, const std::string& args) {
  return dsfill(dir, args, "", 50);
}

codec::Columns parse_spec(const std::string& json) {
  auto columns = codec::parse_columns_json(json);
  EXPECT_TRUE(columns.has_value());
  return columns ? *columns : codec::Columns{};
}

// A spec for: id (measure/numeric), name (text), amount (measure/numeric), day (date).
const char* const kSpec =
    R"([{"name":"id","alias":"Id","type":"measure","subtype":"numeric"},)"
    R"({"name":"name","alias":"Name","type":"dimension","subtype":"text"},)"
    R"({"name":"amount","alias":"Amount","type":"measure","subtype":"numeric"},)"
    R"({"name":"day","alias":"Day","type":"dimension","subtype":"date","format":"%Y-%m-%d"}])";

class ClientData : public ::testing::Test {
 protected:
  TempDir dir_;
  ReferenceServer server_{dir_.file("store.db")};
};

// --- Columns by name ------------------------------------------------------------------------

TEST_F(ClientData, AReorderedExportStoresEveryValueUnderItsOwnColumn) {
  // The spec is inferred from our file; the client's has the same columns shuffled.
  std::string ours = "transaction_id,date,customer,amount\n";
  std::string theirs = "customer,amount,transaction_id,date\n";
  for (int i = 0; i < 5000; ++i) {
    const std::string id = std::to_string(100000 + i),
                      day = "2024-01-" + std::to_string(10 + i % 18);
    const std::string customer = i % 7 == 0 ? "\"Smith, Ann\"" : "cust" + std::to_string(i);
    const std::string amount = std::to_string(i) + ".25";
    ours += id + "," + day + "," + customer + "," + amount + "\n";
    theirs += customer + "," + amount + "," + id + "," + day + "\n";
  }
  write_file(dir_.file("ours.csv"), ours);
  write_file(dir_.file("theirs.csv"), theirs);
  loader::SchemaOptions schema;
  auto spec = loader::infer_file_columns(dir_.file("ours.csv"), {}, schema, 1000);
  ASSERT_TRUE(spec.has_value()) << spec.error().message;

  auto o = test_options(dir_.file("theirs.csv"), server_.url());
  o.schema.columns = *spec;
  o.chunker.batch_rows = 700;
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.rows, 5000u);

  // Compare by column name: Python's csv module reads the client's file, the store holds the
  // spec's order (transaction_id, date, customer, amount).
  const Rows expected = python_rows(dir_.file("theirs.csv"));
  const Rows stored = stored_rows(server_.db(), "u1", "d1");
  ASSERT_EQ(stored.size(), expected.size());
  std::map<std::string, std::vector<std::string>> by_id;
  for (const auto& row : stored) by_id[row.at(0)] = row;
  for (const auto& row : expected) {  // customer, amount, transaction_id, date
    const auto it = by_id.find(row.at(2));
    ASSERT_NE(it, by_id.end()) << row.at(2);
    EXPECT_EQ(it->second.at(1), row.at(3));
    EXPECT_EQ(it->second.at(2), row.at(0));
    EXPECT_DOUBLE_EQ(std::stod(it->second.at(3)), std::stod(row.at(1)));
  }
}

TEST_F(ClientData, MissingExtraAndRepeatedColumnsSendNothing) {
  const codec::Columns spec = parse_spec(kSpec);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"id,name,day\n1,a,2024-01-01\n", "lacks the spec's column amount"},
      {"id,name,amount,day,extra\n1,a,2,2024-01-01,x\n", "field extra that the spec lacks"},
      {"id,name,amount,day,Name\n1,a,2,2024-01-01,b\n", "names a column twice"},
  };
  for (const auto& [csv, words] : cases) {
    write_file(dir_.file("in.csv"), csv);
    auto o = test_options(dir_.file("in.csv"), server_.url());
    o.schema.columns = spec;
    const auto report = loader::run_load(o);
    EXPECT_EQ(report.outcome, Outcome::kUsage) << csv;
    EXPECT_NE(report.message.find(words), std::string::npos) << report.message;
  }
  EXPECT_TRUE(stored_rows(server_.db(), "u1", "d1").empty());
}

TEST_F(ClientData, MissingColumnsAsNullAndExtraColumnsIgnoredWhenAsked) {
  write_file(dir_.file("in.csv"), "note,name,id\nx,Ann,1\ny,Bob,2\n");
  auto o = test_options(dir_.file("in.csv"), server_.url());
  o.schema.columns = parse_spec(kSpec);
  o.schema.match = {.missing_as_null = true, .ignore_extra = true};
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(stored_rows(server_.db(), "u1", "d1"),
            (Rows{{"1", "Ann", "<null>", "<null>"}, {"2", "Bob", "<null>", "<null>"}}));
}

// --- Null markers and numbers ----------------------------------------------------------------

TEST_F(ClientData, NullMarkersAndDecimalCommasAreStoredAsNullAndNumbers) {
  write_file(dir_.file("in.csv"),
             "id;name;amount;day\n1;NULL;3,14;2024-01-02\n2;\\N;NA;NULL\n3;;1.234,5;\n");
  auto o = test_options(dir_.file("in.csv"), server_.url());
  o.chunker.dialect.delimiter = ';';
  o.schema.rows.dialect.delimiter = ';';
  o.schema.columns = parse_spec(kSpec);
  o.schema.rows.nulls = {.markers = {"NULL", "\\N", "NA"}, .empty_as_null = true};
  o.schema.rows.numbers = {.decimal_comma = true, .thousands_separator = '.'};
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(stored_rows(server_.db(), "u1", "d1"), (Rows{{"1", "<null>", "3.14", "2024-01-02"},
                                                         {"2", "<null>", "<null>", "<null>"},
                                                         {"3", "<null>", "1234.5", "<null>"}}));
}

TEST_F(ClientData, InferTreatsNullMarkersAsEmpty) {
  write_file(dir_.file("in.csv"), "city,price\nParis,1.5\nRome,NA\nOslo,2\nLima,NA\n");
  loader::SchemaOptions schema;
  schema.rows.nulls.markers = {"NA"};
  auto spec = loader::infer_file_columns(dir_.file("in.csv"), {}, schema, 100);
  ASSERT_TRUE(spec.has_value()) << spec.error().message;
  EXPECT_EQ((*spec)[1].type, "measure");
  EXPECT_EQ((*spec)[1].subtype, "numeric");
}

// --- Bad rows kept aside ---------------------------------------------------------------------

// A 200,000-row file with 50 bad rows of five kinds spread through it, and what the test knows
// about them: the bad records' bytes in file order, and their ids.
struct Spoiled {
  std::string csv;
  std::string bad_records;  // byte for byte, in file order
  std::set<int> bad_ids;
  std::map<std::string, int> reasons;
};

Spoiled spoiled_file(int rows) {
  Spoiled s;
  s.csv = "id,name,amount,day\n";
  int bad = 0;
  for (int i = 0; i < rows; ++i) {
    const std::string id = std::to_string(i);
    const int day = 10 + i % 19;
    std::string record = id + ",name" + id + "," + std::to_string(i % 1000) + ".5,2024-02-" +
                         std::to_string(day) + "\n";
    if (i % 4000 == 1234) {
      switch (bad++ % 5) {
        case 0:
          record = id + ",ragged," + id + "\n";
          s.reasons["ragged_row"]++;
          break;
        case 1:
          record = id + ",bare\"quote,1,2024-01-01\n";
          s.reasons["bare_quote"]++;
          break;
        case 2:
          record = id + ",bad\xff utf8,1,2024-01-01\n";
          s.reasons["invalid_utf8"]++;
          break;
        case 3:
          record = id + ",nan,twelve,2024-01-01\n";
          s.reasons["not_a_number"]++;
          break;
        default:
          record = id + ",date,1,2024-13-45\n";
          s.reasons["bad_date"]++;
          break;
      }
      s.bad_records += record;
      s.bad_ids.insert(i);
    }
    s.csv += record;
  }
  return s;
}

TEST_F(ClientData, BadRowsAreLeftOutKeptAsideAndLoadableOnceFixed) {
  const Spoiled file = spoiled_file(200'000);
  ASSERT_EQ(file.bad_ids.size(), 50u);
  write_file(dir_.file("in.csv"), file.csv);
  const std::string rejects = dir_.file("r.csv");
  auto o = test_options(dir_.file("in.csv"), server_.url());
  o.schema.columns = parse_spec(kSpec);
  o.schema.rows.keep_going = true;
  o.bad_rows.max_rows = 50;
  o.rejects_path = rejects;
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.rows, 200'000u - 50u);
  EXPECT_EQ(report.rejects.rows, 50u);
  EXPECT_NE(report.row_check.find("199950"), std::string::npos) << report.row_check;

  // Every good row stored exactly once, no bad one.
  const Rows stored = stored_rows(server_.db(), "u1", "d1");
  ASSERT_EQ(stored.size(), 199'950u);
  std::set<int> ids;
  for (const auto& row : stored) ids.insert(std::stoi(row.at(0)));
  EXPECT_EQ(ids.size(), 199'950u);
  for (int bad : file.bad_ids) EXPECT_EQ(ids.count(bad), 0u) << bad;

  // The rejects file: the header, then the bad records byte for byte; each one named in errors.
  EXPECT_EQ(slurp(rejects), "id,name,amount,day\n" + file.bad_records);
  std::istringstream lines(slurp(rejects + ".errors.jsonl"));
  std::string line;
  std::map<std::string, int> reasons;
  int n = 0;
  while (std::getline(lines, line)) {
    const auto e = boost::json::parse(line).as_object();
    reasons[std::string(e.at("reason").as_string())]++;
    const int id = static_cast<int>(e.at("row").as_int64()) - 2;  // row 1 is the header
    EXPECT_EQ(file.bad_ids.count(id), 1u) << line;
    EXPECT_FALSE(e.at("message").as_string().empty());
    ++n;
  }
  EXPECT_EQ(n, 50);
  EXPECT_EQ(reasons, file.reasons);

  // Fixed (the test rewrites each bad record as a good one) and loaded with the same flags.
  std::string fixed = "id,name,amount,day\n";
  for (int id : file.bad_ids) fixed += std::to_string(id) + ",fixed,1.5,2024-03-01\n";
  write_file(dir_.file("fixed.csv"), fixed);
  auto again = o;
  again.input = dir_.file("fixed.csv");
  again.rejects_path = dir_.file("r2.csv");
  const auto second = loader::run_load(again);
  ASSERT_EQ(second.outcome, Outcome::kOk) << second.message;
  EXPECT_EQ(second.rows, 50u);
  EXPECT_EQ(stored_rows(server_.db(), "u1", "d1").size(), 200'000u);
}

TEST_F(ClientData, PastTheLimitTheLoadStopsWithBadInput) {
  const Spoiled file = spoiled_file(200'000);
  write_file(dir_.file("in.csv"), file.csv);
  auto o = test_options(dir_.file("in.csv"), server_.url());
  o.schema.columns = parse_spec(kSpec);
  o.schema.rows.keep_going = true;
  o.bad_rows.max_rows = 20;
  o.rejects_path = dir_.file("r.csv");
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kBadInput) << report.message;
  EXPECT_NE(report.message.find("more bad rows than the limit (--max-bad-rows 20)"),
            std::string::npos)
      << report.message;
  // What was stored is a prefix of good rows, each once.
  const Rows stored = stored_rows(server_.db(), "u1", "d1");
  std::set<std::string> ids;
  for (const auto& row : stored) ids.insert(row.at(0));
  EXPECT_EQ(ids.size(), stored.size());
}

// --- Nothing touched until the file is known good ---------------------------------------------

TEST_F(ClientData, AReplaceLoadOfAFileWithABadRowSendsNothingAndKeepsTheOldRows) {
  write_file(dir_.file("old.csv"), "id,name,amount,day\n1,old,1,2024-01-01\n2,old,2,2024-01-02\n");
  write_file(dir_.file("spec.json"), kSpec);
  const std::string common = " --columns " + dir_.file("spec.json") + " --url " + server_.url() +
                             " --user-code u1 --dataset-code d1 --progress never";
  const ProcessRun first = dsfill_long(dir_, "load " + dir_.file("old.csv") + common);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;

  // A bad row at 80% of 200,000 rows: without --max-bad-rows, exit 3 and nothing sent.
  std::string csv = "id,name,amount,day\n";
  for (int i = 0; i < 200'000; ++i) {
    csv +=
        std::to_string(i) + ",new," + (i == 160'000 ? std::string("oops") : "7") + ",2024-05-06\n";
  }
  write_file(dir_.file("new.csv"), csv);
  const std::string summary = dir_.file("summary.json");
  const ProcessRun replace = dsfill(
      dir_, "load " + dir_.file("new.csv") + common + " --mode replace --summary-json " + summary);
  EXPECT_EQ(replace.exit_code, 3) << replace.out << replace.err;
  EXPECT_NE(replace.err.find("--validate-first: nothing was sent"), std::string::npos)
      << replace.err;
  EXPECT_NE(replace.err.find("row 160002"), std::string::npos) << replace.err;
  const auto json = boost::json::parse(slurp(summary)).as_object();
  EXPECT_EQ(json.at("requests").as_int64(), 0);
  EXPECT_EQ(stored_rows(server_.db(), "u1", "d1"),
            (Rows{{"1", "old", "1", "2024-01-01"}, {"2", "old", "2", "2024-01-02"}}));

  // With --no-validate-first the old behaviour is there for whoever asks for it.
  const ProcessRun unchecked = dsfill_long(
      dir_, "load " + dir_.file("new.csv") + common + " --mode replace --no-validate-first");
  EXPECT_EQ(unchecked.exit_code, 3) << unchecked.out << unchecked.err;
  EXPECT_NE(stored_rows(server_.db(), "u1", "d1").size(), 2u);
}

TEST_F(ClientData, CheckListsEveryProblemOfAFileInOneRun) {
  const Spoiled file = spoiled_file(200'000);
  write_file(dir_.file("in.csv"), file.csv);
  write_file(dir_.file("spec.json"), kSpec);
  const std::string summary = dir_.file("check.json");
  const ProcessRun r = dsfill_long(dir_, "check " + dir_.file("in.csv") + " --columns " +
                                             dir_.file("spec.json") + " --summary-json " + summary);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int listed = 0;
  while (std::getline(lines, line)) {
    if (line.rfind(dir_.file("in.csv") + ": row ", 0) == 0) ++listed;
  }
  EXPECT_EQ(listed, 50) << r.out;
  EXPECT_NE(r.out.find("field 3 (amount): not_a_number"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bad_date"), std::string::npos) << r.out;
  const auto json = boost::json::parse(slurp(summary)).as_object();
  EXPECT_EQ(json.at("rejects").at("rows").as_int64(), 50);
  EXPECT_EQ(json.at("rejects").at("problems").as_array().size(), 50u);
  EXPECT_EQ(json.at("rejects").at("by_reason").at("bad_date").as_int64(), 10);
  // A clean file: exit 0.
  write_file(dir_.file("clean.csv"), "id,name,amount,day\n1,a,2,2024-01-01\n");
  const ProcessRun clean =
      dsfill_long(dir_, "check " + dir_.file("clean.csv") + " --columns " + dir_.file("spec.json"));
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_TRUE(stored_rows(server_.db(), "u1", "d1").empty());
}

TEST_F(ClientData, BenchMeasuresTheValidationPassBesideTheRun) {
  std::string csv = "id,name,amount,day\n";
  for (int i = 0; i < 20'000; ++i) csv += std::to_string(i) + ",n,7,2024-05-06\n";
  write_file(dir_.file("in.csv"), csv);
  write_file(dir_.file("spec.json"), kSpec);
  const std::string args = "bench " + dir_.file("in.csv") + " --columns " + dir_.file("spec.json");
  const std::string summary = dir_.file("bench.json");
  const ProcessRun r = dsfill_long(dir_, args + " --validate-first --summary-json " + summary);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("validated first: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" MB/s), before the first batch"), std::string::npos) << r.out;
  const auto json = boost::json::parse(slurp(summary)).as_object();
  EXPECT_GT(json.at("validate_seconds").as_double(), 0);
  EXPECT_EQ(json.at("rows").as_int64(), 20'000);
  // Without the flag, no pass. A bad row stops the bench before the run, as it would a load.
  const ProcessRun plain = dsfill_long(dir_, args);
  EXPECT_EQ(plain.out.find("validated first"), std::string::npos) << plain.out;
  write_file(dir_.file("bad.csv"), csv + "x,n,7,2024-05-06\n");
  const ProcessRun bad = dsfill_long(dir_, "bench " + dir_.file("bad.csv") + " --columns " +
                                               dir_.file("spec.json") + " --validate-first");
  EXPECT_EQ(bad.exit_code, 3) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("--validate-first: nothing was sent"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace dsfill::testing
