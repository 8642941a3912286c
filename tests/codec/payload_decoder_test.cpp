#include "codec/payload_decoder.h"
#include "tests/oracle/rows_json_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "codec/base64.h"
#include "codec/gzip.h"

namespace dsfill::codec {
namespace {

std::string compressed_payload(std::string_view json) {
  GzipCompressor gzip(6);
  std::string gz;
  gzip.compress(json, gz);
  std::string b64;
  base64_encode(gz, b64);
  return b64;
}

TEST(DecodeInsertData, CompressedAndPlain) {
  const std::string rows = R"([["a","b"],[1,null]])";
  std::string json;
  ASSERT_TRUE(decode_insert_data(compressed_payload(rows), true, {}, json));
  EXPECT_EQ(json, rows);
  ASSERT_TRUE(decode_insert_data(rows, false, {}, json));
  EXPECT_EQ(json, rows);
}

TEST(DecodeInsertData, PassesOnErrors) {
  std::string json;
  auto r = decode_insert_data("not base64!", true, {}, json);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBadBase64);

  std::string not_gzip;
  base64_encode("plain text, not gzip data", not_gzip);
  r = decode_insert_data(not_gzip, true, {}, json);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBadGzip);

  GunzipLimits limits;
  limits.max_output = 10;
  r = decode_insert_data(compressed_payload(std::string(100, 'a')), true, limits, json);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
}

TEST(ParseRowsJson, KeepsNumberLiteralsAndStrings) {
  auto rows = parse_rows_json(
      " [ [\"a\\\"b\\u00e9\\n\", 2.50 , -0, 1e400, 123456789012345678901234567890, null] ,[] ] ");
  ASSERT_TRUE(rows) << rows.error().describe();
  ASSERT_EQ(rows->size(), 2u);
  const JsonRow expected = {{"a\"b\xc3\xa9\n", true, false},
                            {"2.50", false, false},
                            {"-0", false, false},
                            {"1e400", false, false},
                            {"123456789012345678901234567890", false, false},
                            {"", false, true}};
  EXPECT_EQ((*rows)[0], expected);
  EXPECT_TRUE((*rows)[1].empty());
  auto empty = parse_rows_json("[]");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(ParseRowsJson, RejectsOtherShapes) {
  for (const char* bad : {"",
                          "{}",
                          "[",
                          "[[",
                          "[1]",
                          "[\"a\"]",
                          "[[true]]",
                          "[[false]]",
                          "[[{}]]",
                          "[[[1]]]",
                          "[[1,]]",
                          "[[01]]",
                          "[[1.]]",
                          "[[+1]]",
                          "[[nul]]",
                          "[[\"a\"]] x",
                          "[[\"a\"]],[]",
                          "[[\"\\x\"]]",
                          "[[\"a]]",
                          "[[NaN]]",
                          "[[1 2]]",
                          "[[\"a\" \"b\"]]"}) {
    auto rows = parse_rows_json(bad);
    ASSERT_FALSE(rows) << bad;
    EXPECT_EQ(rows.error().code, ErrorCode::kBadJson) << bad;
  }
  EXPECT_FALSE(parse_rows_json("[[\"\xff\"]]"));  // invalid UTF-8
}

}  // namespace
}  // namespace dsfill::codec
