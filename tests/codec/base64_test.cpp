#include "codec/base64.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace dsfill::codec {
namespace {

std::string encode(std::string_view in) {
  std::string out;
  base64_encode(in, out);
  return out;
}

Result<std::string> decode(std::string_view in) {
  std::string out;
  if (auto r = base64_decode(in, out); !r) return r.error();
  return out;
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, coded] : kVectors) {
    EXPECT_EQ(encode(plain), coded);
    auto back = decode(coded);
    ASSERT_TRUE(back) << coded;
    EXPECT_EQ(*back, plain);
  }
}

TEST(Base64, WholeAlphabet) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  // Python: base64.b64encode(bytes(range(256)))[:64]
  EXPECT_EQ(encode(all).substr(0, 64),
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v");
  EXPECT_EQ(encode("\xfb\xff\xbf"), "+/+/");
}

TEST(Base64, EncodeAppends) {
  std::string out = "prefix:";
  base64_encode("foo", out);
  EXPECT_EQ(out, "prefix:Zm9v");
}

TEST(Base64, RoundTripRandomAllLengths) {
  std::mt19937 rng(42);
  for (std::size_t n = 0; n <= 300; ++n) {
    std::string in(n, '\0');
    for (char& c : in) c = static_cast<char>(rng());
    std::string coded(base64_encoded_size(n) + 8, '#');
    const std::size_t written = base64_encode_into(in, coded.data());
    ASSERT_EQ(written, base64_encoded_size(n));
    // Never writes past the encoded size.
    EXPECT_EQ(coded.substr(written), std::string(8, '#'));
    coded.resize(written);
    auto back = decode(coded);
    ASSERT_TRUE(back) << n;
    EXPECT_EQ(*back, in) << n;
  }
}

// RFC 4648 one bit at a time: an oracle that shares no code or table with the encoder.
std::string reference_encode(std::string_view in) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0, bits = 0;
  for (const char c : in) {
    value = (value << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(value >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(value << (6 - bits)) & 63];
  while (out.size() % 4 != 0) out += '=';
  return out;
}

// Long inputs take the vector kernel (when the CPU has one) for all but their tail.
TEST(Base64, EncodesLikeTheRfcBitByBitAtEveryLength) {
  std::mt19937 rng(7);
  for (std::size_t n = 0; n <= 700; ++n) {
    std::string in(n, '\0');
    for (char& c : in) c = static_cast<char>(rng());
    ASSERT_EQ(encode(in), reference_encode(in)) << n;
  }
}

// Long inputs are decoded 64 characters at a time by the vector kernel (when the CPU has one):
// a bad character anywhere must still be named at its own offset.
TEST(Base64, NamesABadCharacterAtEveryOffsetOfALongInput) {
  std::mt19937 rng(3);
  std::string bytes(300, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  const std::string good = encode(bytes);  // 400 characters, no padding
  ASSERT_EQ(*decode(good), bytes);
  // 0xC1 and 0xE1 are 'A' and 'a' with the high bit set.
  for (const char bad : {'\n', '-', '=', '\x80', '\xff', '\x7f', '\xc1', '\xe1'}) {
    for (std::size_t at = 0; at + 4 < good.size(); ++at) {
      std::string in = good;
      in[at] = bad;
      std::string out;
      auto r = base64_decode(in, out);
      ASSERT_FALSE(r) << at;
      EXPECT_EQ(r.error().byte_offset, static_cast<std::int64_t>(at)) << at;
    }
  }
}

void expect_bad(std::string_view in, std::int64_t offset) {
  std::string out = "stale";
  auto r = base64_decode(in, out);
  ASSERT_FALSE(r) << in;
  EXPECT_EQ(r.error().code, ErrorCode::kBadBase64) << in;
  EXPECT_EQ(r.error().byte_offset, offset) << in;
  EXPECT_TRUE(out.empty()) << in;
}

TEST(Base64, RejectsBadLength) {
  expect_bad("Z", 1);
  expect_bad("Zm9", 3);
  expect_bad("Zm9vY", 5);
  expect_bad("Zm9vYg=", 7);
}

TEST(Base64, RejectsInvalidCharacters) {
  expect_bad("Zm9v*m9v", 4);
  expect_bad("Zm-v", 2);  // base64url is not accepted
  expect_bad("Zm_v", 2);
  expect_bad("Zm9vYmFy\x80\x80\x80\x80", 8);
  expect_bad(std::string_view("Zm\0v", 4), 2);
  expect_bad("Zm9vYm*=", 6);  // in the padded last quad
  expect_bad("Zm9vY*==", 5);
}

TEST(Base64, RejectsWhitespace) {
  expect_bad("Zm9v\nZm9v", 4);
  expect_bad("Zm9 vZm9v", 3);
  expect_bad("Zm9vZm9v\r\n", 8);
  expect_bad("\tZm9vZm9", 0);
  std::string out;
  auto r = base64_decode("Zm9v Zm9", out);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("whitespace"), std::string::npos);
}

TEST(Base64, RejectsBadPadding) {
  expect_bad("====", 0);
  expect_bad("Z===", 1);
  expect_bad("Zm=v", 2);      // padding in the middle of the last quad
  expect_bad("Zg==Zm9v", 2);  // padding before the end
  expect_bad("Zm9=Zm9v", 3);
  expect_bad("Zh==", 1);  // non-zero bits under the padding
  expect_bad("Zm9=", 2);
}

TEST(Base64, DecodeReplacesOutput) {
  std::string out = "old contents";
  ASSERT_TRUE(base64_decode("Zm9v", out));
  EXPECT_EQ(out, "foo");
  ASSERT_TRUE(base64_decode("", out));
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace dsfill::codec
