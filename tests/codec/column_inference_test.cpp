// dsfill infer: a sample of records becomes a columns spec the reference server accepts.
#include "codec/column_inference.h"

#include <gtest/gtest.h>

#include "codec/date_format.h"

namespace dsfill::codec {
namespace {

const ColumnSpec& infer_single(const std::vector<std::string>& values, InferredColumns& out,
                               const std::string& name = "value") {
  std::vector<Record> sample;
  for (const auto& v : values) sample.push_back({v});
  out = infer_columns({name}, sample);
  return out.columns.at(0);
}

TEST(ColumnInference, NumbersAreMeasures) {
  InferredColumns out;
  const auto& c = infer_single({"6", "2.55", "-3", "", "1e3"}, out, "Quantity");
  EXPECT_EQ(c.type, "measure");
  EXPECT_EQ(c.subtype, "numeric");
  EXPECT_EQ(c.alias, "Quantity");
}

TEST(ColumnInference, LeadingZerosStayText) {
  InferredColumns out;
  const auto& c = infer_single({"00123", "04567", "12"}, out, "zip");
  EXPECT_EQ(c.type, "dimension");
  EXPECT_EQ(c.subtype, "text");
  ASSERT_EQ(out.notes.size(), 1u);
}

TEST(ColumnInference, IntegerIdentifiersStayText) {
  InferredColumns out;
  EXPECT_EQ(infer_single({"17850", "13047"}, out, "CustomerID").subtype, "text");
  EXPECT_EQ(infer_single({"536365"}, out, "InvoiceNo").subtype, "text");
  EXPECT_EQ(infer_single({"1.5"}, out, "rate_id").subtype, "numeric");  // not an integer
  EXPECT_EQ(infer_single({"7"}, out, "Video").subtype, "numeric");      // "Video" is not an id
}

TEST(ColumnInference, EmptyValuesDoNotDecide) {
  InferredColumns out;
  EXPECT_EQ(infer_single({"", "", "3"}, out).subtype, "numeric");
  EXPECT_EQ(infer_single({"", ""}, out).subtype, "text");
}

TEST(ColumnInference, NullMarkersCountAsEmpty) {
  const std::vector<Record> sample = {{"12.5"}, {"NA"}, {"-3"}, {"NA"}, {""}};
  EXPECT_EQ(infer_columns({"amount"}, sample).columns[0].subtype, "text");
  const auto out = infer_columns({"amount"}, sample, NullRules{{"NA", "\\N"}, false});
  EXPECT_EQ(out.columns[0].type, "measure");
  EXPECT_EQ(out.columns[0].subtype, "numeric");
  // A column of markers only is a column without values.
  EXPECT_EQ(infer_columns({"x"}, {{"NA"}, {"NA"}}, NullRules{{"NA"}, false}).columns[0].subtype,
            "text");
  // Markers hide nothing else: dates stay dates.
  const auto dates = infer_columns({"day"}, {{"2010-12-01"}, {"NA"}}, NullRules{{"NA"}, false});
  EXPECT_EQ(dates.columns[0].subtype, "date");
}

TEST(ColumnInference, NumbersAsTheNumberRulesWriteThem) {
  const std::vector<Record> comma = {{"3,14"}, {"-0,5"}, {"12"}};
  EXPECT_EQ(infer_columns({"rate"}, comma).columns[0].subtype, "text");
  EXPECT_EQ(infer_columns({"rate"}, comma, {}, NumberRules{true, '\0'}).columns[0].subtype,
            "numeric");
  const std::vector<Record> grouped = {{"1,234,567.5"}, {"999"}};
  EXPECT_EQ(infer_columns({"total"}, grouped).columns[0].subtype, "text");
  EXPECT_EQ(infer_columns({"total"}, grouped, {}, NumberRules{false, ','}).columns[0].subtype,
            "numeric");
  // A misplaced separator is not a number; leading zeros stay text once separators are gone.
  EXPECT_EQ(infer_columns({"total"}, {{"12,34"}}, {}, NumberRules{false, ','}).columns[0].subtype,
            "text");
  EXPECT_EQ(infer_columns({"zip"}, {{"0,123"}}, {}, NumberRules{true, '\0'}).columns[0].subtype,
            "numeric");  // 0.123 under a decimal comma
  EXPECT_EQ(infer_columns({"code"}, {{"01.234"}}, {}, NumberRules{true, '.'}).columns[0].subtype,
            "text");  // 01234: leading zero
}

TEST(ColumnInference, IsoDatesAndDateTimes) {
  InferredColumns out;
  auto c = infer_single({"2010-12-01", "2011-01-31"}, out, "day");
  EXPECT_EQ(c.subtype, "date");
  EXPECT_EQ(c.format, "%Y-%m-%d");
  c = infer_single({"2010-12-01 08:26:00", "2011-01-31 23:59:59"}, out);
  EXPECT_EQ(c.format, "%Y-%m-%d %H:%M:%S");
  c = infer_single({"2010-12-01T08:26:00+01:00", "2011-01-31T23:59:59Z"}, out);
  EXPECT_EQ(c.format, "%Y-%m-%dT%H:%M:%S%z");
  c = infer_single({"2010-12-01 08:26:00", "2010-12-01T08:26:00Z", "2010-12-01 08:26:00+01:00"},
                   out);
  EXPECT_EQ(c.subtype, "date");
  EXPECT_EQ(c.format, "");
  c = infer_single({"2010-12-01 08:26", "2010-12-09 09:01"}, out);
  EXPECT_EQ(c.format, "%Y-%m-%d %H:%M");
}

TEST(ColumnInference, DayFirstOrMonthFirstOnlyWhenUnambiguous) {
  InferredColumns out;
  EXPECT_EQ(infer_single({"01/12/2010", "25/12/2010"}, out).format, "%d/%m/%Y");
  EXPECT_EQ(infer_single({"12/01/2010", "12/25/2010"}, out).format, "%m/%d/%Y");
  const auto& ambiguous = infer_single({"01/02/2010", "03/04/2010"}, out);
  EXPECT_EQ(ambiguous.subtype, "text");
  ASSERT_EQ(out.notes.size(), 1u);
  EXPECT_NE(out.notes[0].find("day-first or month-first"), std::string::npos);
  EXPECT_EQ(infer_single({"31/12/2010 23:59", "01/01/2011 00:00"}, out).format, "%d/%m/%Y %H:%M");
}

TEST(ColumnInference, InvalidCalendarDatesAreText) {
  InferredColumns out;
  EXPECT_EQ(infer_single({"2010-02-30"}, out).subtype, "text");
  EXPECT_EQ(infer_single({"2010-12-01", "soon"}, out).subtype, "text");
}

TEST(ColumnInference, ProposedFormatsCheckTheSampleValues) {
  // Whatever infer proposes, the server's date check (the same DateFormat) accepts.
  std::vector<Record> sample = {{"5/31/2011 14:05", "1.5", "x"}, {"12/1/2011 08:00", "2", "y"}};
  auto out = infer_columns({"when", "amount", "label"}, sample);
  for (std::size_t c = 0; c < out.columns.size(); ++c) {
    if (out.columns[c].subtype != "date") continue;
    auto f = DateFormat::compile(out.columns[c].format);
    ASSERT_TRUE(f);
    for (const auto& r : sample) EXPECT_TRUE(f->matches(r[c])) << r[c];
  }
}

TEST(ColumnInference, AliasesFollowTheRuleOfASpecFromTheHeader) {
  // `dsfill load` without --columns and `dsfill infer` must send the same names and aliases.
  const std::vector<std::string> header = {"id", "InvoiceNo", "unit_price"};
  const InferredColumns inferred = infer_columns(header, {{"1", "A1", "2.5"}});
  const Columns plain = columns_from_header(header);
  ASSERT_EQ(inferred.columns.size(), plain.size());
  for (std::size_t i = 0; i < plain.size(); ++i) {
    EXPECT_EQ(inferred.columns[i].name, plain[i].name);
    EXPECT_EQ(inferred.columns[i].alias, plain[i].alias) << plain[i].name;
  }
  EXPECT_EQ(inferred.columns[0].alias, "id");
}

}  // namespace
}  // namespace dsfill::codec
