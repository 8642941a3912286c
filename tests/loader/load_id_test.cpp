// Load ids and Idempotency-Keys: fresh per load, stable per byte range, hex of fixed length.
#include "loader/load_id.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace dsfill::loader {
namespace {

bool is_hex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

class LoadIdFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("dsfill-load-id-" + std::to_string(::getpid()) + ".csv"))
                .string();
    std::ofstream(path_) << "a,b\n1,2\n";
    options_.input = path_;
    options_.url = "http://127.0.0.1:1";
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::string path_;
  LoadOptions options_;
};

TEST(LoadId, Sha256HexMatchesTheKnownDigest) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(LoadId, Sha256HexCutsToTheRequestedDigits) {
  EXPECT_EQ(sha256_hex("abc", 8), "ba7816bf");
  EXPECT_EQ(sha256_hex("abc", 1000).size(), 64u);
}

TEST(LoadId, IdempotencyKeyIs32HexDigits) {
  const std::string k = idempotency_key("abc", 0, 100);
  EXPECT_EQ(k.size(), 32u);
  EXPECT_TRUE(is_hex(k)) << k;
}

TEST(LoadId, IdempotencyKeyIsStableForTheSameRange) {
  EXPECT_EQ(idempotency_key("abc", 0, 100), idempotency_key("abc", 0, 100));
}

TEST(LoadId, IdempotencyKeyDiffersByLoadAndRange) {
  const std::string k = idempotency_key("abc", 0, 100);
  EXPECT_NE(k, idempotency_key("abc", 0, 101));
  EXPECT_NE(k, idempotency_key("abc", 1, 100));
  EXPECT_NE(k, idempotency_key("abd", 0, 100));
  // The range is delimited: (1, 23) and (12, 3) are different batches.
  EXPECT_NE(idempotency_key("abc", 1, 23), idempotency_key("abc", 12, 3));
}

TEST_F(LoadIdFile, LoadIdIs32HexDigits) {
  auto id = make_load_id(options_);
  ASSERT_TRUE(id.has_value()) << id.error().describe();
  EXPECT_EQ(id->size(), 32u);
  EXPECT_TRUE(is_hex(*id)) << *id;
}

TEST_F(LoadIdFile, SecondLoadOfTheSameFileGetsAFreshId) {
  auto first = make_load_id(options_);
  auto second = make_load_id(options_);
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_NE(*first, *second);
}

TEST(LoadId, StandardInputNeedsNoFile) {
  LoadOptions options;
  options.input = "-";
  auto id = make_load_id(options);
  ASSERT_TRUE(id.has_value()) << id.error().describe();
  EXPECT_EQ(id->size(), 32u);
}

TEST(LoadId, MissingInputIsAnIoErrorNamingThePath) {
  LoadOptions options;
  options.input = "/nonexistent/dsfill-input.csv";
  auto id = make_load_id(options);
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error().code, ErrorCode::kIo);
  EXPECT_NE(id.error().message.find("/nonexistent/dsfill-input.csv"), std::string::npos);
}

}  // namespace
}  // namespace dsfill::loader
