#include "codec/rows_json.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/codec/csv_test_util.h"
#include "tests/oracle/csv_scanner.h"

namespace dsfill::codec {
namespace {

Result<RowsJsonStats> transcode(std::string_view csv, std::string& out,
                                const RowsJsonOptions& options = {}, InputPosition start = {}) {
  out.clear();
  return append_rows_json(csv, options, start, out);
}

std::string json_of(std::string_view csv, const RowsJsonOptions& options = {}) {
  std::string out;
  auto r = transcode(csv, out, options);
  EXPECT_TRUE(r.has_value()) << r.error().describe();
  return out;
}

TEST(RowsJson, WritesCompactRows) {
  EXPECT_EQ(json_of("a,b\nc,d\n"), R"([["a","b"],["c","d"]])");
  EXPECT_EQ(json_of(""), "[]");
  EXPECT_EQ(json_of("\n\r\n"), "[]");
  EXPECT_EQ(json_of(",\n"), R"([["",""]])");
  EXPECT_EQ(json_of("\"x\"\"y\",\"a,b\"\r\n\"l1\nl2\",z"), R"([["x\"y","a,b"],["l1\nl2","z"]])");
}

TEST(RowsJson, AppendsAfterExistingContent) {
  std::string out = "prefix:";
  ASSERT_TRUE(append_rows_json("a\n", {}, {}, out));
  EXPECT_EQ(out, R"(prefix:[["a"]])");
}

TEST(RowsJson, EscapesEveryControlCharacter) {
  std::string csv;
  std::string expected = "[[";
  for (int c = 0; c < 0x20; ++c) {
    if (c != 0) {
      csv += ',';
      expected += ',';
    }
    csv += '"';
    csv += static_cast<char>(c);
    csv += '"';
    static const char kHex[] = "0123456789abcdef";
    switch (c) {
      case '\b':
        expected += R"("\b")";
        break;
      case '\t':
        expected += R"("\t")";
        break;
      case '\n':
        expected += R"("\n")";
        break;
      case '\f':
        expected += R"("\f")";
        break;
      case '\r':
        expected += R"("\r")";
        break;
      default:
        expected += std::string("\"\\u00") + kHex[c >> 4] + kHex[c & 15] + "\"";
    }
  }
  csv += ",\"\"\"\",\\,\x7F,/\n";
  expected += R"(,"\"","\\",")";
  expected += '\x7F';  // 0x7F passes as is
  expected += R"(","/"]])";
  EXPECT_EQ(json_of(csv), expected);
}

TEST(RowsJson, EscapesInsideLongPlainRuns) {
  // Special bytes at every position of the 16-byte lanes.
  for (std::size_t pad = 0; pad < 40; ++pad) {
    const std::string x(pad, 'x');
    const std::string csv = x + "\\" + x + "\t" + x + ",\"" + x + "\"\"" + x + "\r" + x + "\"\n";
    const std::string expected =
        "[[\"" + x + "\\\\" + x + "\\t" + x + "\",\"" + x + "\\\"" + x + "\\r" + x + "\"]]";
    EXPECT_EQ(json_of(csv), expected) << pad;
  }
}

TEST(RowsJson, PassesValidUtf8) {
  const std::string csv =
      "caf\xC3\xA9,\xE2\x82\xAC,\xF0\x9F\x98\x80,\xEF\xBF\xBF,\xF4\x8F\xBF\xBF\n";
  EXPECT_EQ(json_of(csv),
            "[[\"caf\xC3\xA9\",\"\xE2\x82\xAC\",\"\xF0\x9F\x98\x80\",\"\xEF\xBF\xBF\","
            "\"\xF4\x8F\xBF\xBF\"]]");
}

struct BadUtf8 {
  std::string bytes;     // placed after "ab,c" on row 2
  std::string replaced;  // what kReplace writes instead
};

