// PrefixHasher: hashing a file's prefix in steps gives the SHA-256 of the prefix, whatever the
// steps (inside one buffer, across buffers, none), and a file shorter than the prefix fails.
#include "loader/prefix_hash.h"

#include <string>

#include <gtest/gtest.h>

#include "loader/load_id.h"
#include "tests/loader/temp_dir.h"

namespace dsfill::testing {
namespace {

TEST(PrefixHash, StepsGiveTheHashOfThePrefix) {
  TempDir dir;
  std::string text;
  for (int i = 0; text.size() < 3 * (1 << 20); ++i) text += std::to_string(i * 7919) + ",x\n";
  write_file(dir.file("in.csv"), text);
  loader::PrefixHasher hasher(dir.file("in.csv"));
  for (const std::int64_t end : {std::int64_t{0}, std::int64_t{10}, std::int64_t{10},
                                 std::int64_t{(1 << 20) + 5}, std::int64_t(text.size())}) {
    auto got = hasher.hash_to(end);
    ASSERT_TRUE(got) << got.error().describe();
    EXPECT_EQ(*got, loader::sha256_hex(std::string_view(text).substr(0, end))) << end;
    auto once = loader::file_prefix_sha256(dir.file("in.csv"), end);
    ASSERT_TRUE(once);
    EXPECT_EQ(*once, *got);
  }
  EXPECT_FALSE(hasher.hash_to(static_cast<std::int64_t>(text.size()) + 1));
  EXPECT_FALSE(loader::file_prefix_sha256(dir.file("missing.csv"), 1));
}

}  // namespace
}  // namespace dsfill::testing
