#include "tests/oracle/csv_scanner.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "codec/row_boundary.h"
#include "codec/rows_json.h"
#include "tests/codec/csv_test_util.h"

namespace dsfill::codec {
namespace {

using testing::scan_chunked;
using testing::ScanResult;

struct ExpectedError {
  std::string message;
  std::int64_t row;
  std::int64_t byte_offset;
};

struct ConformanceCase {
  const char* name;
  std::string input;
  std::vector<Record> records;     // expected when no error
  std::vector<std::int64_t> rows;  // expected record rows (empty: not checked)
  std::optional<ExpectedError> error;
  CsvDialect dialect{};
};

// What gtest (and so ctest's test list) shows as the case's value: its name, not its bytes.
void PrintTo(const ConformanceCase& c, std::ostream* os) { *os << c.name; }

std::vector<ConformanceCase> conformance_cases() {
  using R = std::vector<Record>;
  return {
      {"empty", "", R{}, {}, std::nullopt},
      {"simple_lf", "a,b,c\n1,2,3\n", R{{"a", "b", "c"}, {"1", "2", "3"}}, {1, 2}, std::nullopt},
      {"no_final_newline", "a,b\n1,2", R{{"a", "b"}, {"1", "2"}}, {1, 2}, std::nullopt},
      {"crlf", "a,b\r\n1,2\r\n", R{{"a", "b"}, {"1", "2"}}, {1, 2}, std::nullopt},
      {"bare_cr", "a,b\r1,2\r", R{{"a", "b"}, {"1", "2"}}, {1, 2}, std::nullopt},
      {"mixed_terminators",
       "a\nb\r\nc\rd",
       R{{"a"}, {"b"}, {"c"}, {"d"}},
       {1, 2, 3, 4},
       std::nullopt},
      {"empty_fields", ",,\n,\n", R{{"", "", ""}, {"", ""}}, {1, 2}, std::nullopt},
      {"trailing_delimiter_eof", "a,", R{{"a", ""}}, {1}, std::nullopt},
      {"blank_lines_counted", "\n\na\n\n\nb\n", R{{"a"}, {"b"}}, {3, 6}, std::nullopt},
      {"blank_crlf_lines", "a\r\n\r\nb\r\n", R{{"a"}, {"b"}}, {1, 3}, std::nullopt},
      {"blank_cr_lines", "a\r\r\rb", R{{"a"}, {"b"}}, {1, 4}, std::nullopt},
      {"only_terminators", "\r\n\n\r", R{}, {}, std::nullopt},
      {"quoted_basic", "\"a,b\",\"c\"\"d\",\"\"\n", R{{"a,b", "c\"d", ""}}, {1}, std::nullopt},
      {"quoted_lf",
       "\"line1\nline2\",x\ny,z\n",
       R{{"line1\nline2", "x"}, {"y", "z"}},
       {1, 2},
       std::nullopt},
      {"quoted_crlf_and_cr", "\"a\r\nb\rc\",d\r\n", R{{"a\r\nb\rc", "d"}}, {1}, std::nullopt},
      {"only_doubled_quotes", "\"\"\"\"\n", R{{"\""}}, {1}, std::nullopt},
      {"many_doubled_quotes",
       "\"\"\"\"\"\"\"\",\"a\"\"\"\n",
       R{{"\"\"\"", "a\""}},
       {1},
       std::nullopt},
      {"empty_quoted_record", "\"\"\n\"\"", R{{""}, {""}}, {1, 2}, std::nullopt},
      {"quoted_last_no_newline", "a,\"b\"", R{{"a", "b"}}, {1}, std::nullopt},
      {"quoted_then_crlf", "\"a\"\r\n\"b\"\r", R{{"a"}, {"b"}}, {1, 2}, std::nullopt},
      {"spaces_kept", " a , b \n", R{{" a ", " b "}}, {1}, std::nullopt},
      {"final_cr", "a\r", R{{"a"}}, {1}, std::nullopt},
      {"non_ascii", "\xC3\xA9,\xE2\x82\xAC\n", R{{"\xC3\xA9", "\xE2\x82\xAC"}}, {1}, std::nullopt},
      {"controls_and_backslash", "a\tb,\\,\x01\n", R{{"a\tb", "\\", "\x01"}}, {1}, std::nullopt},
      {"long_fields",
       std::string(100, 'x') + ",\"" + std::string(70, 'y') + "\"\"z\"\n",
       R{{std::string(100, 'x'), std::string(70, 'y') + "\"z"}},
       {1},
       std::nullopt},
      {"bare_quote", "a\"b\n", R{}, {}, ExpectedError{"bare quote in unquoted field", 1, 1}},
      {"bare_quote_after_space",
       "x\n \"a\"\n",
       R{},
       {},
       ExpectedError{"bare quote in unquoted field", 2, 3}},
      {"char_after_closing_quote",
       "x\n\"a\"b\n",
       R{},
       {},
       ExpectedError{"unexpected character after closing quote", 2, 5}},
      {"space_after_closing_quote",
       "\"a\" ,b\n",
       R{},
       {},
       ExpectedError{"unexpected character after closing quote", 1, 3}},
      {"unterminated", "x,y\n\n1,\"abc", R{}, {}, ExpectedError{"unterminated quoted field", 3, 7}},
      {"unterminated_multiline",
       "a\r\n\"b\nc\nd",
       R{},
       {},
       ExpectedError{"unterminated quoted field", 2, 3}},
      {"unterminated_after_doubled",
       "\"a\"\"",
       R{},
       {},
       ExpectedError{"unterminated quoted field", 1, 0}},
      {"error_row_after_quoted_newline",
       "\"a\nb\",c\nd\"e\n",
       R{},
       {},
       ExpectedError{"bare quote in unquoted field", 2, 9}},
      {"semicolon_dialect",
       "a;\"b;c\"\n",
       R{{"a", "b;c"}},
       {1},
       std::nullopt,
       CsvDialect{';', '"'}},
      {"tab_dialect",
       "a\t\"b\tc\"\t\n",
       R{{"a", "b\tc", ""}},
       {1},
       std::nullopt,
       CsvDialect{'\t', '"'}},
      {"single_quote_dialect",
       "'a,b','c''d',\"e\n",
       R{{"a,b", "c'd", "\"e"}},
       {1},
       std::nullopt,
       CsvDialect{',', '\''}},
  };
}

class ConformanceTest : public ::testing::TestWithParam<ConformanceCase> {};

void expect_matches(const ConformanceCase& c, const ScanResult& got, const std::string& how) {
  SCOPED_TRACE(how);
  if (c.error) {
    ASSERT_TRUE(got.error.has_value());
    EXPECT_EQ(got.error->code, ErrorCode::kBadCsv);
    EXPECT_EQ(got.error->message, c.error->message);
    EXPECT_EQ(got.error->row, c.error->row);
    EXPECT_EQ(got.error->byte_offset, c.error->byte_offset);
    return;
  }
  ASSERT_FALSE(got.error.has_value()) << got.error->describe();
  EXPECT_EQ(testing::fields_of(got), c.records);
  if (!c.rows.empty()) {
    ASSERT_EQ(got.records.size(), c.rows.size());
    for (std::size_t i = 0; i < c.rows.size(); ++i) EXPECT_EQ(got.records[i].row, c.rows[i]);
  }
}

TEST_P(ConformanceTest, WholeInput) {
  const auto& c = GetParam();
  expect_matches(c, scan_chunked(c.input, 0, c.dialect), "whole");
}

TEST_P(ConformanceTest, AnyChunkingGivesTheSameResult) {
  const auto& c = GetParam();
  const ScanResult whole = scan_chunked(c.input, 0, c.dialect);
  for (std::size_t chunk : {1, 2, 3, 7, 17, 64}) {
    const ScanResult got = scan_chunked(c.input, chunk, c.dialect);
    expect_matches(c, got, "chunk " + std::to_string(chunk));
    EXPECT_EQ(got.records, whole.records) << "chunk " << chunk;  // rows and offsets too
  }
}

TEST_P(ConformanceTest, ParseCsvAgrees) {
  const auto& c = GetParam();
  auto parsed = parse_csv(c.input, c.dialect);
  if (c.error) {
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().message, c.error->message);
    EXPECT_EQ(parsed.error().row, c.error->row);
    EXPECT_EQ(parsed.error().byte_offset, c.error->byte_offset);
  } else {
    ASSERT_TRUE(parsed.has_value()) << parsed.error().describe();
    EXPECT_EQ(*parsed, c.records);
  }
}

// The transcoder shares no code with the scanner: it must read every case the same way.
TEST_P(ConformanceTest, TranscoderAgrees) {
  const auto& c = GetParam();
  RowsJsonOptions options;
  options.dialect = c.dialect;
  std::string out;
  auto got = append_rows_json(c.input, options, InputPosition{}, out);
  if (c.error) {
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().code, ErrorCode::kBadCsv);
    EXPECT_EQ(got.error().message, c.error->message);
    EXPECT_EQ(got.error().row, c.error->row);
    EXPECT_EQ(got.error().byte_offset, c.error->byte_offset);
    return;
  }
  bool ragged = false;
  for (const auto& r : c.records) ragged = ragged || r.size() != c.records.front().size();
  if (ragged) {
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().message.rfind("ragged row", 0), 0u) << got.error().message;
    return;
  }
  ASSERT_TRUE(got.has_value()) << got.error().describe();
  EXPECT_EQ(testing::parse_rows(out), c.records);
  EXPECT_EQ(got->rows, c.records.size());
}

