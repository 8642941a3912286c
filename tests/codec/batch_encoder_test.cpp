#include "codec/batch_encoder.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "codec/base64.h"
#include "codec/payload_decoder.h"
#include "tests/oracle/csv_scanner.h"
#include "tests/oracle/rows_json_reader.h"

namespace dsfill::codec {
namespace {

// Quotes, doubled quotes, delimiters and line breaks inside fields, CRLF, empty fields, UTF-8,
// control characters, a blank line and a final record without terminator.
const std::string kRecords =
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850\r\n"
    "536366,\"22633\",\"HAND WARMER, \"\"UNION\"\" JACK\",12,2010-12-01 08:28:00,1.85,\r\n"
    "536367,84879,\"multi\nline\r\nfield\",-3,,0.5e3,13047\n"
    "\n"
    "536368,\"\",caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \\ back\\slash \t tab,0,x,-0.25,1\n"
    "536369,a\x01\x1f,\"\"\"\",100,y,12,12";

const Columns kColumns = {
    {"InvoiceNo", "InvoiceNo", "dimension", "text", ""},
    {"StockCode", "StockCode", "dimension", "text", ""},
    {"Description", "Description", "dimension", "text", ""},
    {"Quantity", "Quantity", "measure", "numeric", ""},
    {"InvoiceDate", "InvoiceDate", "dimension", "date", "%Y-%m-%d %H:%M:%S"},
    {"UnitPrice", "UnitPrice", "measure", "numeric", ""},
    {"CustomerID", "CustomerID", "measure", "numeric", ""},
};

struct ParsedBody {
  std::string user_code;
  std::string dataset_code;
  Columns columns;
  std::string insert_data;
  bool append = false;
  bool compressed = false;
  std::vector<std::string> keys;
};

// Parses a request body with simdjson, independently of the code that wrote it.
ParsedBody parse_body(const std::string& body) {
  ParsedBody out;
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  auto err = parser.parse(body).get_object().get(obj);
  EXPECT_EQ(err, simdjson::SUCCESS) << body.substr(0, 200);
  if (err) return out;
  for (auto field : obj) out.keys.emplace_back(field.key);
  std::string_view s;
  EXPECT_EQ(obj["user-code"].get_string().get(s), simdjson::SUCCESS);
  out.user_code = s;
  EXPECT_EQ(obj["dataset-code"].get_string().get(s), simdjson::SUCCESS);
  out.dataset_code = s;
  EXPECT_EQ(obj["insert-data"].get_string().get(s), simdjson::SUCCESS);
  out.insert_data = s;
  EXPECT_EQ(obj["append"].get_bool().get(out.append), simdjson::SUCCESS);
  EXPECT_EQ(obj["compressed"].get_bool().get(out.compressed), simdjson::SUCCESS);
  simdjson::dom::array columns;
  EXPECT_EQ(obj["columns"].get_array().get(columns), simdjson::SUCCESS);
  auto parsed = parse_columns_json(simdjson::minify(columns));
  EXPECT_TRUE(parsed);
  if (parsed) out.columns = *parsed;
  return out;
}

std::vector<JsonRow> csv_as_strings(std::string_view csv) {
  auto records = parse_csv(csv, CsvDialect{});
  EXPECT_TRUE(records);
  std::vector<JsonRow> rows;
  for (const Record& r : *records) {
    JsonRow& row = rows.emplace_back();
    for (const std::string& f : r) row.push_back(JsonValue{f, true, false});
  }
  return rows;
}

std::vector<JsonRow> decode_body(const ParsedBody& body) {
  std::string json;
  auto decoded = decode_insert_data(body.insert_data, body.compressed, {}, json);
  EXPECT_TRUE(decoded) << (decoded ? "" : decoded.error().describe());
  auto rows = parse_rows_json(json);
  EXPECT_TRUE(rows) << (rows ? "" : rows.error().describe());
  return rows ? *rows : std::vector<JsonRow>{};
}

TEST(BodyTemplate, IsValidJsonWithExactFields) {
  for (bool compressed : {true, false}) {
    const BodyTemplate t = make_body_template("0f02\"b4d4", "eca2\\ad39", kColumns, compressed);
    EXPECT_EQ(t.compressed, compressed);
    EXPECT_EQ(t.prefix.back(), '"');
    for (bool append : {true, false}) {
      const std::string body =
          t.prefix + "UEFZTE9BRA==" + (append ? t.suffix_append : t.suffix_replace);
      const ParsedBody p = parse_body(body);
      EXPECT_EQ(p.keys, (std::vector<std::string>{"user-code", "dataset-code", "columns",
                                                  "insert-data", "append", "compressed"}));
      EXPECT_EQ(p.user_code, "0f02\"b4d4");
      EXPECT_EQ(p.dataset_code, "eca2\\ad39");
      ASSERT_EQ(p.columns.size(), kColumns.size());
      EXPECT_EQ(p.columns[4].format, kColumns[4].format);
      EXPECT_EQ(p.columns[3].type, "measure");
      EXPECT_EQ(p.insert_data, "UEFZTE9BRA==");
      EXPECT_EQ(p.append, append);
      EXPECT_EQ(p.compressed, compressed);
    }
  }
  const BodyTemplate t = make_body_template("u", "d", {}, true);
  EXPECT_EQ(t.prefix, R"({"user-code":"u","dataset-code":"d","columns":[],"insert-data":")");
  EXPECT_EQ(t.suffix_append, R"(","append":true,"compressed":true})");
  EXPECT_EQ(t.suffix_replace, R"(","append":false,"compressed":true})");
}

