// The one JSON string escaper, the one RFC 8259 number check and the one UTF-8 rule.
#include "codec/json_text.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>
#include <string>
#include <vector>

#include "codec/utf8.h"

namespace dsfill::codec {
namespace {

std::string as_json(std::string_view v) {
  std::string out;
  append_json_string(v, out);
  return out;
}

TEST(JsonText, EscapesEveryControlCharacter) {
  const char* const expected[32] = {
      "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
      "\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",     "\\u000e", "\\u000f",
      "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
      "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f"};
  for (int c = 0; c < 32; ++c) {
    EXPECT_EQ(as_json(std::string(1, static_cast<char>(c))), "\"" + std::string(expected[c]) + "\"")
        << c;
  }
}

TEST(JsonText, EscapesQuoteAndBackslashOnly) {
  EXPECT_EQ(as_json("a\"b\\c/d\x7f"), "\"a\\\"b\\\\c/d\x7f\"");
  EXPECT_EQ(as_json(""), "\"\"");
}

TEST(JsonText, LeavesLineAndParagraphSeparatorsRaw) {
  // RFC 8259 allows U+2028 and U+2029 raw; dsfill's readers are JSON, not old JavaScript.
  EXPECT_EQ(as_json("\u2028\u2029"), "\"\u2028\u2029\"");
}

TEST(JsonText, LongStringsTakeTheSimdLoopAndStillEscape) {
  std::string s(100, 'x');
  s[17] = '"';
  s[70] = '\n';
  std::string want(100, 'x');
  want.replace(70, 1, "\\n");
  want.replace(17, 1, "\\\"");
  EXPECT_EQ(as_json(s), "\"" + want + "\"");
}

TEST(JsonText, TextReplacesInvalidUtf8) {
  std::string out;
  append_json_text("a\xff\xe2\x82z\xed\xa0\x80", out);
  // \xe2\x82 is one maximal subpart (one U+FFFD); ED A0 80 is three (ED alone is a prefix).
  EXPECT_EQ(out, "\"a\xEF\xBF\xBD\xEF\xBF\xBDz\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  out.clear();
  append_json_text("caf\xc3\xa9", out);
  EXPECT_EQ(out, "\"caf\xc3\xa9\"");
}

TEST(JsonText, NumberCheckFollowsRfc8259) {
  for (const char* ok : {"0", "-0", "1", "-1", "10", "1e5", "1E5", "1e+5", "1e-5", "0.5", "-0.5",
                         "1.25e10", "0e0", "123456789012345678901234567890"}) {
    EXPECT_TRUE(is_json_number(ok)) << ok;
  }
  for (const char* bad :
       {"",    "-",        "01",        "-01", "00", "1.", ".5",  "+1",    "1e",  "1e+", "1.e5",
        "NaN", "Infinity", "-Infinity", "0x1", " 1", "1 ", "1,5", "1e5.0", "--1", "1-"}) {
    EXPECT_FALSE(is_json_number(bad)) << bad;
  }
}

TEST(Utf8, ScalarAndSimdValidatorsAgree) {
  // Every 1- and 2-byte string, and random short strings biased to high bytes.
  std::string s;
  for (int a = 0; a < 256; ++a) {
    for (int b = -1; b < 256; ++b) {
      s.assign(1, static_cast<char>(a));
      if (b >= 0) s += static_cast<char>(b);
      ASSERT_EQ(utf8_valid(s), utf8_first_invalid(s) == s.size()) << a << " " << b;
    }
  }
  std::mt19937 rng(7);
  const unsigned char kBytes[] = {0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1,
                                  0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff};
  for (int i = 0; i < 200000; ++i) {
    s.clear();
    for (int n = 1 + static_cast<int>(rng() % 6); n > 0; --n) s += kBytes[rng() % sizeof kBytes];
    ASSERT_EQ(utf8_valid(s), utf8_first_invalid(s) == s.size());
  }
}

TEST(Utf8, RefusesOverlongSurrogatesAndAboveMax) {
  for (const char* bad : {"\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xed\xa0\x80",
                          "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\x80", "\xe2\x82"}) {
    EXPECT_FALSE(utf8_valid(bad)) << bad;
    EXPECT_LT(utf8_first_invalid(bad), std::string_view(bad).size());
  }
  for (const char* ok :
       {"\xc2\x80", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xf4\x8f\xbf\xbf", "\xef\xbb\xbf"}) {
    EXPECT_TRUE(utf8_valid(ok)) << ok;
  }
}

TEST(Utf8, ReplacingAlwaysGivesValidUtf8) {
  std::mt19937 rng(11);
  std::string s;
  for (int i = 0; i < 20000; ++i) {
    s.clear();
    for (int n = static_cast<int>(rng() % 12); n > 0; --n) s += static_cast<char>(rng());
    EXPECT_TRUE(utf8_valid(utf8_replacing(s)));
  }
}

// The range rule the transcoder and the reference server share (server/validation.cpp).
TEST(JsonNumberInRange, AsTheServerReadsDoubles) {
  const std::string zeros(330, '0');
  for (const std::string& ok :
       std::vector<std::string>{"0", "-0", "1e308", "-1.7976931348623157e308", "1e-310", "4.9e-324",
                                "0e999", "0.0e-99999", "123456789012345678901234567890",
                                std::string(299, '9'), "0." + std::string(296, '0') + "1"}) {
    EXPECT_TRUE(json_number_in_range(ok)) << ok;
  }
  for (const std::string& bad :
       std::vector<std::string>{"1e999", "-1e309", "1.8e308", "1e-400", "2e-324",
                                std::string(400, '9'), "0." + zeros + "1", "1" + zeros + ".5"}) {
    EXPECT_FALSE(json_number_in_range(bad)) << bad;
  }
}

}  // namespace
}  // namespace dsfill::codec
