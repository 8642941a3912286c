#include "server/validation.h"

#include <gtest/gtest.h>

#include "server/request.h"

namespace dsfill::server {
namespace {

codec::Columns cols(const char* json) {
  auto c = codec::parse_columns_json(json);
  EXPECT_TRUE(c) << json;
  return c ? *c : codec::Columns{};
}

TEST(Validation, NumericText) {
  for (const char* ok : {"0", "-1", "+2", "2.55", ".5", "5.", "1e9", "-1.5E-3", "007"}) {
    EXPECT_TRUE(is_numeric_text(ok)) << ok;
  }
  for (const char* bad : {"", "-", ".", "1e", "1 ", " 1", "0x10", "nan", "inf", "1,5", "1e+"}) {
    EXPECT_FALSE(is_numeric_text(bad)) << bad;
  }
}

TEST(Validation, ColumnsDifferenceNamesFirstDifference) {
  auto a = cols(R"([{"name":"a","alias":"a","type":"dimension","subtype":"text"}])");
  auto b = cols(R"([{"name":"a","alias":"a","type":"dimension","subtype":"date"}])");
  EXPECT_EQ(columns_difference(a, a), "");
  EXPECT_EQ(columns_difference(a, b),
            R"(columns[0].subtype: the dataset has "text", the request has "date")");
  codec::Columns longer = a;
  longer.push_back(a[0]);
  EXPECT_EQ(columns_difference(a, longer), "columns: the dataset has 1 columns, the request has 2");
}

TEST(Validation, ControlNamesAreRefusedAndSqliteAliasesAccepted) {
  EXPECT_TRUE(
      check_columns(cols(R"([{"name":"RowId","alias":"a","type":"dimension","subtype":"text"}])")));
  EXPECT_FALSE(check_columns(
      cols(R"([{"name":"a\u0001","alias":"a","type":"dimension","subtype":"text"}])")));
  EXPECT_FALSE(check_columns({}));
  EXPECT_TRUE(check_columns(
      cols(R"([{"name":"we\"ird; DROP","alias":"a","type":"dimension","subtype":"text"}])")));
}

TEST(Validation, ColumnNamesWithHiddenCharactersAreRefused) {
  const auto named = [](const std::string& name) {
    return check_columns(
        cols((R"([{"name":")" + name + R"(","alias":"a","type":"dimension","subtype":"text"}])")
                 .c_str()));
  };
  for (const char* hidden :
       {"\\u0001", "\\u007f", "\\u0085", "\\u061c", "\\u200b", "\\u200d", "\\u200e", "\\u200f",
        "\\u202a", "\\u202e", "\\u2060", "\\u2066", "\\u2069", "\\ufeff"}) {
    auto r = named(std::string("Amo") + hidden + "unt");
    ASSERT_FALSE(r) << hidden;
    EXPECT_NE(r.error().message.find("bidirectional or zero-width"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("at byte 3"), std::string::npos) << r.error().message;
  }
  EXPECT_NE(named("\\u202eAmount").error().message.find("U+202E"), std::string::npos);
  // Letters of any script, and characters next to the refused ranges, are fine.
  for (const char* fine : {"Caf\\u00e9", "\\u6570\\u91cf", "a\\u00a0b", "a\\u2010b", "a\\u2065b",
                           "\\ud83d\\ude00", "a\\u061bb"}) {
    EXPECT_TRUE(named(fine)) << fine;
  }
}

TEST(Validation, DotCodesAreRefused) {
  EXPECT_FALSE(is_valid_code("."));
  EXPECT_FALSE(is_valid_code(".."));
  EXPECT_TRUE(is_valid_code("..."));
  EXPECT_TRUE(is_valid_code(".a"));
  EXPECT_TRUE(is_valid_code("a.b"));
}

TEST(Validation, MoreColumnsThanSqliteAllowsAreRefusedNamingTheLimit) {
  codec::Columns c(kMaxColumns + 1);
  for (std::size_t i = 0; i < c.size(); ++i) {
    c[i] = codec::ColumnSpec{"c" + std::to_string(i), "a", "dimension", "text", ""};
  }
  auto over = check_columns(c);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kBadJson);  // 400, not a storage failure
  EXPECT_NE(over.error().message.find("limit of 2000"), std::string::npos) << over.error().message;
  c.pop_back();
  EXPECT_TRUE(check_columns(c));
}

TEST(Validation, RowsBecomeTypedValues) {
  auto c = cols(R"([{"name":"t","alias":"t","type":"dimension","subtype":"text"},)"
                R"({"name":"n","alias":"n","type":"measure","subtype":"numeric"}])");
  auto rules = check_columns(c);
  ASSERT_TRUE(rules);
  simdjson::ondemand::parser parser;
  std::string json = R"([["a\n\u00e9", 12], [7, -1.5e2], [null, "3.0"], ["", null]])";
  RowBatch batch;
  ASSERT_TRUE(validate_rows(parser, json, c, *rules, Limits{}, batch));
  ASSERT_EQ(batch.rows(), 4u);
  EXPECT_EQ(batch.values[0].text(), "a\n\xc3\xa9");
  EXPECT_EQ(batch.values[1].type, Value::Type::kInteger);
  EXPECT_EQ(batch.values[1].integer, 12);
  EXPECT_EQ(batch.values[2].type, Value::Type::kText);  // a number in a text column: its literal
  EXPECT_EQ(batch.values[2].text(), "7");
  EXPECT_EQ(batch.values[3].type, Value::Type::kReal);
  EXPECT_EQ(batch.values[3].real, -150.0);
  EXPECT_EQ(batch.values[4].type, Value::Type::kNull);
  EXPECT_EQ(batch.values[5].text(), "3.0");  // numeric strings are kept as sent
  EXPECT_EQ(batch.values[7].type, Value::Type::kNull);
}

TEST(Validation, StringsWithAndWithoutEscapesKeepTheirText) {
  auto c = cols(R"([{"name":"t","alias":"t","type":"dimension","subtype":"text"},)"
                R"({"name":"n","alias":"n","type":"measure","subtype":"numeric"},)"
                R"({"name":"d","alias":"d","type":"dimension","subtype":"date"}])");
  auto rules = check_columns(c);
  ASSERT_TRUE(rules);
  simdjson::ondemand::parser parser;
  // Plain strings are bound in place, escaped ones unescaped; whitespace may follow either, and
  // a backslash in the next value must not leak into the check of this one.
  std::string json =
      "[[\"plain\" ,\"1\"\n,\t\"2024-01-31\" ],"
      " [\"a\\\"b\\\\c\\/d\\u00e9\", \"-2.5\", \"\"],"
      " [\"\", \"\\u0033\", \"2024-02-29\"],"
      " [\"seventeen bytes!!\",\"\",\"\\u0032024-03-01\"]]";
  RowBatch batch;
  auto r = validate_rows(parser, json, c, *rules, Limits{}, batch);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(batch.rows(), 4u);
  const std::vector<std::string> want = {
      "plain", "1", "2024-01-31", "a\"b\\c/d\xc3\xa9", "-2.5", "",
      "",      "3", "2024-02-29", "seventeen bytes!!", "",     "2024-03-01"};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(batch.values[i].type, Value::Type::kText) << i;
    EXPECT_EQ(batch.values[i].text(), want[i]) << i;
  }
  // An escaped value is checked after unescaping, like a plain one.
  json = R"([["x", "\u0031x", ""]])";
  r = validate_rows(parser, json, c, *rules, Limits{}, batch);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("is not a number"), std::string::npos) << r.error().message;
}