TEST(RowsJson, RejectsOrReplacesInvalidUtf8) {
  const std::string fffd = "\xEF\xBF\xBD";
  const std::vector<BadUtf8> cases = {
      {"\x80", fffd},                                   // lone continuation
      {"\xC0\x80", fffd + fffd},                        // overlong NUL
      {"\xC1\xBF", fffd + fffd},                        // overlong
      {"\xE0\x80\x80", fffd + fffd + fffd},             // overlong 3-byte
      {"\xED\xA0\x80", fffd + fffd + fffd},             // surrogate D800
      {"\xF0\x80\x80\x80", fffd + fffd + fffd + fffd},  // overlong 4-byte
      {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},  // above U+10FFFF
      {"\xF5\x80", fffd + fffd},                        // invalid lead
      {"\xFF", fffd},
      {"\xE2\x82", fffd},                               // truncated at the field end
      {"\xF0\x9F\x98", fffd},                           // truncated 4-byte
      {"\xE2\x82\xE2\x82\xAC", fffd + "\xE2\x82\xAC"},  // truncated, then valid
  };
  for (const auto& c : cases) {
    const std::string csv = "h\nab,c" + c.bytes + "d,e\n";
    std::string out;
    auto strict = transcode(csv, out);
    ASSERT_FALSE(strict.has_value()) << ::testing::PrintToString(c.bytes);
    EXPECT_EQ(strict.error().code, ErrorCode::kBadEncoding);
    EXPECT_EQ(strict.error().row, 2);
    EXPECT_EQ(strict.error().byte_offset, 6);

    RowsJsonOptions replace;
    replace.utf8 = Utf8Policy::kReplace;
    replace.expected_fields = 3;
    // Inside a quoted field too.
    const std::string quoted = "h,i,j\nab,\"c" + c.bytes + "d\",e\n";
    EXPECT_EQ(json_of(quoted, replace),
              "[[\"h\",\"i\",\"j\"],[\"ab\",\"c" + c.replaced + "d\",\"e\"]]");
  }
  // Truncated at the very end of the input.
  std::string out;
  auto end = transcode("a\xE2\x82", out);
  ASSERT_FALSE(end.has_value());
  EXPECT_EQ(end.error().byte_offset, 1);
}

// A doubled quote char is the char itself; as JSON it may need escaping (fuzzing found a control
// char as quote written raw).
TEST(RowsJson, EscapesADoubledQuoteCharThatJsonEscapes) {
  for (const char quote : {'\x01', '\t', '"', '\\', '\''}) {
    RowsJsonOptions o;
    o.dialect.quote = quote;
    const std::string q(1, quote);
    std::string json;
    append_json_string("a" + q + "b", json);
    EXPECT_EQ(json_of(q + "a" + q + q + "b" + q + ",c\n", o), "[[" + json + ",\"c\"]]")
        << static_cast<int>(quote);
  }
}

TEST(RowsJson, ConvertsLatin1) {
  RowsJsonOptions latin1;
  latin1.encoding = InputEncoding::kLatin1;
  EXPECT_EQ(json_of("caf\xE9,\xA0\xFF\x80\n", latin1),
            "[[\"caf\xC3\xA9\",\"\xC2\xA0\xC3\xBF\xC2\x80\"]]");
}

TEST(RowsJson, WritesNumberColumnsAsNumbers) {
  RowsJsonOptions o;
  o.kinds = {ValueKind::kString, ValueKind::kNumber, ValueKind::kNumber};
  EXPECT_EQ(json_of("a,1,-2.5e3\nb,,\"0.25\"\n\"c\",0,\"\"\n", o),
            R"([["a",1,-2.5e3],["b",null,0.25],["c",0,null]])");
}

TEST(RowsJson, RejectsNonNumbersNamingColumnAndValue) {
  RowsJsonOptions o;
  o.kinds = {ValueKind::kString, ValueKind::kNumber};
  std::string out;
  auto r = transcode("h,n\nx,12\ny,1 2\n", out, o, InputPosition{5, 100});
  // The header row is data here, so it fails first: "n" is not a number.
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kBadNumber);
  EXPECT_EQ(r.error().row, 5);
  EXPECT_EQ(r.error().byte_offset, 102);
  EXPECT_NE(r.error().message.find("column 2"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("\"n\""), std::string::npos) << r.error().message;

  auto later = transcode("x,12\ny,1 2\n", out, o, InputPosition{5, 100});
  ASSERT_FALSE(later.has_value());
  EXPECT_EQ(later.error().row, 6);
  EXPECT_EQ(later.error().byte_offset, 107);
  EXPECT_NE(later.error().message.find("\"1 2\""), std::string::npos);

  const std::string long_value(100, '9');
  auto capped = transcode("x,\"" + long_value + "x\"\n", out, o);
  ASSERT_FALSE(capped.has_value());
  EXPECT_LT(capped.error().message.size(), 100u);
  EXPECT_NE(capped.error().message.find("..."), std::string::npos);

  for (const char* bad : {"+1", "01", ".5", "1.", "NaN", "1e", " 1", "1 ", "0x10", "-"}) {
    EXPECT_FALSE(transcode(std::string("x,") + bad + "\n", out, o).has_value()) << bad;
  }
}

