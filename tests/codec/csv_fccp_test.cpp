// Differential test against fast-cpp-csv-parser, an independent CSV reader. It reads line by
// line, so the generated files keep every record on one line (no quoted newlines).
#include <gtest/gtest.h>
// fccp's own file-name copy trips g++ 12's truncation warning; the header is not ours.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

#include <random>
#include <string>
#include <vector>

#include "codec/rows_json.h"
#include "tests/codec/csv_test_util.h"
#include "tests/oracle/csv_scanner.h"

namespace dsfill::codec {
namespace {

constexpr unsigned kColumns = 5;

// Reads `csv` (header line first) with fccp: trim nothing, "" escapes a quote.
std::vector<Record> read_with_fccp(const std::string& csv) {
  io::CSVReader<kColumns, io::trim_chars<>, io::double_quote_escape<',', '"'>> reader(
      "generated.csv", csv.data(), csv.data() + csv.size());
  reader.read_header(io::ignore_no_column, "c0", "c1", "c2", "c3", "c4");
  std::vector<Record> rows;
  std::string f0, f1, f2, f3, f4;
  while (reader.read_row(f0, f1, f2, f3, f4)) rows.push_back({f0, f1, f2, f3, f4});
  return rows;
}

TEST(FccpDifferential, SingleLineRecordsReadTheSame) {
  std::mt19937 rng(2024);
  std::size_t total_rows = 0;
  for (int iter = 0; iter < 60; ++iter) {
    testing::GenOptions o;
    o.records = 1 + rng() % 200;
    o.fields = kColumns;
    o.embedded_newlines = false;
    o.mixed_terminators = false;
    o.blank_lines = false;
    o.controls = false;  // fccp reads C strings: no NUL; keep the bytes printable
    o.final_terminator_optional = false;
    std::vector<Record> generated;
    const std::string body = testing::random_csv(rng, o, &generated);
    const std::string csv = "c0,c1,c2,c3,c4\n" + body;

    const std::vector<Record> fccp = read_with_fccp(csv);
    auto ours = parse_csv(csv, {});
    ASSERT_TRUE(ours.has_value()) << ours.error().describe();
    ASSERT_EQ(ours->size(), fccp.size() + 1) << iter;
    const std::vector<Record> ours_body(ours->begin() + 1, ours->end());
    EXPECT_EQ(ours_body, fccp) << iter;
    EXPECT_EQ(fccp, generated) << iter;
    total_rows += fccp.size();
  }
  EXPECT_GT(total_rows, 1000u);
}

}  // namespace
}  // namespace dsfill::codec
