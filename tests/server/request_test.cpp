// Units of the request parser's string handling: insert-data is taken from the body in place
// when it holds no escape, and unescaped by simdjson when it does.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include <simdjson.h>

#include "server/request.h"

namespace dsfill::server {
namespace {

std::string body_with_insert_data(std::string_view insert_data_json) {
  return std::string(R"({"user-code":"u","dataset-code":"d",)") +
         R"("columns":[{"name":"a","alias":"a","type":"dimension","subtype":"text"}],)" +
         R"("insert-data":)" + std::string(insert_data_json) +
         R"(,"append":true,"compressed":true})";
}

bool points_into(std::string_view view, const std::string& buffer) {
  return view.data() >= buffer.data() && view.data() + view.size() <= buffer.data() + buffer.size();
}

TEST(Request, InsertDataWithoutEscapesIsTakenFromTheBody) {
  simdjson::ondemand::parser parser;
  std::string body = body_with_insert_data(R"("H4sIAAAAAAAA/+3BAQ0AAAjDoPdPbQ8HFAAAAA==")");
  auto fill = parse_fill_request(parser, body);
  ASSERT_TRUE(fill) << fill.error().message;
  EXPECT_EQ(fill->insert_data, "H4sIAAAAAAAA/+3BAQ0AAAjDoPdPbQ8HFAAAAA==");
  EXPECT_TRUE(points_into(fill->insert_data, body));
}

TEST(Request, InsertDataWithEscapesIsUnescaped) {
  simdjson::ondemand::parser parser;
  // JSON writers may escape '/' (PHP does by default); "\u0041" is an 'A'.
  std::string body = body_with_insert_data(R"("H4sI\/\/8=\u0041" )");
  auto fill = parse_fill_request(parser, body);
  ASSERT_TRUE(fill) << fill.error().message;
  EXPECT_EQ(fill->insert_data, "H4sI//8=A");
  EXPECT_FALSE(points_into(fill->insert_data, body));
}

TEST(Request, InsertDataWithWhitespaceAroundIt) {
  simdjson::ondemand::parser parser;
  std::string body = body_with_insert_data(" \"abcd\" \n\t ");
  auto fill = parse_fill_request(parser, body);
  ASSERT_TRUE(fill) << fill.error().message;
  EXPECT_EQ(fill->insert_data, "abcd");
  body = body_with_insert_data(R"("")");
  fill = parse_fill_request(parser, body);
  ASSERT_TRUE(fill) << fill.error().message;
  EXPECT_EQ(fill->insert_data, "");
}

TEST(Request, InsertDataThatIsNotAStringIsRefused) {
  simdjson::ondemand::parser parser;
  for (const char* value : {"12", "null", "[\"a\"]", "true"}) {
    std::string body = body_with_insert_data(value);
    auto fill = parse_fill_request(parser, body);
    ASSERT_FALSE(fill) << value;
    EXPECT_EQ(fill.error().message, "field \"insert-data\" must be a string") << value;
  }
}

TEST(Request, HasBackslashLooksOnlyInsideTheView) {
  // Every length up to 40 and every backslash position, with a backslash right after the view
  // (which the word-at-a-time check reads, and must ignore) and none before it.
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string buffer(n, 'x');
    buffer += std::string(16, '\\');
    EXPECT_FALSE(has_backslash(std::string_view(buffer.data(), n))) << n;
    for (std::size_t at = 0; at < n; ++at) {
      std::string with = buffer;
      with[at] = '\\';
      EXPECT_TRUE(has_backslash(std::string_view(with.data(), n))) << n << " " << at;
    }
  }
  // Bytes that differ from a backslash only in one bit are not backslashes.
  std::string near = "\x5d\x5e\x4c\x7c\xdc\x1c\x5c";
  EXPECT_FALSE(has_backslash(std::string_view(near.data(), near.size() - 1)));
}

TEST(Request, UnescapedStringTextOfRawTokens) {
  const std::string padding(16, '\\');
  const auto text_of = [&](std::string token, std::string_view& text) {
    static std::string keep;
    keep = token + padding;
    return unescaped_string_text(std::string_view(keep.data(), token.size()), text);
  };
  std::string_view text;
  ASSERT_TRUE(text_of("\"abc\" \r\n\t", text));
  EXPECT_EQ(text, "abc");
  ASSERT_TRUE(text_of("\"\"", text));
  EXPECT_EQ(text, "");
  EXPECT_FALSE(text_of("\"a\\\"b\"", text));
  EXPECT_FALSE(text_of("\"a\\nb\"", text));
  EXPECT_FALSE(text_of("12", text));
  EXPECT_FALSE(text_of("\"", text));
  EXPECT_FALSE(text_of("null", text));
}

}  // namespace
}  // namespace dsfill::server