TEST(IsJsonNumber, FollowsRfc8259) {
  for (const char* ok : {"0", "-0", "1", "-12", "3.25", "0.5", "1e5", "1E+5", "-1.5e-07", "10"}) {
    EXPECT_TRUE(is_json_number(ok)) << ok;
  }
  for (const char* bad : {"", "-", "+1", "01", "-01", ".5", "1.", "1e", "1e+", "Infinity", "NaN",
                          " 1", "1 ", "1,5", "0x1", "1..2", "1e5.5"}) {
    EXPECT_FALSE(is_json_number(bad)) << bad;
  }
}

TEST(RowsJson, RejectsRaggedRows) {
  std::string out;
  auto r = transcode("a,b\nc,d\ne,f,g\n", out, {}, InputPosition{10, 50});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kBadCsv);
  EXPECT_EQ(r.error().message, "ragged row: expected 2 fields, found 3");
  EXPECT_EQ(r.error().row, 12);
  EXPECT_EQ(r.error().byte_offset, 58);

  RowsJsonOptions three;
  three.expected_fields = 3;
  auto first = transcode("a,b\n", out, three);
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().message, "ragged row: expected 3 fields, found 2");
  EXPECT_EQ(first.error().row, 1);
}

TEST(RowsJson, ReportsStats) {
  std::string out;
  auto r = transcode("\na,b\r\n\r\nc,d", out);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rows, 2u);
  EXPECT_EQ(r->physical_rows, 4u);
  EXPECT_EQ(r->fields_per_row, 2u);
}

TEST(RowsJson, CsvErrorsMatchTheScanner) {
  for (const char* csv :
       {"a\"b\n", "x\n\"a\"b\n", "x,y\n\n1,\"abc", "\"a\nb\",c\nd\"e\n", "\"a\"\"", "a,\"b\" \n"}) {
    std::string out;
    auto got = transcode(csv, out, {}, InputPosition{3, 20});
    const auto want = testing::scan_chunked(csv, 1, {}, InputPosition{3, 20});
    ASSERT_FALSE(got.has_value()) << csv;
    ASSERT_TRUE(want.error.has_value()) << csv;
    EXPECT_EQ(got.error().message, want.error->message) << csv;
    EXPECT_EQ(got.error().row, want.error->row) << csv;
    EXPECT_EQ(got.error().byte_offset, want.error->byte_offset) << csv;
  }
}

TEST(RowsJson, RandomCsvRoundTripsAndMatchesTheScanner) {
  std::mt19937 rng(99);
  for (int iter = 0; iter < 400; ++iter) {
    testing::GenOptions o;
    o.records = 1 + rng() % 50;
    o.fields = 1 + rng() % 6;
    o.delimiter = iter % 5 == 0 ? ';' : ',';
    std::vector<Record> expected;
    const std::string csv = testing::random_csv(rng, o, &expected);
    RowsJsonOptions options;
    options.dialect.delimiter = o.delimiter;
    std::string out = "";
    auto stats = transcode(csv, out, options);
    ASSERT_TRUE(stats.has_value()) << stats.error().describe();
    EXPECT_EQ(testing::parse_rows(out), expected) << iter;
    const auto scanned = testing::scan_chunked(csv, 7, options.dialect);
    EXPECT_EQ(stats->rows, scanned.records.size());
    EXPECT_EQ(stats->fields_per_row, o.fields);
  }
}