// And so must the boundary finder: at the end of input it takes every physical row.
TEST_P(ConformanceTest, BoundaryFinderTakesEveryRow) {
  const auto& c = GetParam();
  if (c.error || c.rows.empty()) return;
  const RecordCut cut = find_record_cut(c.input, SIZE_MAX, true, c.dialect);
  EXPECT_EQ(cut.end, c.input.size());
  EXPECT_GE(cut.records, static_cast<std::size_t>(c.rows.back()));
}

INSTANTIATE_TEST_SUITE_P(Csv, ConformanceTest, ::testing::ValuesIn(conformance_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CsvScanner, ReportsRecordStartOffsets) {
  const ScanResult r = scan_chunked("a,b\r\n\r\n\"c\nd\",e\nf", 0);
  ASSERT_FALSE(r.error.has_value());
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0].byte_offset, 0);
  EXPECT_EQ(r.records[1].byte_offset, 7);
  EXPECT_EQ(r.records[1].row, 3);
  EXPECT_EQ(r.records[2].byte_offset, 15);
  EXPECT_EQ(r.records[2].row, 4);
}

TEST(CsvScanner, StartPositionShiftsRowsAndOffsets) {
  const ScanResult ok = scan_chunked("a\nb\n", 0, {}, InputPosition{10, 1000});
  ASSERT_EQ(ok.records.size(), 2u);
  EXPECT_EQ(ok.records[1].row, 11);
  EXPECT_EQ(ok.records[1].byte_offset, 1002);
  const ScanResult bad = scan_chunked("a\nb\"\n", 2, {}, InputPosition{10, 1000});
  ASSERT_TRUE(bad.error.has_value());
  EXPECT_EQ(bad.error->row, 11);
  EXPECT_EQ(bad.error->byte_offset, 1003);
}