TEST(Validation, DocumentsWithoutAnyBackslashTakeStringsInPlace) {
  auto c = cols(R"([{"name":"t","alias":"t","type":"dimension","subtype":"text"},)"
                R"({"name":"n","alias":"n","type":"measure","subtype":"numeric"}])");
  auto rules = check_columns(c);
  ASSERT_TRUE(rules);
  simdjson::ondemand::parser parser;
  std::string json = "[[\"a b\" , \"1\"],[\"\",\"2\"\t],\n[\"C\xc3\xb4te d'Ivoire\",\"\"]]";
  RowBatch batch;
  auto r = validate_rows(parser, json, c, *rules, Limits{}, batch);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(batch.rows(), 3u);
  const std::vector<std::string> want = {"a b", "1", "", "2", "C\xc3\xb4te d'Ivoire", ""};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(batch.values[i].text(), want[i]) << i;
    // Bound in place: the text lies inside the rows JSON.
    EXPECT_GE(batch.values[i].data, json.data()) << i;
    EXPECT_LE(batch.values[i].data + batch.values[i].size, json.data() + json.size()) << i;
  }
  // One backslash anywhere (here in the last value) and every string is checked on its own.
  json = R"([["a b", "1"],["x\"y","2"]])";
  r = validate_rows(parser, json, c, *rules, Limits{}, batch);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(batch.values[0].text(), "a b");
  EXPECT_EQ(batch.values[2].text(), "x\"y");
}

