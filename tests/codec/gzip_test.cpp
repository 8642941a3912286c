#include "codec/gzip.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace dsfill::codec {
namespace {

// Returns text that compresses like CSV-derived JSON: repetitive but not trivial.
std::string sample_text(std::size_t n, unsigned seed = 1) {
  std::mt19937 rng(seed);
  static const char* kWords[] = {
      "\"WHITE HANGING HEART\",", "\"536365\",", "2.55,", "\"United Kingdom\"],[",
      "\"2010-12-01 08:26:00\",", "17850,"};
  std::string s;
  while (s.size() < n) s += kWords[rng() % 6];
  s.resize(n);
  return s;
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string gzip_of(std::string_view in, int level = 6) {
  GzipCompressor c(level);
  std::string out;
  c.compress(in, out);
  return out;
}

TEST(Gzip, RoundTripEveryLevel) {
  const std::string text = sample_text(200000);
  for (int level = 0; level <= 12; ++level) {
    GzipCompressor c(level);
    EXPECT_EQ(c.level(), level);
    std::string gz;
    const std::size_t n = c.compress(text, gz);
    ASSERT_GT(n, 0u) << "level " << level;
    EXPECT_EQ(n, gz.size());
    EXPECT_LE(n, c.bound(text.size()));
    if (level > 0) {
      EXPECT_LT(n, text.size() / 2) << "level " << level;
    }
    std::string back;
    ASSERT_TRUE(gunzip(gz, {}, back)) << "level " << level;
    EXPECT_EQ(back, text) << "level " << level;
  }
}

TEST(Gzip, RoundTripEmptyAndIncompressible) {
  for (const std::string& in : {std::string(), std::string("x"), random_bytes(100000, 7)}) {
    std::string back = "stale";
    ASSERT_TRUE(gunzip(gzip_of(in, 9), {}, back));
    EXPECT_EQ(back, in);
  }
}

TEST(Gzip, CompressIntoRespectsBound) {
  GzipCompressor c(1);
  const std::string text = random_bytes(5000, 3);
  std::string buf(c.bound(text.size()), '\0');
  const std::size_t n = c.compress_into(text, buf.data(), buf.size());
  ASSERT_GT(n, 0u);
  std::string back;
  ASSERT_TRUE(gunzip(std::string_view(buf.data(), n), {}, back));
  EXPECT_EQ(back, text);
}

TEST(Gzip, HeaderMagicIsGzip) {
  const std::string gz = gzip_of("hello");
  ASSERT_GE(gz.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
}

TEST(Gunzip, RejectsEveryTruncation) {
  const std::string gz = gzip_of(sample_text(5000));
  for (std::size_t n = 0; n < gz.size(); ++n) {
    std::string out;
    auto r = gunzip(std::string_view(gz.data(), n), {}, out);
    ASSERT_FALSE(r) << "truncated to " << n;
    // A truncation may leave 4 bytes that read as a huge size: refused either way, never decoded.
    EXPECT_TRUE(r.error().code == ErrorCode::kBadGzip || r.error().code == ErrorCode::kTooLarge)
        << n;
    EXPECT_TRUE(out.empty());
  }
}

TEST(Gunzip, RejectsTrailingBytes) {
  const std::string gz = gzip_of("some data, some data, some data");
  // Repeat the trailer, so the size field read from the end is still right and only the
  // trailing-bytes check can catch it.
  const std::string padded = gz + gz.substr(gz.size() - 4);
  std::string out;
  auto r = gunzip(padded, {}, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBadGzip);
  EXPECT_EQ(r.error().byte_offset, static_cast<std::int64_t>(gz.size()));
  EXPECT_TRUE(out.empty());

  // Arbitrary trailing bytes shift the size field: refused too, possibly as too large.
  for (const std::string& tail :
       {std::string("x"), std::string("\n"), std::string(2, '\0'), std::string("garbage!")}) {
    r = gunzip(gz + tail, {}, out);
    ASSERT_FALSE(r) << tail;
    EXPECT_TRUE(r.error().code == ErrorCode::kBadGzip || r.error().code == ErrorCode::kTooLarge);
  }
}

TEST(Gunzip, RejectsConcatenatedMembers) {
  // Same payload twice, so the last ISIZE matches the first member and only the trailing check
  // can catch it; then a different second member.
  for (const std::string& second : {std::string("abcabcabc"), std::string("zz")}) {
    const std::string gz = gzip_of("abcabcabc") + gzip_of(second);
    std::string out;
    auto r = gunzip(gz, {}, out);
    ASSERT_FALSE(r) << second;
    EXPECT_EQ(r.error().code, ErrorCode::kBadGzip);
  }
}

TEST(Gunzip, RejectsDataThatIsNotGzip) {
  std::string out;
  for (const std::string& in : {std::string("plain text, certainly not gzip data"),
                                std::string(40, '\xff'), gzip_of("zlib?").substr(1) + "x"}) {
    auto r = gunzip(in, {}, out);
    ASSERT_FALSE(r) << in;
    EXPECT_EQ(r.error().code, ErrorCode::kBadGzip) << in;
  }
}

TEST(Gunzip, RejectsCorruption) {
  std::string gz = gzip_of(sample_text(10000));
  gz[gz.size() / 2] = static_cast<char>(gz[gz.size() / 2] ^ 0x55);
  std::string out;
  auto r = gunzip(gz, {}, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBadGzip);

  std::string crc = gzip_of("checksum me");
  crc[crc.size() - 8] = static_cast<char>(crc[crc.size() - 8] ^ 1);  // CRC32 field
  r = gunzip(crc, {}, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBadGzip);
}

TEST(Gunzip, RejectsLyingSizeField) {
  const std::string text = sample_text(3000);
  std::string gz = gzip_of(text);
  for (std::uint32_t lie : {0u, 1u, 2999u, 3001u, 9000u}) {
    std::string bad = gz;
    for (int i = 0; i < 4; ++i) bad[bad.size() - 4 + i] = static_cast<char>(lie >> (8 * i));
    std::string out;
    auto r = gunzip(bad, {}, out);
    ASSERT_FALSE(r) << lie;
    EXPECT_EQ(r.error().code, ErrorCode::kBadGzip) << lie;
  }
}

TEST(Gunzip, RefusesBombBeforeAllocating) {
  // 100 MB of zeros compresses to about 100 KB: a 1000:1 bomb.
  const std::string zeros(100u << 20, '\0');
  const std::string gz = gzip_of(zeros, 12);
  EXPECT_LT(gz.size(), 200u << 10);
  std::string out;
  GunzipLimits limits;
  limits.max_output = 64u << 20;
  limits.max_ratio = 1e9;
  auto r = gunzip(gz, limits, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  // Refused from the size field alone: nothing was allocated for the output.
  EXPECT_EQ(out.capacity(), std::string().capacity());
}

TEST(Gunzip, RatioLimit) {
  const std::string zeros(1u << 20, '\0');
  const std::string gz = gzip_of(zeros, 9);
  const double ratio = static_cast<double>(zeros.size()) / static_cast<double>(gz.size());
  std::string out;
  GunzipLimits tight;
  tight.max_ratio = ratio * 0.9;
  auto r = gunzip(gz, tight, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);

  GunzipLimits loose;
  loose.max_ratio = ratio * 1.1;
  ASSERT_TRUE(gunzip(gz, loose, out));
  EXPECT_EQ(out, zeros);
}

TEST(Gunzip, OutputLimitIsInclusive) {
  const std::string text = sample_text(1000);
  const std::string gz = gzip_of(text);
  std::string out;
  GunzipLimits limits;
  limits.max_output = text.size();
  EXPECT_TRUE(gunzip(gz, limits, out));
  limits.max_output = text.size() - 1;
  auto r = gunzip(gz, limits, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace dsfill::codec
