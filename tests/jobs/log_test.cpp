// The logger's lines: JSON lines that parse, with escaping; text lines as before.
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "loader/log.h"

namespace dsfill::loader {
namespace {

TEST(Log, JsonLineHasTimeLevelMessageAndFields) {
  const std::string line = format_log_line(
      LogFormat::kJson, "dsfill load", LogLevel::kError, "bad \"row\"\n2",
      {{"rows", std::int64_t{42}}, {"file", "a\\b.csv"}, {"ok", false}, {"seconds", 1.5}},
      "2024-01-02T03:04:05.006Z");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto v = boost::json::parse(line).as_object();
  EXPECT_EQ(v.at("ts").as_string(), "2024-01-02T03:04:05.006Z");
  EXPECT_EQ(v.at("level").as_string(), "error");
  EXPECT_EQ(v.at("msg").as_string(), "bad \"row\"\n2");
  EXPECT_EQ(v.at("rows").as_int64(), 42);
  EXPECT_EQ(v.at("file").as_string(), "a\\b.csv");
  EXPECT_FALSE(v.at("ok").as_bool());
  EXPECT_DOUBLE_EQ(v.at("seconds").as_double(), 1.5);
}

TEST(Log, TextLineIsPrefixAndMessage) {
  EXPECT_EQ(format_log_line(LogFormat::kText, "dsfill load", LogLevel::kInfo, "hello",
                            {{"rows", std::int64_t{1}}}, "t"),
            "dsfill load: hello");
}

}  // namespace
}  // namespace dsfill::loader
