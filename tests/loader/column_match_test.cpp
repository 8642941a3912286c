// Header names matched to a columns spec: the order of the file does not matter, the names do.
#include "loader/column_match.h"

#include <gtest/gtest.h>

namespace dsfill::loader {
namespace {

codec::Columns spec(const std::vector<std::string>& names) {
  return codec::columns_from_header(names);
}

std::vector<std::uint32_t> matched(const std::vector<std::string>& header,
                                   const std::vector<std::string>& names,
                                   ColumnMatchOptions options = {}) {
  auto source = match_columns(header, spec(names), options);
  EXPECT_TRUE(source.has_value()) << (source ? "" : source.error().message);
  return source ? *source : std::vector<std::uint32_t>{99};
}

std::string refusal(const std::vector<std::string>& header, const std::vector<std::string>& names,
                    ColumnMatchOptions options = {}) {
  auto source = match_columns(header, spec(names), options);
  EXPECT_FALSE(source.has_value());
  if (source) return "";
  EXPECT_EQ(source.error().code, ErrorCode::kBadArgument);
  EXPECT_EQ(source.error().row, 1);
  return source.error().message;
}

TEST(ColumnMatch, TheSpecInTheHeadersOrderIsTheIdentity) {
  EXPECT_TRUE(matched({"id", "name"}, {"id", "name"}).empty());
  EXPECT_TRUE(matched({" ID", "Name "}, {"id", "name"}).empty());
}

TEST(ColumnMatch, EachColumnTakesTheFieldOfItsName) {
  EXPECT_EQ(matched({"customer", "date", "transaction_id"}, {"transaction_id", "date", "customer"}),
            (std::vector<std::uint32_t>{2, 1, 0}));
  EXPECT_EQ(
      matched({"Customer ", "DATE", "transaction_id"}, {"transaction_id", "date", "customer"}),
      (std::vector<std::uint32_t>{2, 1, 0}));
}

TEST(ColumnMatch, AnExactNameWinsOverALooseOne) {
  // "Name" and "name" in one header would be one column to the server: refused as repeated.
  EXPECT_NE(refusal({"Name", "name"}, {"name", "Name"}).find("twice"), std::string::npos);
  EXPECT_EQ(matched({"b", "A"}, {"A", "b"}), (std::vector<std::uint32_t>{1, 0}));
}

TEST(ColumnMatch, AMissingColumnIsNamedWithTheHeaderUnlessAskedForNull) {
  const std::string m = refusal({"id", "name"}, {"id", "name", "price"});
  EXPECT_NE(m.find("lacks the spec's column price"), std::string::npos) << m;
  EXPECT_NE(m.find("header: id,name; spec: id,name,price"), std::string::npos) << m;
  EXPECT_NE(m.find("--missing-columns null"), std::string::npos) << m;
  EXPECT_EQ(matched({"name", "id"}, {"id", "name", "price"}, {.missing_as_null = true}),
            (std::vector<std::uint32_t>{1, 0, codec::kNoField}));
}

TEST(ColumnMatch, ExtraHeaderFieldsAreNamedUnlessIgnored) {
  const std::string m = refusal({"id", "note", "name", "x"}, {"id", "name"});
  EXPECT_NE(m.find("fields note,x that the spec lacks"), std::string::npos) << m;
  EXPECT_EQ(matched({"id", "note", "name"}, {"id", "name"}, {.ignore_extra = true}),
            (std::vector<std::uint32_t>{0, 2}));
  // Leaving out a trailing field is no longer the identity: the record has more fields.
  EXPECT_EQ(matched({"id", "name", "note"}, {"id", "name"}, {.ignore_extra = true}),
            (std::vector<std::uint32_t>{0, 1}));
}

TEST(ColumnMatch, RepeatedHeaderNamesAreRefused) {
  const std::string m = refusal({"id", "name", "ID"}, {"id", "name"});
  EXPECT_NE(m.find("names a column twice"), std::string::npos) << m;
  EXPECT_NE(m.find(": ID;"), std::string::npos) << m;
}

TEST(ColumnMatch, BothSidesAreNamedWhenNothingMatches) {
  const std::string m = refusal({"foo", "bar"}, {"id", "name"});
  EXPECT_NE(m.find("id,name"), std::string::npos) << m;
}

}  // namespace
}  // namespace dsfill::loader
