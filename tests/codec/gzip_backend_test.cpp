// The deflate backends behind --codec: both write gzip that libdeflate's gunzip (and so any
// gunzip) decodes to the input, at every level, and switching levels on one compressor works.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "codec/gzip.h"

namespace dsfill::codec {
namespace {

std::string rows_like_text(std::size_t n) {
  std::mt19937 rng(3);
  static const char* kWords[] = {"[\"536365\",", "\"WHITE HANGING HEART\",", "\"2.55\",",
                                 "\"United Kingdom\"],", "\"2010-12-01 08:26:00\","};
  std::string s;
  while (s.size() < n) s += kWords[rng() % 5];
  return s;
}

std::string random_bytes(std::size_t n) {
  std::mt19937 rng(11);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

TEST(GzipBackend, ParseNames) {
  EXPECT_EQ(parse_gzip_backend("libdeflate").value(), GzipBackend::kLibdeflate);
  auto bad = parse_gzip_backend("zlib");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kBadArgument);
  EXPECT_NE(bad.error().message.find("zlib"), std::string::npos);
  auto isal = parse_gzip_backend("isal");
  EXPECT_EQ(static_cast<bool>(isal), gzip_backend_available(GzipBackend::kIsal));
  EXPECT_STREQ(gzip_backend_name(GzipBackend::kIsal), "isal");
}

TEST(GzipBackend, IsalRoundTripsEveryLevel) {
  if (!gzip_backend_available(GzipBackend::kIsal)) GTEST_SKIP() << "built without ISA-L";
  const std::string text = rows_like_text(3'000'000);
  for (int level = 0; level <= 4; ++level) {  // 4 acts as 3
    GzipCompressor c(level, GzipBackend::kIsal);
    EXPECT_EQ(c.backend(), GzipBackend::kIsal);
    std::string gz;
    const std::size_t n = c.compress(text, gz);
    ASSERT_GT(n, 0u) << "level " << level;
    EXPECT_LE(n, c.bound(text.size()));
    EXPECT_LT(n, text.size() / 3) << "level " << level;
    ASSERT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
    ASSERT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
    std::string back;
    ASSERT_TRUE(gunzip(gz, {}, back)) << "level " << level;
    EXPECT_EQ(back, text) << "level " << level;
  }
}

TEST(GzipBackend, IsalEmptyAndIncompressibleFitTheBound) {
  if (!gzip_backend_available(GzipBackend::kIsal)) GTEST_SKIP() << "built without ISA-L";
  for (const std::string& in : {std::string(), std::string("x"), random_bytes(1'000'000)}) {
    GzipCompressor c(1, GzipBackend::kIsal);
    std::string buf(c.bound(in.size()), '\0');
    const std::size_t n = c.compress_into(in, buf.data(), buf.size());
    ASSERT_GT(n, 0u) << in.size();
    std::string back = "stale";
    ASSERT_TRUE(gunzip(std::string_view(buf.data(), n), {}, back)) << in.size();
    EXPECT_EQ(back, in);
  }
}

TEST(GzipBackend, TooSmallOutputFailsInsteadOfTruncating) {
  const std::string text = rows_like_text(100'000);
  for (GzipBackend b : {GzipBackend::kLibdeflate, GzipBackend::kIsal}) {
    if (!gzip_backend_available(b)) continue;
    GzipCompressor c(1, b);
    std::string buf(100, '\0');
    EXPECT_EQ(c.compress_into(text, buf.data(), buf.size()), 0u) << gzip_backend_name(b);
  }
}

TEST(GzipBackend, SetLevelSwitchesAndRoundTrips) {
  const std::string text = rows_like_text(1'000'000);
  GzipCompressor c(1);
  std::string gz1, gz9, again;
  c.compress(text, gz1);
  c.set_level(9);
  EXPECT_EQ(c.level(), 9);
  c.compress(text, gz9);
  c.set_level(1);
  c.compress(text, again);
  EXPECT_LT(gz9.size(), gz1.size());  // level 9 really was used
  EXPECT_EQ(again, gz1);              // and level 1 again after it
  for (const std::string* gz : {&gz1, &gz9}) {
    std::string back;
    ASSERT_TRUE(gunzip(*gz, {}, back));
    EXPECT_EQ(back, text);
  }
  c.set_level(99);
  EXPECT_EQ(c.level(), 12);  // clamped
}

// --codec auto's frontier: fastest first, ISA-L's levels 1-3 where it is built in, then
// libdeflate's from 2 (from 1 without ISA-L) to 12.
TEST(GzipBackend, AutoStepsRunFastestFirstOverBothBackends) {
  const std::vector<GzipSetting> steps = gzip_auto_steps();
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.back(), (GzipSetting{GzipBackend::kLibdeflate, 12}));
  if (gzip_backend_available(GzipBackend::kIsal)) {
    ASSERT_EQ(steps.size(), 14u);
    EXPECT_EQ(steps[0], (GzipSetting{GzipBackend::kIsal, 1}));
    EXPECT_EQ(steps[2], (GzipSetting{GzipBackend::kIsal, 3}));
    EXPECT_EQ(steps[3], (GzipSetting{GzipBackend::kLibdeflate, 2}));
  } else {
    ASSERT_EQ(steps.size(), 12u);
    EXPECT_EQ(steps[0], (GzipSetting{GzipBackend::kLibdeflate, 1}));
  }
  EXPECT_EQ(gzip_setting_name({GzipBackend::kIsal, 2}), "isal 2");
  EXPECT_EQ(gzip_setting_name({GzipBackend::kLibdeflate, 6}), "6");
}

// One compressor walking the steps back and forth, as an encoder does under --level auto: every
// member decodes to the input, and each step's output is what a compressor built for it writes.
TEST(GzipBackend, SwitchingBackendsOnOneCompressorWritesEachBackendsGzip) {
  const std::string text = rows_like_text(1'000'000);
  const std::vector<GzipSetting> steps = gzip_auto_steps();
  GzipCompressor walker(6);
  const int order[] = {0, 1, 2, 3, 4, 2, 0, 13, 0, 5};
  for (const int i : order) {
    const GzipSetting step = steps[static_cast<std::size_t>(std::min<int>(i, steps.size() - 1))];
    walker.set_setting(step);
    EXPECT_EQ(walker.backend(), step.backend);
    EXPECT_EQ(walker.level(), step.level);
    std::string gz;
    ASSERT_GT(walker.compress(text, gz), 0u) << gzip_setting_name(step);
    std::string back;
    ASSERT_TRUE(gunzip(gz, {}, back)) << gzip_setting_name(step);
    EXPECT_EQ(back, text) << gzip_setting_name(step);
    GzipCompressor fresh(step.level, step.backend);
    std::string expected;
    fresh.compress(text, expected);
    EXPECT_EQ(gz, expected) << gzip_setting_name(step);
  }
}

}  // namespace
}  // namespace dsfill::codec
