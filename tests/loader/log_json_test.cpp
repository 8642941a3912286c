// Every line the JSON logger writes parses as JSON, whatever bytes its message and fields hold:
// invalid UTF-8 becomes U+FFFD, control characters are escaped (codec/json_text.h's policy).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "loader/log.h"

namespace dsfill::loader {
namespace {

// Returns the line parsed, failing the test (with the line) when it is not valid JSON.
boost::json::value parse_line(const std::string& line) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);
  EXPECT_FALSE(ec) << ec.message() << " in: " << line;
  return v;
}

std::vector<std::string> hostile_texts() {
  std::vector<std::string> texts = {
      "plain",
      "bad \xff byte",                   // never valid in UTF-8
      "cut \xe2\x82",                    // a truncated sequence at the end
      "lone \x80 continuation",          // a continuation byte with no lead
      "overlong \xc0\xaf slash",         // an overlong '/'
      "surrogate \xed\xa0\x80 half",     // U+D800 in UTF-8 form
      "above \xf4\x90\x80\x80 max",      // above U+10FFFF
      "quote \" backslash \\ slash /",   // JSON's own specials
      "line\u2028separators\u2029kept",  // valid UTF-8 left as is
      std::string("nul \0 inside", 12),  // NUL
  };
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  controls += '\x7f';
  texts.push_back(controls);
  return texts;
}

TEST(JsonLog, EveryLineParsesWhateverTheBytes) {
  for (const std::string& text : hostile_texts()) {
    const std::string line = format_log_line(
        LogFormat::kJson, "dsfill", LogLevel::kWarn, text,
        {{"file", std::string_view(text)}, {text, std::int64_t{1}}}, "2024-01-01T00:00:00.000Z");
    const boost::json::value v = parse_line(line);
    if (!v.is_object()) continue;
    const boost::json::object& o = v.as_object();
    ASSERT_TRUE(o.contains("msg")) << line;
    EXPECT_TRUE(o.at("msg").is_string()) << line;
  }
}

TEST(JsonLog, InvalidUtf8BecomesReplacementCharacter) {
  const std::string line = format_log_line(LogFormat::kJson, "dsfill", LogLevel::kError,
                                           "a\xff"
                                           "b",
                                           {}, "2024-01-01T00:00:00.000Z");
  const boost::json::value v = parse_line(line);
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.as_object().at("msg").as_string(),
            "a\xEF\xBF\xBD"
            "b");
}

TEST(JsonLog, ControlCharactersRoundTrip) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  const std::string line = format_log_line(LogFormat::kJson, "dsfill", LogLevel::kInfo, controls,
                                           {}, "2024-01-01T00:00:00.000Z");
  const boost::json::value v = parse_line(line);
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(std::string(v.as_object().at("msg").as_string()), controls);
}

TEST(JsonLog, NonFiniteNumbersAreNull) {
  const std::string line =
      format_log_line(LogFormat::kJson, "dsfill", LogLevel::kInfo, "rate",
                      {{"mbps", 0.0 / 0.0}, {"inf", 1.0 / 0.0}}, "2024-01-01T00:00:00.000Z");
  const boost::json::value v = parse_line(line);
  ASSERT_TRUE(v.is_object());
  EXPECT_TRUE(v.as_object().at("mbps").is_null()) << line;
}

}  // namespace
}  // namespace dsfill::loader
