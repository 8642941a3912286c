// Shard boundaries: for every raw cut of files full of quoted newlines, doubled quotes and CRLF,
// the boundary is the first record start after the cut, whether the quote state is resolved
// near the cut or by the parity scan from byte 0.
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "codec/row_boundary.h"
#include "loader/shard.h"

namespace dsfill::loader {
namespace {

ReadAt string_read_at(const std::string& text) {
  return [&text](std::int64_t offset, char* out, std::size_t n) -> Result<std::size_t> {
    if (offset >= static_cast<std::int64_t>(text.size())) return std::size_t{0};
    const std::size_t got = std::min(n, text.size() - static_cast<std::size_t>(offset));
    text.copy(out, got, static_cast<std::size_t>(offset));
    return got;
  };
}

std::string field(std::mt19937& rng) {
  static const std::vector<std::string> kPool = {
      "plain",    "\"a,b\"", "\"line\nnext\"", "\"crlf\r\ninside\"", "\"say \"\"hi\"\"\"",
      "",         "\"\"",    "\"\"\"\"",       "\"x\n\"\"\n,\"",     "12.5",
      "\"\r\n\"", "\",\""};
  return kPool[rng() % kPool.size()];
}

std::string random_csv(unsigned seed, int rows) {
  std::mt19937 rng(seed);
  std::string out = "h1,h2,h3\r\n";
  for (int r = 0; r < rows; ++r) {
    out += field(rng) + "," + field(rng) + "," + field(rng);
    const unsigned end = rng() % 4;
    out += end == 0 ? "\r\n" : end == 1 ? "\r" : "\n";
  }
  if (seed % 2 == 0) out += "last,\"no\nterminator\",x";
  return out;
}

// Returns every record start of `text` (after each terminator), from a whole-file cut.
std::vector<std::int64_t> record_starts(const std::string& text) {
  std::vector<std::int64_t> starts;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const codec::RecordCut cut =
        codec::find_record_cut(std::string_view(text).substr(pos), 1, true, {});
    if (cut.end == 0) break;
    pos += cut.end;
    starts.push_back(static_cast<std::int64_t>(pos));
  }
  return starts;
}

void check_every_cut(const std::string& text, std::int64_t window) {
  const auto starts = record_starts(text);
  const auto size = static_cast<std::int64_t>(text.size());
  ASSERT_EQ(starts.back(), size);
  const ReadAt read = string_read_at(text);
  std::size_t next = 0;
  for (std::int64_t cut = 1; cut < size; ++cut) {
    while (starts[next] <= cut) ++next;
    auto b = find_shard_boundary(read, size, cut, {}, window);
    ASSERT_TRUE(b) << b.error().describe();
    ASSERT_EQ(b->offset, starts[next]) << "cut " << cut << " window " << window;
  }
}

TEST(ShardBoundary, EveryCutLandsOnTheNextRecordStart) {
  for (unsigned seed = 1; seed <= 12; ++seed)
    check_every_cut(random_csv(seed, 60), kShardQuoteWindow);
}

TEST(ShardBoundary, ParityFallbackAgreesWhenTheWindowIsTiny) {
  for (unsigned seed = 1; seed <= 6; ++seed) {
    check_every_cut(random_csv(seed, 40), 1);
    check_every_cut(random_csv(seed, 40), 3);
  }
}

TEST(ShardBoundary, ResolvesNearTheCutWithoutTheParityScan) {
  // The cut sits inside a quoted field holding newlines; the closing quote decides.
  const std::string text = "a,b\n1,\"x\ny\nz\"\n2,w\n";
  const std::int64_t cut = 9;  // just after the first quoted newline
  auto b =
      find_shard_boundary(string_read_at(text), static_cast<std::int64_t>(text.size()), cut, {});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->offset, 14);  // after "1,\"x\ny\nz\"\n": the start of "2,w"
  EXPECT_FALSE(b->parity_scan);
}

TEST(ShardBoundary, CutInsideCrlfKeepsItWhole) {
  const std::string text = "a\r\nb\r\nc\r\n";
  auto b = find_shard_boundary(string_read_at(text), 9, 2, {});  // between \r and \n
  ASSERT_TRUE(b);
  EXPECT_EQ(b->offset, 3);
}

TEST(ShardRange, ShardsTileTheDataExactly) {
  for (unsigned seed = 1; seed <= 8; ++seed) {
    const std::string text = random_csv(seed, 50);
    const auto size = static_cast<std::int64_t>(text.size());
    const std::int64_t data_start = 10;  // after "h1,h2,h3\r\n"
    for (int n : {1, 2, 3, 7, 64}) {
      std::int64_t expected_begin = data_start;
      for (int i = 0; i < n; ++i) {
        auto r = shard_range(string_read_at(text), size, data_start, {i, n}, {});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->begin, expected_begin) << "seed " << seed << " shard " << i << "/" << n;
        EXPECT_LE(r->begin, r->end);
        expected_begin = r->end;
      }
      EXPECT_EQ(expected_begin, size);
    }
  }
}

TEST(ShardRange, TheParityScanStartsAtTheData) {
  // A --skip-lines preamble with a lone quote: a parity scan from byte 0 would read every
  // record after it as quoted. Records of empty quoted fields hold only quotes that decide
  // nothing, so every cut takes that scan.
  const std::string preamble = "report \"draft\n";
  std::string text = preamble + "h1,h2\n";
  for (int r = 0; r < 8; ++r) text += "\"\",\"\"\n";
  const auto size = static_cast<std::int64_t>(text.size());
  const auto data_start = static_cast<std::int64_t>(preamble.size() + 6);
  std::int64_t expected_begin = data_start;
  for (int i = 0; i < 3; ++i) {
    auto r = shard_range(string_read_at(text), size, data_start, {i, 3}, {}, 1);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->parity_scan || i == 0) << "shard " << i;
    EXPECT_EQ(r->begin, expected_begin) << "shard " << i;
    EXPECT_EQ((r->begin - data_start) % 6, 0) << "shard " << i << " starts inside a record";
    EXPECT_LT(r->begin, size) << "shard " << i << " is empty: the quote state was wrong";
    expected_begin = r->end;
  }
  EXPECT_EQ(expected_begin, size);
}

TEST(ShardSpec, ParsesAndRejects) {
  auto ok = parse_shard("3/7");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->index, 3);
  EXPECT_EQ(ok->count, 7);
  for (const char* bad : {"7/7", "-1/3", "1/0", "1", "a/b", "1/2x", "/2", ""}) {
    EXPECT_FALSE(parse_shard(bad)) << bad;
  }
}

}  // namespace
}  // namespace dsfill::loader
