#include "codec/columns.h"

#include <gtest/gtest.h>

#include <string>

namespace dsfill::codec {
namespace {

Columns sample_columns() {
  return {
      {"InvoiceNo", "InvoiceNo", "dimension", "text", ""},
      {"Quantity", "Qty \"units\"", "measure", "numeric", ""},
      {"InvoiceDate", "Date\\Time", "dimension", "date", "%Y-%m-%d %H:%M:%S"},
      {"Désignation\n", "名前", "dimension", "text", ""},
  };
}

bool same(const ColumnSpec& a, const ColumnSpec& b) {
  return a.name == b.name && a.alias == b.alias && a.type == b.type && a.subtype == b.subtype &&
         a.format == b.format;
}

TEST(Columns, WriteThenParseRoundTrips) {
  const Columns columns = sample_columns();
  std::string json;
  append_columns_json(columns, json);
  auto parsed = parse_columns_json(json);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  ASSERT_EQ(parsed->size(), columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i) EXPECT_TRUE(same((*parsed)[i], columns[i])) << i;
}

TEST(Columns, WritesCompactJsonWithFormatOnlyWhenSet) {
  std::string json = "x";
  append_columns_json({{"a", "A", "dimension", "text", ""}, {"d", "d", "dimension", "date", "F"}},
                      json);
  EXPECT_EQ(json,
            "x[{\"name\":\"a\",\"alias\":\"A\",\"type\":\"dimension\",\"subtype\":\"text\"},"
            "{\"name\":\"d\",\"alias\":\"d\",\"type\":\"dimension\",\"subtype\":\"date\","
            "\"format\":\"F\"}]");
  std::string empty;
  append_columns_json({}, empty);
  EXPECT_EQ(empty, "[]");
}

TEST(Columns, ParsesSpecWithWhitespaceAndExtraKeys) {
  auto parsed = parse_columns_json(R"( [ {"name": "Quantity", "alias": "Q", "type": "measure",
      "subtype": "numeric", "comment": "ignored"},
      {"subtype": "date", "type": "dimension", "alias": "D", "name": "Day", "format": "%d"} ] )");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_TRUE(same((*parsed)[0], {"Quantity", "Q", "measure", "numeric", ""}));
  EXPECT_TRUE(same((*parsed)[1], {"Day", "D", "dimension", "date", "%d"}));
}

void expect_bad(std::string_view json, std::string_view needle) {
  auto parsed = parse_columns_json(json);
  ASSERT_FALSE(parsed) << json;
  EXPECT_EQ(parsed.error().code, ErrorCode::kBadJson) << json;
  EXPECT_NE(parsed.error().message.find(needle), std::string::npos)
      << json << " -> " << parsed.error().message;
}

TEST(Columns, RejectsBadShapes) {
  expect_bad("", "not valid JSON");
  expect_bad("[", "not valid JSON");
  expect_bad(R"({"name":"a"})", "array");
  expect_bad(R"("columns")", "array");
  expect_bad(R"([1])", "column 0: not a JSON object");
  expect_bad(R"([["a"]])", "column 0: not a JSON object");
  expect_bad(R"([{"name":"a","alias":"a","type":"dimension","subtype":"text"},
                 {"alias":"b","type":"dimension","subtype":"text"}])",
             "column 1: missing \"name\"");
  expect_bad(R"([{"name":"a","type":"dimension","subtype":"text"}])", "missing \"alias\"");
  expect_bad(R"([{"name":"a","alias":"a","subtype":"text"}])", "missing \"type\"");
  expect_bad(R"([{"name":"a","alias":"a","type":"dimension"}])", "missing \"subtype\"");
  expect_bad(R"([{"name":1,"alias":"a","type":"dimension","subtype":"text"}])",
             "\"name\" is not a string");
  expect_bad(R"([{"name":"a","alias":null,"type":"dimension","subtype":"text"}])",
             "\"alias\" is not a string");
  expect_bad(R"([{"name":"a","alias":"a","type":"dimension","subtype":"date","format":5}])",
             "\"format\" is not a string");
  expect_bad(R"([{"name":"a","alias":"a","type":"dimension","subtype":"text"}] x)",
             "not valid JSON");
}

TEST(Columns, FromHeaderIsAllText) {
  const Columns c = columns_from_header({"a", "b c"});
  ASSERT_EQ(c.size(), 2u);
  EXPECT_TRUE(same(c[0], {"a", "a", "dimension", "text", ""}));
  EXPECT_TRUE(same(c[1], {"b c", "b c", "dimension", "text", ""}));
  EXPECT_TRUE(columns_from_header({}).empty());
}

TEST(Columns, ValueKindsNumberOnlyForNumericMeasures) {
  const Columns c = {{"a", "a", "measure", "numeric", ""},
                     {"b", "b", "dimension", "numeric", ""},
                     {"c", "c", "measure", "text", ""},
                     {"d", "d", "dimension", "text", ""},
                     {"e", "e", "dimension", "date", "%d/%m/%Y"}};
  EXPECT_EQ(value_kinds(c),
            (std::vector<ValueKind>{ValueKind::kNumber, ValueKind::kString, ValueKind::kString,
                                    ValueKind::kString, ValueKind::kDate}));
}

TEST(Columns, DateFormatsOnePerColumn) {
  const Columns c = {{"a", "a", "dimension", "date", "%d/%m/%Y"},
                     {"b", "b", "dimension", "date", ""},
                     {"c", "c", "dimension", "text", "%d/%m/%Y"},  // not a date: ISO, unused
                     {"d", "d", "measure", "numeric", ""}};
  auto formats = date_formats(c);
  ASSERT_TRUE(formats.has_value()) << formats.error().describe();
  ASSERT_EQ(formats->size(), 4u);
  EXPECT_TRUE((*formats)[0].matches("31/12/2024"));
  EXPECT_FALSE((*formats)[0].matches("2024-12-31"));
  EXPECT_TRUE((*formats)[1].matches("2024-12-31"));  // empty format: ISO 8601
  EXPECT_TRUE((*formats)[2].matches("2024-12-31"));
  EXPECT_EQ((*formats)[0].text(), "%d/%m/%Y");

  const Columns bad = {{"a", "a", "dimension", "text", ""},
                       {"when", "When", "dimension", "date", "%Y-%q"}};
  auto refused = date_formats(bad);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kBadArgument);
  EXPECT_NE(refused.error().message.find("column 2 \"when\""), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("%q"), std::string::npos) << refused.error().message;
}

}  // namespace
}  // namespace dsfill::codec
