// The transcoder's 64-byte-block fast path (plain records of all-string columns) must write
// exactly what the general path writes. Records shorter than the fast path's minimum input go
// through the general path, so each record transcoded alone is the oracle for the same records
// transcoded together.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "codec/rows_json.h"

namespace dsfill::codec {
namespace {

// Returns one record (terminator included) mixing what the fast path takes and what it refuses.
std::string random_record(std::mt19937& rng, std::size_t fields, char delim, bool crlf) {
  static const char* const kPieces[] = {
      "plain",
      "WHITE HANGING HEART T-LIGHT HOLDER",
      "",
      "12.50",
      "2010-12-01 08:26:00",
      "a much longer value that spans more than sixty-four bytes of input on its own and surely",
      "\"quoted, with delimiter\"",
      "back\\slash",
      "caf\xC3\xA9",
      "tab\there",
      "\"a \"\"b\"\"\""};
  std::string r;
  for (std::size_t f = 0; f < fields; ++f) {
    if (f != 0) r += delim;
    // Mostly plain pieces, so that most records take the fast path.
    const unsigned pick = rng() % 100;
    const std::size_t piece = pick < 85 ? rng() % 6 : 6 + rng() % 5;
    std::string value = kPieces[piece];
    if (delim == '\t' && value.find('\t') != std::string::npos) value = "no tab";
    r += value;
  }
  r += crlf ? "\r\n" : "\n";
  return r;
}

std::string one_call(const std::string& csv, const RowsJsonOptions& options) {
  std::string out;
  auto r = append_rows_json(csv, options, {}, out);
  EXPECT_TRUE(r) << (r ? "" : r.error().describe());
  return out;
}

// Joins the arrays of each record transcoded on its own: "[" + a1 + "," + a2 ... + "]".
std::string per_record(const std::vector<std::string>& records, const RowsJsonOptions& options) {
  std::string joined = "[";
  for (const std::string& rec : records) {
    std::string one;
    auto r = append_rows_json(rec, options, {}, one);
    EXPECT_TRUE(r);
    if (joined.size() > 1) joined += ',';
    joined.append(one, 1, one.size() - 2);  // drop the outer brackets
  }
  return joined + "]";
}

TEST(RowsJsonFast, SameOutputAsGeneralPath) {
  for (const char delim : {',', ';', '\t'}) {
    for (const bool crlf : {false, true}) {
      std::mt19937 rng(delim * 7 + crlf);
      RowsJsonOptions options;
      options.dialect.delimiter = delim;
      options.utf8 = Utf8Policy::kStrict;
      std::vector<std::string> records;
      std::string csv;
      for (int i = 0; i < 3000; ++i) {
        records.push_back(random_record(rng, 9, delim, crlf));
        csv += records.back();
      }
      EXPECT_EQ(one_call(csv, options), per_record(records, options))
          << "delimiter " << static_cast<int>(delim) << " crlf " << crlf;
    }
  }
}

TEST(RowsJsonFast, LastRecordWithoutTerminatorAndBlankLines) {
  std::mt19937 rng(5);
  std::string csv;
  std::vector<std::string> records;
  for (int i = 0; i < 200; ++i) {
    records.push_back(random_record(rng, 4, ',', false));
    csv += records.back();
    if (i % 17 == 0) csv += "\n";  // a blank line: no record
  }
  records.back().pop_back();
  csv.pop_back();
  RowsJsonOptions options;
  std::string out;
  auto r = append_rows_json(csv, options, {}, out);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rows, 200u);
  EXPECT_EQ(r->physical_rows, 200u + 12u);
  EXPECT_EQ(out, per_record(records, options));
}

TEST(RowsJsonFast, RaggedRowNamesRowAndByte) {
  std::string csv;
  const std::string good =
      "aaaaaaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbbbbbbb,cccccccccccccccccccccccccccc\n";
  for (int i = 0; i < 10; ++i) csv += good;
  const std::size_t bad_at = csv.size();
  csv += "aaaaaaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n";
  for (int i = 0; i < 10; ++i) csv += good;
  std::string out;
  auto r = append_rows_json(csv, RowsJsonOptions{}, {1, 100}, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBadCsv);
  EXPECT_EQ(r.error().row, 11);
  EXPECT_EQ(r.error().byte_offset, static_cast<std::int64_t>(100 + bad_at));
}

TEST(RowsJsonFast, WriteRowsJsonReusesItsBuffer) {
  std::mt19937 rng(9);
  std::string big, small;
  for (int i = 0; i < 500; ++i) big += random_record(rng, 9, ',', false);
  for (int i = 0; i < 5; ++i) small += random_record(rng, 9, ',', false);
  std::string buf;
  std::size_t length = 0;
  ASSERT_TRUE(write_rows_json(big, {}, {}, buf, length));
  EXPECT_EQ(std::string(buf.data(), length), one_call(big, {}));
  const std::size_t capacity = buf.size();
  ASSERT_TRUE(write_rows_json(small, {}, {}, buf, length));
  EXPECT_EQ(std::string(buf.data(), length), one_call(small, {}));
  EXPECT_EQ(buf.size(), capacity);  // not shrunk, so the next big batch is not zero-filled
}

}  // namespace
}  // namespace dsfill::codec