TEST(RowsJson, RandomMixedKindsRoundTrip) {
  std::mt19937 rng(8080);
  // Values simdjson prints back unchanged (the exact text is checked elsewhere).
  static const char* const kNumbers[] = {"0", "-1", "12.5", "-0.25", "1000", ""};
  for (int iter = 0; iter < 300; ++iter) {
    const std::size_t nf = 1 + rng() % 7;
    RowsJsonOptions options;
    for (std::size_t f = 0; f < nf; ++f) {
      options.kinds.push_back(rng() % 2 == 0 ? ValueKind::kNumber : ValueKind::kString);
    }
    if (rng() % 3 == 0) options.kinds.resize(rng() % nf);  // trailing columns default to strings
    std::string csv;
    std::vector<Record> expected;
    for (std::size_t r = 0, n = 1 + rng() % 20; r < n; ++r) {
      Record rec;
      for (std::size_t f = 0; f < nf; ++f) {
        if (f != 0) csv += ',';
        if (f < options.kinds.size() && options.kinds[f] == ValueKind::kNumber) {
          const std::string v = kNumbers[rng() % std::size(kNumbers)];
          if (nf == 1 && v.empty()) {
            csv += "\"\"";  // an empty unquoted lone field would be a blank line
          } else {
            testing::append_field(csv, v, rng, ',');
          }
          rec.push_back(v.empty() ? "#null" : "#" + v);
        } else {
          testing::GenOptions o;
          std::string v = testing::random_value(rng, o);
          if (nf == 1 && v.empty()) v.push_back('y');
          testing::append_field(csv, v, rng, ',');
          rec.push_back(std::move(v));
        }
      }
      expected.push_back(std::move(rec));
      csv += "\r\n";
    }
    std::string out;
    auto stats = transcode(csv, out, options);
    ASSERT_TRUE(stats.has_value()) << stats.error().describe();
    EXPECT_EQ(testing::parse_rows(out), expected) << iter << " " << csv;
    EXPECT_EQ(stats->fields_per_row, nf);
  }
}

TEST(RowsJson, RandomCorruptionGivesTheScannersErrors) {
  std::mt19937 rng(5150);
  int compared = 0;
  for (int iter = 0; iter < 500; ++iter) {
    testing::GenOptions o;
    o.records = 1 + rng() % 20;
    o.fields = 3;
    std::string csv = testing::random_csv(rng, o);
    // Insert a stray quote, never inside a UTF-8 sequence (that would be an encoding error).
    std::size_t at = rng() % csv.size();
    while (at > 0 && (static_cast<unsigned char>(csv[at]) & 0xC0) == 0x80) --at;
    csv.insert(at, 1, '"');
    std::string out;
    auto got = transcode(csv, out, {}, InputPosition{7, 1000});
    const auto want = testing::scan_chunked(csv, 5, {}, InputPosition{7, 1000});
    if (!got && got.error().message.rfind("ragged", 0) == 0) continue;  // scanner does not check
    ASSERT_EQ(got.has_value(), !want.error.has_value()) << iter;
    if (want.error) {
      EXPECT_EQ(got.error().message, want.error->message) << iter;
      EXPECT_EQ(got.error().row, want.error->row) << iter;
      EXPECT_EQ(got.error().byte_offset, want.error->byte_offset) << iter;
      ++compared;
    } else {
      EXPECT_EQ(testing::parse_rows(out), testing::fields_of(want)) << iter;
    }
  }
  EXPECT_GT(compared, 100);
}