TEST(BodyTemplate, CompleteBody) {
  EXPECT_EQ(make_complete_body("0f02b4d4f9ae", "eca2ad3940e3"),
            R"({"user-code":"0f02b4d4f9ae","dataset-code":"eca2ad3940e3"})");
  EXPECT_EQ(make_complete_body("a\"b", "c\nd"), R"({"user-code":"a\"b","dataset-code":"c\nd"})");
}

TEST(BatchEncoder, RoundTripsEveryLevelCompressedAndNot) {
  const std::vector<JsonRow> expected = csv_as_strings(kRecords);
  ASSERT_EQ(expected.size(), 5u);
  for (bool compressed : {true, false}) {
    for (int level = 0; level <= 12; ++level) {
      SCOPED_TRACE("compressed " + std::to_string(compressed) + " level " + std::to_string(level));
      BatchEncoder encoder(make_body_template("U", "D", kColumns, compressed), RowsJsonOptions{},
                           level);
      std::string body;
      auto stats = encoder.encode(kRecords, InputPosition{2, 100}, true, body);
      ASSERT_TRUE(stats) << stats.error().describe();
      const ParsedBody p = parse_body(body);
      EXPECT_EQ(p.user_code, "U");
      EXPECT_TRUE(p.append);
      EXPECT_EQ(p.compressed, compressed);
      EXPECT_EQ(decode_body(p), expected);
      EXPECT_EQ(stats->rows, 5u);
      EXPECT_EQ(stats->physical_rows, 6u);
      EXPECT_EQ(stats->csv_bytes, kRecords.size());
      EXPECT_EQ(stats->body_bytes, body.size());
      std::string json;
      ASSERT_TRUE(decode_insert_data(p.insert_data, compressed, {}, json));
      EXPECT_EQ(stats->json_bytes, json.size());
      if (compressed) {
        EXPECT_GT(stats->gzip_bytes, 0u);
        EXPECT_EQ(p.insert_data.size(), base64_encoded_size(stats->gzip_bytes));
      } else {
        EXPECT_EQ(stats->gzip_bytes, 0u);
        EXPECT_EQ(p.insert_data, json);
      }
    }
  }
}

TEST(BatchEncoder, NumericKindsBecomeNumbers) {
  const std::string csv = "1,a,2.5\n-7,b,\n\"3\",\"c\",1e3\n";
  const Columns columns = {{"n", "n", "measure", "numeric", ""},
                           {"s", "s", "dimension", "text", ""},
                           {"x", "x", "measure", "numeric", ""}};
  RowsJsonOptions rows;
  rows.kinds = value_kinds(columns);
  for (bool compressed : {true, false}) {
    BatchEncoder encoder(make_body_template("U", "D", columns, compressed), rows, 6);
    std::string body;
    auto stats = encoder.encode(csv, {}, true, body);
    ASSERT_TRUE(stats) << stats.error().describe();
    const auto num = [](const char* t) { return JsonValue{t, false, false}; };
    const auto str = [](const char* t) { return JsonValue{t, true, false}; };
    const JsonValue null{"", false, true};
    const std::vector<JsonRow> expected = {
        {num("1"), str("a"), num("2.5")},
        {num("-7"), str("b"), null},
        {num("3"), str("c"), num("1e3")},
    };
    EXPECT_EQ(decode_body(parse_body(body)), expected);
  }
}

TEST(BatchEncoder, NonNumberInNumericColumnFails) {
  RowsJsonOptions rows;
  rows.kinds = {ValueKind::kString, ValueKind::kNumber};
  BatchEncoder encoder(make_body_template("U", "D", {}, true), rows, 1);
  std::string body;
  auto stats = encoder.encode("a,1\nb,two\n", InputPosition{10, 1000}, true, body);
  ASSERT_FALSE(stats);
  EXPECT_EQ(stats.error().code, ErrorCode::kBadNumber);
  EXPECT_EQ(stats.error().row, 11);
}

TEST(BatchEncoder, BadCsvFailsWithRow) {
  BatchEncoder encoder(make_body_template("U", "D", {}, true), RowsJsonOptions{}, 1);
  std::string body;
  auto stats = encoder.encode("a,b\nc,d\"e\n", InputPosition{5, 50}, true, body);
  ASSERT_FALSE(stats);
  EXPECT_EQ(stats.error().code, ErrorCode::kBadCsv);
  EXPECT_EQ(stats.error().row, 6);
}

TEST(BatchEncoder, ReplaceSuffixAndBufferReuse) {
  for (bool compressed : {true, false}) {
    BatchEncoder encoder(make_body_template("U", "D", {}, compressed), RowsJsonOptions{}, 6);
    std::string big;
    for (int i = 0; i < 2000; ++i) big += "row" + std::to_string(i) + ",\"va\"\"lue\"\n";
    const std::string small = "x,y\n";
    std::string body;
    // Big, then small, then big again into the same body: no stale bytes survive a shrink.
    for (const std::string* csv : std::vector<const std::string*>{&big, &small, &big}) {
      for (bool append : {false, true}) {
        auto stats = encoder.encode(*csv, {}, append, body);
        ASSERT_TRUE(stats);
        const ParsedBody p = parse_body(body);
        EXPECT_EQ(p.append, append);
        EXPECT_EQ(decode_body(p), csv_as_strings(*csv));
      }
    }
  }
}

TEST(BatchEncoder, EmptyBatchIsEmptyArray) {
  BatchEncoder encoder(make_body_template("U", "D", {}, true), RowsJsonOptions{}, 6);
  std::string body;
  auto stats = encoder.encode("", {}, true, body);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->rows, 0u);
  const ParsedBody p = parse_body(body);
  std::string json;
  ASSERT_TRUE(decode_insert_data(p.insert_data, true, {}, json));
  EXPECT_EQ(json, "[]");
}

}  // namespace
}  // namespace dsfill::codec