TEST(CsvScanner, CrlfSplitAcrossChunksIsOneTerminator) {
  ScanResult r;
  testing::CollectingSink sink(r);
  CsvScanner scanner({});
  ASSERT_TRUE(scanner.feed("a\r", sink));
  ASSERT_TRUE(scanner.feed("\nb\r", sink));
  ASSERT_TRUE(scanner.feed("\n", sink));
  ASSERT_TRUE(scanner.feed("c", sink));
  ASSERT_TRUE(scanner.finish(sink));
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[1].row, 2);
  EXPECT_EQ(r.records[2].row, 3);
  EXPECT_EQ(r.records[2].byte_offset, 6);
}

// Counts pieces: within one chunk a field is one piece, or one per doubled quote when quoted.
TEST(CsvScanner, EmitsWholeSpansAsPieces) {
  EXPECT_EQ(scan_chunked("abc,defgh,\"ij,k\"\n", 0).pieces, 3u);
  EXPECT_EQ(scan_chunked("\"ab\"\"cd\"\"\"\n", 0).pieces, 2u);  // `ab"`, `cd"`
  EXPECT_EQ(scan_chunked("abcdef\n", 2).pieces, 3u);            // split by the chunks only
}

TEST(CsvScanner, FeedAfterErrorFails) {
  ScanResult r;
  testing::CollectingSink sink(r);
  CsvScanner scanner({});
  ASSERT_FALSE(scanner.feed("a\"", sink));
  EXPECT_FALSE(scanner.feed("b\n", sink));
  EXPECT_FALSE(scanner.finish(sink));
}

TEST(ParseCsv, DropsBomAndCountsItInOffsets) {
  auto parsed = parse_csv(
      "\xEF\xBB\xBF"
      "a,b\n1,2\n",
      {});
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, (std::vector<Record>{{"a", "b"}, {"1", "2"}}));
  auto bad = parse_csv(
      "\xEF\xBB\xBF"
      "a\"\n",
      {});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().byte_offset, 4);
  // The scanner itself keeps the BOM as data.
  EXPECT_EQ(testing::fields_of(scan_chunked("\xEF\xBB\xBF"
                                            "a\n",
                                            1))[0][0],
            "\xEF\xBB\xBF"
            "a");
}

TEST(ParseCsv, MaxRecordsStopsBeforeLaterErrors) {
  auto parsed = parse_csv("h1,h2\nx,y\"bad\n", {}, 1);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, (std::vector<Record>{{"h1", "h2"}}));
  auto two = parse_csv("a\nb\nc\n", {}, 2);
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(two->size(), 2u);
  EXPECT_FALSE(parse_csv("h1,h2\nx,y\"bad\n", {}, 2).has_value());
}