// Long runs of plain records go through the fast path (64-byte blocks, records running into each
// other); anything odd falls back to the general path for that one record. Both must agree with
// the generated records, whatever the block alignment.
TEST(RowsJson, FastPathAgreesOnLongRandomRuns) {
  std::mt19937 rng(2026);
  static const char* const kPieces[] = {
      "a", "Z", "0", "9", " ", "-", ":", ".", "x", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
  for (int iter = 0; iter < 600; ++iter) {
    const char delim = iter % 7 == 0 ? '\t' : iter % 5 == 0 ? ';' : ',';
    const std::size_t nf = 1 + rng() % 8;
    const bool utf8 = iter % 3 != 0;  // else ASCII only
    const std::size_t long_field = iter % 4 == 0 ? 200 : 30;
    std::string csv;
    std::vector<Record> expected;
    std::uint64_t lines = 0;
    for (std::size_t r = 0, n = 1 + rng() % 150; r < n; ++r) {
      if (rng() % 30 == 0) {  // a blank line
        csv += rng() % 2 ? "\n" : "\r\n";
        ++lines;
      }
      Record rec;
      for (std::size_t f = 0; f < nf; ++f) {
        if (f != 0) csv += delim;
        std::string v;
        for (std::size_t k = 0, len = rng() % long_field; k < len; ++k) {
          v += kPieces[rng() % (utf8 ? std::size(kPieces) : std::size(kPieces) - 3)];
        }
        if (nf == 1 && v.empty()) v.push_back('y');  // an empty lone field is a blank line
        if (rng() % 40 == 0) {
          v += "\"q,\n";  // needs quoting: this record goes the general way
          testing::append_field(csv, v, rng, delim);
        } else {
          csv += v;
        }
        rec.push_back(std::move(v));
      }
      expected.push_back(std::move(rec));
      const bool last = r + 1 == n;
      if (!last || rng() % 2 == 0) {
        csv += rng() % 3 == 0 ? "\r\n" : "\n";
        ++lines;
      } else {
        ++lines;  // an unterminated last record still counts as a physical row
      }
    }
    RowsJsonOptions options;
    options.dialect.delimiter = delim;
    std::string out;
    auto stats = transcode(csv, out, options);
    ASSERT_TRUE(stats.has_value()) << iter << ": " << stats.error().describe();
    ASSERT_EQ(testing::parse_rows(out), expected) << iter;
    EXPECT_EQ(stats->rows, expected.size()) << iter;
    EXPECT_EQ(stats->physical_rows, lines) << iter;
    EXPECT_EQ(stats->fields_per_row, nf) << iter;
    // Replace mode writes valid input exactly as strict mode does.
    options.utf8 = Utf8Policy::kReplace;
    std::string replaced;
    ASSERT_TRUE(transcode(csv, replaced, options).has_value());
    EXPECT_EQ(replaced, out) << iter;
  }
}

// After 8 records in a row that the fast path could not take, write_rows gives a few records to
// the general path without trying it (rows_json.cpp): runs of quoted records, then plain ones,
// then an error, must come out as when every record is tried.
TEST(RowsJson, RunsOfQuotedRecordsThenPlainOnesComeOutWhole) {
  std::mt19937 rng(88);
  for (int iter = 0; iter < 200; ++iter) {
    std::string csv;
    std::vector<Record> expected;
    std::int64_t row = 1;
    for (int run = 0; run < 6; ++run) {
      const bool quoted = run % 2 == 0;
      for (std::size_t r = 0, n = rng() % 70; r < n; ++r, ++row) {
        Record rec;
        for (int f = 0; f < 3; ++f) {
          std::string v(1, 'v');
          v += std::to_string(rng() % 100000);
          if (f != 0) csv += ',';
          if (quoted) {
            v += f == 1 ? "\"x\"" : ",\n";  // doubled quote or a quoted delimiter and newline
            csv += '"';
            for (char c : v) csv += c == '"' ? std::string("\"\"") : std::string(1, c);
            csv += '"';
          } else {
            csv += v;
          }
          rec.push_back(std::move(v));
        }
        csv += '\n';
        expected.push_back(std::move(rec));
      }
    }
    std::string out;
    auto stats = transcode(csv, out);
    ASSERT_TRUE(stats.has_value()) << iter << ": " << stats.error().describe();
    ASSERT_EQ(testing::parse_rows(out), expected) << iter;
    // A ragged plain record after the run is named at its row, whichever path met it.
    const std::string bad = csv + "a,b\n";
    auto failed = transcode(bad, out);
    ASSERT_FALSE(failed.has_value()) << iter;
    EXPECT_EQ(failed.error().row, row) << iter << ": " << failed.error().describe();
  }
}

TEST(RowsJson, CrlfAcrossEveryBlockBoundary) {
  for (std::size_t shift = 0; shift < 140; ++shift) {
    std::string csv(shift, 'p');
    csv += ",q\r\n";
    std::string want = "[[\"" + std::string(shift, 'p') + "\",\"q\"]";
    for (int i = 0; i < 6; ++i) {
      csv += "abcdefghij,klmnopqrstuvwxyz\r\n";
      want += ",[\"abcdefghij\",\"klmnopqrstuvwxyz\"]";
    }
    csv += "\r\n";  // a blank CRLF line at the end
    want += "]";
    std::string out;
    auto stats = transcode(csv, out);
    ASSERT_TRUE(stats.has_value()) << shift;
    EXPECT_EQ(out, want) << shift;
    EXPECT_EQ(stats->physical_rows, 8u) << shift;
    // A lone CR ends a record too (as Python's csv module reads it); the general path takes it.
    std::string lone = csv;
    lone.erase(lone.find("\r\n", shift + 4) + 1, 1);
    auto scanned = testing::scan_chunked(lone, 13);
    ASSERT_FALSE(scanned.error.has_value());
    auto lone_stats = transcode(lone, out);
    ASSERT_TRUE(lone_stats.has_value()) << shift;
    EXPECT_EQ(testing::parse_rows(out), testing::fields_of(scanned)) << shift;
  }
}

TEST(RowsJson, FastPathLeavesErrorsToTheGeneralPath) {
  std::string plain;
  for (int i = 0; i < 40; ++i)
    plain += "row" + std::to_string(i) + ",some text here,\xC3\xA9t\xC3\xA9\n";
  // A ragged record deep in a plain run: named by its row and byte.
  std::string ragged = plain + "x,y\n" + plain;
  std::string out;
  auto r = transcode(ragged, out, {}, InputPosition{2, 1000});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "ragged row: expected 3 fields, found 2");
  EXPECT_EQ(r.error().row, 42);
  EXPECT_EQ(r.error().byte_offset, 1000 + static_cast<std::int64_t>(plain.size()));
  // Invalid UTF-8 deep in a plain run: strict names its byte, replace writes U+FFFD.
  std::string bad = plain + "x,y\xFFz,w\n" + plain;
  auto strict = transcode(bad, out, {}, InputPosition{2, 1000});
  ASSERT_FALSE(strict.has_value());
  EXPECT_EQ(strict.error().code, ErrorCode::kBadEncoding);
  EXPECT_EQ(strict.error().row, 42);
  EXPECT_EQ(strict.error().byte_offset, 1000 + static_cast<std::int64_t>(plain.size()) + 3);
  RowsJsonOptions replace;
  replace.utf8 = Utf8Policy::kReplace;
  auto replaced = transcode(bad, out, replace);
  ASSERT_TRUE(replaced.has_value());
  const auto rows = testing::parse_rows(out);
  ASSERT_EQ(rows.size(), 81u);
  EXPECT_EQ(rows[40], (Record{"x", "y\xEF\xBF\xBDz", "w"}));
  EXPECT_EQ(rows[80], (Record{"row39", "some text here", "\xC3\xA9t\xC3\xA9"}));
  // Latin-1 bytes are converted, never passed through, however long the run.
  RowsJsonOptions latin1;
  latin1.encoding = InputEncoding::kLatin1;
  std::string latin;
  std::string want = "[";
  for (int i = 0; i < 30; ++i) {
    latin += "caf\xE9,na\xEFve and more text\n";
    want += std::string(i ? "," : "") + "[\"caf\xC3\xA9\",\"na\xC3\xAFve and more text\"]";
  }
  EXPECT_EQ(json_of(latin, latin1), want + "]");
}

TEST(AppendJsonString, EscapesPerRfc8259) {
  std::string out;
  append_json_string("a\"b\\c\n\x01\xC3\xA9", out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\xC3\xA9\"");
  append_json_string("", out);
  EXPECT_EQ(out.substr(out.size() - 2), "\"\"");
  std::string long_out;
  const std::string long_value(1000, 'z');
  append_json_string(long_value + "\t", long_out);
  EXPECT_EQ(long_out, "\"" + long_value + "\\t\"");
}

}  // namespace
}  // namespace dsfill::codec