TEST(Validation, FieldSizeLimitCountsUnescapedBytes) {
  auto c = cols(R"([{"name":"t","alias":"t","type":"dimension","subtype":"text"}])");
  auto rules = check_columns(c);
  ASSERT_TRUE(rules);
  simdjson::ondemand::parser parser;
  Limits limits;
  limits.max_field_bytes = 4;
  RowBatch batch;
  std::string json = R"([["abcd"],["\u0041\u0042\u0043\u0044"]])";  // 4 bytes each
  ASSERT_TRUE(validate_rows(parser, json, c, *rules, limits, batch));
  for (const char* over : {R"([["abcde"]])", R"([["\u0041\u0042\u0043\u0044\n"]])"}) {
    json = over;
    auto r = validate_rows(parser, json, c, *rules, limits, batch);
    ASSERT_FALSE(r) << over;
    EXPECT_EQ(r.error().code, ErrorCode::kTooLarge) << over;
  }
}

TEST(Validation, ErrorsNameRowColumnAndValue) {
  auto c = cols(R"([{"name":"n","alias":"n","type":"measure","subtype":"numeric"}])");
  auto rules = check_columns(c);
  ASSERT_TRUE(rules);
  simdjson::ondemand::parser parser;
  std::string json = R"([["1"],["2"],["two"]])";
  RowBatch batch;
  auto r = validate_rows(parser, json, c, *rules, Limits{}, batch);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            R"(insert-data: rows[2] column 0 "n" (numeric): "two" is not a number)");
  json = R"([[1e999]])";
  r = validate_rows(parser, json, c, *rules, Limits{}, batch);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("out of range"), std::string::npos);
}

}  // namespace
TEST(Validation, NumbersAreStoredWithoutALostDigit) {
  auto c = cols(R"([{"name":"n","alias":"n","type":"measure","subtype":"numeric"}])");
  auto rules = check_columns(c);
  ASSERT_TRUE(rules);
  simdjson::ondemand::parser parser;
  std::string json =
      "[[100.00],[0.1],[12345678901234567890],[1.00000000000000000001],[9223372036854775807]]";
  RowBatch batch;
  auto r = validate_rows(parser, json, c, *rules, Limits{}, batch);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(batch.values[0].type, Value::Type::kReal);
  EXPECT_EQ(batch.values[0].real, 100.0);
  EXPECT_EQ(batch.values[1].type, Value::Type::kReal);
  EXPECT_EQ(batch.values[1].real, 0.1);
  EXPECT_EQ(batch.values[2].type, Value::Type::kText);
  EXPECT_EQ(batch.values[2].text(), "12345678901234567890");
  EXPECT_EQ(batch.values[3].type, Value::Type::kText);
  EXPECT_EQ(batch.values[3].text(), "1.00000000000000000001");
  EXPECT_EQ(batch.values[4].type, Value::Type::kInteger);
  EXPECT_EQ(batch.values[4].integer, INT64_MAX);
}

TEST(Validation, DatesAreStoredInIso8601) {
  auto c =
      cols(R"([{"name":"d","alias":"d","type":"dimension","subtype":"date","format":"DD/MM/YYYY"},)"
           R"({"name":"t","alias":"t","type":"dimension","subtype":"date","format":"HH:mm"}])");
  auto rules = check_columns(c);
  ASSERT_TRUE(rules);
  simdjson::ondemand::parser parser;
  std::string json = R"([["31/01/2024","10:00"],["",null],["01/02/2024","23:59"]])";
  RowBatch batch;
  auto r = validate_rows(parser, json, c, *rules, Limits{}, batch);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(batch.values[0].text(), "2024-01-31");
  EXPECT_EQ(batch.values[1].text(), "10:00");  // no date in the format: as sent
  EXPECT_EQ(batch.values[2].text(), "");
  EXPECT_EQ(batch.values[3].type, Value::Type::kNull);
  EXPECT_EQ(batch.values[4].text(), "2024-02-01");
  EXPECT_LT(batch.values[0].text(), batch.values[4].text());
}

TEST(Validation, ErrorsNameTheFileRowWhenTheRequestGivesIt) {
  auto c = cols(R"([{"name":"n","alias":"n","type":"measure","subtype":"numeric"}])");
  auto rules = check_columns(c);
  ASSERT_TRUE(rules);
  simdjson::ondemand::parser parser;
  std::string json = R"([["1"],["2"],["two"]])";
  RowBatch batch;
  auto r = validate_rows(parser, json, c, *rules, Limits{}, batch, 1'234'565);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, R"(insert-data: rows[2] (row 1234567 of the file) column 0 "n")"
                               R"( (numeric): "two" is not a number)");
}

}  // namespace dsfill::server