TEST(CsvScanner, RandomInputsAreChunkingInvariant) {
  std::mt19937 rng(12345);
  for (int iter = 0; iter < 300; ++iter) {
    testing::GenOptions o;
    o.records = 1 + rng() % 40;
    o.fields = 1 + rng() % 5;
    o.ragged = iter % 3 == 0;
    std::vector<Record> expected;
    const std::string csv = testing::random_csv(rng, o, &expected);
    const ScanResult whole = scan_chunked(csv, 0);
    ASSERT_FALSE(whole.error.has_value()) << whole.error->describe();
    ASSERT_EQ(testing::fields_of(whole), expected) << "iteration " << iter;
    for (std::size_t chunk : {1, 2, 3, 7, 17, 64}) {
      EXPECT_EQ(scan_chunked(csv, chunk).records, whole.records)
          << "iteration " << iter << " chunk " << chunk;
    }
  }
}

TEST(CsvScanner, RandomCorruptionGivesTheSameErrorWhateverTheChunking) {
  std::mt19937 rng(777);
  int errors = 0;
  for (int iter = 0; iter < 300; ++iter) {
    testing::GenOptions o;
    o.records = 1 + rng() % 20;
    std::string csv = testing::random_csv(rng, o);
    if (csv.empty()) continue;
    // Insert a stray quote somewhere: some positions stay valid, most are errors.
    csv.insert(rng() % csv.size(), 1, '"');
    const ScanResult whole = scan_chunked(csv, 0);
    if (whole.error) ++errors;
    for (std::size_t chunk : {1, 3, 17}) {
      const ScanResult got = scan_chunked(csv, chunk);
      ASSERT_EQ(got.error.has_value(), whole.error.has_value()) << iter;
      if (got.error) {
        EXPECT_EQ(got.error->message, whole.error->message) << iter;
        EXPECT_EQ(got.error->row, whole.error->row) << iter;
        EXPECT_EQ(got.error->byte_offset, whole.error->byte_offset) << iter;
      } else {
        EXPECT_EQ(got.records, whole.records) << iter;
      }
    }
  }
  EXPECT_GT(errors, 50);  // the corruption really produced errors to compare
}

// Arbitrary bytes from the CSV alphabet: no crash, and the scanner (in any chunking), the
// transcoder and the boundary finder agree on records, errors and row counts.
TEST(CsvScanner, RandomBytesAgreeAcrossImplementations) {
  static const char kAlphabet[] = {'"', ',', '\r', '\n', 'a', 'b', '\\', ' '};
  std::mt19937 rng(31337);
  int valid = 0;
  int invalid = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string input(rng() % 40, ' ');
    for (char& ch : input) ch = kAlphabet[rng() % sizeof kAlphabet];
    const ScanResult whole = scan_chunked(input, 0);
    for (std::size_t chunk : {1, 2, 7}) {
      const ScanResult got = scan_chunked(input, chunk);
      ASSERT_EQ(got.error.has_value(), whole.error.has_value()) << iter;
      if (got.error) {
        EXPECT_EQ(got.error->byte_offset, whole.error->byte_offset) << iter;
        EXPECT_EQ(got.error->message, whole.error->message) << iter;
      } else {
        EXPECT_EQ(got.records, whole.records) << iter;
      }
    }
    RowsJsonOptions options;
    options.expected_fields = 0;
    std::string out;
    auto json = append_rows_json(input, options, InputPosition{}, out);
    if (json || json.error().message.rfind("ragged", 0) != 0) {
      ASSERT_EQ(json.has_value(), !whole.error.has_value()) << iter;
      if (whole.error) {
        EXPECT_EQ(json.error().message, whole.error->message) << iter;
        EXPECT_EQ(json.error().row, whole.error->row) << iter;
        EXPECT_EQ(json.error().byte_offset, whole.error->byte_offset) << iter;
      } else {
        EXPECT_EQ(testing::parse_rows(out), testing::fields_of(whole)) << iter;
      }
    }
    const RecordCut cut = find_record_cut(input, SIZE_MAX, true, CsvDialect{});
    if (whole.error) {
      ++invalid;
    } else {
      ++valid;
      EXPECT_EQ(cut.end, input.size()) << iter;
      if (!whole.records.empty()) {
        EXPECT_GE(cut.records, static_cast<std::size_t>(whole.records.back().row)) << iter;
      }
      if (json) {
        EXPECT_EQ(cut.records, json->physical_rows) << iter;  // blank lines included
      }
    }
  }
  EXPECT_GT(valid, 300);
  EXPECT_GT(invalid, 300);
}

}  // namespace
}  // namespace dsfill::codec
