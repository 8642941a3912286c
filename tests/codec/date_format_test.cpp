#include "codec/date_format.h"

#include <string>

#include <gtest/gtest.h>

namespace dsfill::codec {
namespace {

bool match(const char* format, const char* value) {
  auto f = DateFormat::compile(format);
  EXPECT_TRUE(f) << format;
  return f && f->matches(value);
}

TEST(DateFormat, IsoWhenEmpty) {
  EXPECT_TRUE(match("", "2024-02-29"));
  EXPECT_TRUE(match("", "2010-12-01 08:26:00"));
  EXPECT_TRUE(match("", "2010-12-01T08:26"));
  EXPECT_TRUE(match("", "2010-12-01T08:26:00.123Z"));
  EXPECT_TRUE(match("", "2010-12-01T08:26:00+01:00"));
  EXPECT_FALSE(match("", "2023-02-29"));
  EXPECT_FALSE(match("", "2010-12-01 24:00:00"));
  EXPECT_FALSE(match("", "2010-12-1"));
  EXPECT_FALSE(match("", "2010-12-01 "));
  EXPECT_FALSE(match("", ""));
}

TEST(DateFormat, Strftime) {
  EXPECT_TRUE(match("%d/%m/%Y %H:%M", "31/12/2010 23:59"));
  EXPECT_FALSE(match("%d/%m/%Y %H:%M", "31/11/2010 23:59"));
  EXPECT_TRUE(match("%F %T", "2010-12-01 08:26:00"));
  EXPECT_TRUE(match("%Y%m%d", "20240101"));
  EXPECT_FALSE(match("%Y%m%d", "2024011"));
  EXPECT_TRUE(match("%Y-%m-%dT%H:%M:%S.%f%z", "2024-01-01T00:00:00.5-0300"));
  EXPECT_TRUE(match("100%% %Y", "100% 2024"));
  EXPECT_FALSE(DateFormat::compile("%Y-%q"));
  EXPECT_FALSE(DateFormat::compile("%"));
}

TEST(DateFormat, Patterns) {
  EXPECT_TRUE(match("YYYY-MM-DD HH:mm:ss", "2010-12-01 08:26:00"));
  EXPECT_TRUE(match("MM/dd/yyyy", "02/29/2024"));
  EXPECT_FALSE(match("MM/dd/yyyy", "29/02/2024"));
  EXPECT_TRUE(match("HH:mm:ss.SSS", "23:59:60.123"));
  EXPECT_FALSE(match("HH:mm:ss.SSS", "23:59:59.12"));
}

// Returns the ISO 8601 form of `value` in `format` ("" when it has none).
std::string iso(const char* format, const char* value) {
  auto f = DateFormat::compile(format);
  EXPECT_TRUE(f && f->matches(value)) << format << " " << value;
  if (!f || !f->matches(value)) return "?";
  char out[DateFormat::kMaxIsoBytes];
  return std::string(out, f->to_iso(value, out));
}

TEST(DateFormat, ToIsoSortsAsText) {
  EXPECT_EQ(iso("DD/MM/YYYY", "31/01/2024"), "2024-01-31");
  EXPECT_EQ(iso("MM/dd/yyyy", "02/29/2024"), "2024-02-29");
  EXPECT_EQ(iso("%d.%m.%Y %H:%M", "01.12.2010 08:26"), "2010-12-01T08:26");
  EXPECT_EQ(iso("%Y-%m-%dT%H:%M:%S.%f%z", "2024-01-01T00:00:00.5-0300"),
            "2024-01-01T00:00:00.5-03:00");
  EXPECT_EQ(iso("YYYYMMDD HHmmss.SSS", "20240101 235960.123"), "2024-01-01T23:59:60.123");
  EXPECT_EQ(iso("", "2010-12-01 08:26:00"), "2010-12-01T08:26:00");
  EXPECT_EQ(iso("", "2010-12-01T08:26:00.123456789+01:00"), "2010-12-01T08:26:00.123456789+01:00");
  EXPECT_EQ(iso("", "2010-12-01"), "2010-12-01");
  EXPECT_LT(iso("DD/MM/YYYY", "31/01/2024"), iso("DD/MM/YYYY", "01/02/2024"));
  // No ISO date without a year, a month and a day.
  EXPECT_EQ(iso("HH:mm", "23:59"), "");
  EXPECT_EQ(iso("MM/YYYY", "01/2024"), "");
}

}  // namespace
}  // namespace dsfill::codec
