// The chunker cuts row-aligned batches whatever the read size, batch limits and quoting.
#include "loader/chunker.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "codec/csv_records.h"
#include "loader/input_reader.h"

namespace dsfill::loader {
namespace {

std::string write_temp(const std::string& data) {
  char path[] = "/tmp/dsfill_chunker_XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  FILE* f = fdopen(fd, "wb");
  std::fwrite(data.data(), 1, data.size(), f);
  std::fclose(f);
  return path;
}

std::vector<Batch> cut_all(const std::string& data, ChunkerOptions options) {
  std::string path = write_temp(data);
  auto reader = InputReader::open(path);
  EXPECT_TRUE(reader.has_value());
  Chunker chunker(*reader, options);
  std::vector<Batch> batches;
  for (;;) {
    auto batch = chunker.next();
    EXPECT_TRUE(batch.has_value()) << batch.error().describe();
    if (!batch || !*batch) break;
    batches.push_back(std::move(**batch));
  }
  std::remove(path.c_str());
  return batches;
}

std::string random_csv(std::mt19937& rng, int rows) {
  const char* pieces[] = {"abc",          "1.5", "", "\"q,uo\"\"te\"", "\"multi\nline\"",
                          "\"cr\r\nlf\"", "zz"};
  std::string out = "h1,h2,h3\n";
  for (int r = 0; r < rows; ++r) {
    for (int f = 0; f < 3; ++f) {
      if (f) out += ',';
      out += pieces[rng() % 7];
    }
    out += (rng() % 3 == 0) ? "\r\n" : "\n";
  }
  return out;
}

TEST(Chunker, BatchesConcatenateToTheInputAndCutAtRecordBoundaries) {
  std::mt19937 rng(42);
  const std::string data = random_csv(rng, 2000);
  auto whole = codec::parse_csv(data, {});
  ASSERT_TRUE(whole.has_value());
  for (std::size_t read_size : {4096u, 10000u}) {
    for (std::size_t rows : {1u, 3u, 100u, 5000u}) {
      for (std::size_t bytes : {1u, 200u, 8192u, 1u << 20}) {
        ChunkerOptions options;
        options.read_size = read_size;
        options.batch_rows = rows;
        options.batch_bytes = bytes;
        auto batches = cut_all(data, options);
        std::string joined;
        std::vector<codec::Record> records;
        std::int64_t expect_row = 1;
        for (std::size_t i = 0; i < batches.size(); ++i) {
          const Batch& b = batches[i];
          EXPECT_EQ(b.seq, i);
          EXPECT_EQ(b.byte_begin, static_cast<std::int64_t>(joined.size()));
          EXPECT_EQ(b.first_row, expect_row);
          EXPECT_LE(b.physical_rows, rows);
          joined += b.records;
          EXPECT_EQ(b.byte_end, static_cast<std::int64_t>(joined.size()));
          expect_row += static_cast<std::int64_t>(b.physical_rows);
          // Each batch parses on its own: no record was split.
          auto part = codec::parse_csv(b.records, {});
          ASSERT_TRUE(part.has_value()) << part.error().describe();
          records.insert(records.end(), part->begin(), part->end());
        }
        EXPECT_EQ(joined, data);
        EXPECT_EQ(records, *whole) << "rows=" << rows << " bytes=" << bytes;
        if (bytes >= data.size()) {
          // Only the row limit cuts: every batch but the last is full.
          EXPECT_EQ(batches.size(), (whole->size() + rows - 1) / rows)
              << "rows=" << rows << " read_size=" << read_size;
        }
      }
    }
  }
}

TEST(Chunker, BatchesViewTheReadBufferInsteadOfCopies) {
  std::mt19937 rng(7);
  const std::string data = random_csv(rng, 3000);
  ChunkerOptions options;
  options.read_size = 4096;
  options.batch_rows = 50;
  options.batch_bytes = 16384;
  auto batches = cut_all(data, options);
  ASSERT_GT(batches.size(), 20u);
  std::size_t shared = 0;
  for (std::size_t i = 0; i + 1 < batches.size(); ++i) {
    ASSERT_NE(batches[i].storage, nullptr);
    if (batches[i].storage == batches[i + 1].storage) {
      ++shared;
      // Same segment: the next batch starts where this one ends, in the same memory.
      EXPECT_EQ(batches[i].records.data() + batches[i].records.size(),
                batches[i + 1].records.data());
    }
  }
  // A segment holds about two batch_bytes: most neighbours share one.
  EXPECT_GT(shared, batches.size() / 2);
}

TEST(Chunker, SegmentsAreReusedOnceTheirBatchesAreGoneAndReusedOnesHoldTheRightBytes) {
  std::mt19937 rng(11);
  const std::string data = random_csv(rng, 40000);
  const std::string path = write_temp(data);
  auto reader = InputReader::open(path);
  ASSERT_TRUE(reader.has_value());
  ChunkerOptions options;
  options.read_size = 4096;
  options.batch_rows = 100;
  options.batch_bytes = 16384;
  Chunker chunker(*reader, options);
  std::string joined;
  std::size_t segments = 0;
  const char* last = nullptr;
  for (;;) {
    auto batch = chunker.next();
    ASSERT_TRUE(batch.has_value()) << batch.error().describe();
    if (!*batch) break;
    if ((*batch)->storage.get() != last) ++segments;
    last = (*batch)->storage.get();
    // Copied out and dropped at once, as an encoder does: its segment may then be reused.
    joined.append((*batch)->records);
  }
  std::remove(path.c_str());
  EXPECT_EQ(joined, data);
  ASSERT_GT(segments, 20u) << "the input should span many segments";
  EXPECT_LE(chunker.segments_mapped(), 3u) << "segments were mapped anew instead of reused";
}

TEST(Chunker, BatchesStayFullWhenRecordsGrowLongerThanTheLookahead) {
  // The chunker cuts once twice the last batch is buffered; 50 rows of 600 bytes after batches
  // of 50 rows of 10 need many more reads, and each batch must still get its 50 rows.
  std::string data = "h\n";
  for (int i = 0; i < 7999; ++i) data += "short" + std::to_string(1000 + i % 9000) + "\n";
  for (int i = 0; i < 200; ++i) data += std::string(600, static_cast<char>('a' + i % 26)) + "\n";
  ChunkerOptions options;
  options.read_size = 4096;
  options.batch_rows = 50;
  options.batch_bytes = 64u << 10;  // less than the data: the first cut does not see it all
  auto batches = cut_all(data, options);
  ASSERT_EQ(batches.size(), 164u);
  std::string joined;
  for (const Batch& b : batches) {
    EXPECT_EQ(b.physical_rows, 50u);
    joined += b.records;
  }
  EXPECT_EQ(joined, data);
}

TEST(Chunker, SkipsBomButCountsItInOffsets) {
  auto batches = cut_all(
      "\xEF\xBB\xBF"
      "a,b\n1,2\n",
      {});
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].byte_begin, 3);
  EXPECT_EQ(batches[0].records, "a,b\n1,2\n");
}

TEST(Chunker, TakesFinalRecordWithoutTerminatorAndOpenQuoteAtEnd) {
  auto batches = cut_all("a,b\n1,2", {});
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].records, "a,b\n1,2");
  auto open = cut_all("a,b\n1,\"2\n3,4\n", {});
  ASSERT_FALSE(open.empty());
  std::string joined;
  for (auto& b : open) joined += b.records;
  EXPECT_EQ(joined, "a,b\n1,\"2\n3,4\n");
}

TEST(Chunker, RecordLongerThanBatchBytesComesWhole) {
  std::string big = "\"" + std::string(50000, 'x') + "\n" + std::string(50000, 'y') + "\"\n";
  ChunkerOptions options;
  options.batch_bytes = 1000;
  options.read_size = 4096;
  auto batches = cut_all("h\n" + big + "z\n", options);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[1].records, big);
}

// Finding the end of a record longer than a batch rescans it from its start; that happens only
// each time the buffer has doubled, not after every read (which would scan ~n^2 / read_size).
TEST(Chunker, ARecordLongerThanABatchIsScannedInLinearTime) {
  const std::string big = "\"" + std::string(4'000'000, 'x') + "\"\n";
  const std::string data = "h\n" + big + "z\n";
  const std::string path = write_temp(data);
  auto reader = InputReader::open(path);
  ASSERT_TRUE(reader.has_value());
  ChunkerOptions options;
  options.batch_bytes = 64 * 1024;
  options.read_size = 4096;
  Chunker chunker(*reader, options);
  std::string joined;
  std::size_t batches = 0;
  for (;;) {
    auto batch = chunker.next();
    ASSERT_TRUE(batch.has_value()) << batch.error().describe();
    if (!*batch) break;
    if ((*batch)->records == big) ++batches;
    joined += (*batch)->records;
  }
  EXPECT_EQ(batches, 1u);
  EXPECT_EQ(joined, data);
  // Every read rescanning would be ~1,000 scans of ~2 MB: about 2 GB.
  EXPECT_LT(chunker.scanned_bytes(), 6 * data.size()) << chunker.scanned_bytes();
  std::remove(path.c_str());
}

TEST(Chunker, RecordLongerThanTheLimitIsAnError) {
  std::string path = write_temp("\"" + std::string(100000, 'x'));
  auto reader = InputReader::open(path);
  ASSERT_TRUE(reader.has_value());
  ChunkerOptions options;
  options.batch_bytes = 1000;
  options.max_record_bytes = 10000;
  options.read_size = 4096;
  Chunker chunker(*reader, options);
  auto batch = chunker.next();
  ASSERT_FALSE(batch.has_value());
  EXPECT_EQ(batch.error().code, ErrorCode::kBadCsv);
  EXPECT_EQ(batch.error().byte_offset, 0);
  std::remove(path.c_str());
}

// One bare quote in a file with no other quote makes every later newline look quoted. With bad
// rows allowed the chunker cuts at a newline instead of failing, and later batches are in step.
TEST(Chunker, ABareQuoteNeedNotEndTheLoadWhenBadRowsMayBeLeftOut) {
  std::string data = "1,a\n2,b\"ad\n";
  for (int i = 3; i < 3000; ++i) data += std::to_string(i) + ",row\n";
  ChunkerOptions options;
  options.batch_rows = 100;
  options.batch_bytes = 1000;
  options.max_record_bytes = 10000;
  options.read_size = 4096;
  options.resync_long_records = true;
  const auto batches = cut_all(data, options);
  std::string joined;
  std::uint64_t rows = 0;
  for (const auto& b : batches) {
    EXPECT_LE(b.records.size(), options.max_record_bytes + options.read_size);
    EXPECT_TRUE(b.records.empty() || b.records.back() == '\n');
    joined += b.records;
    rows += b.physical_rows;
  }
  EXPECT_EQ(joined, data);
  EXPECT_EQ(rows, 2999u);
  EXPECT_GT(batches.size(), 20u);
}

TEST(Chunker, PeekDoesNotConsume) {
  std::string path = write_temp("1,2,3\n4,5,6\n");
  auto reader = InputReader::open(path);
  ASSERT_TRUE(reader.has_value());
  Chunker chunker(*reader, {});
  auto peeked = chunker.peek_record();
  ASSERT_TRUE(peeked.has_value());
  EXPECT_EQ(*peeked, "1,2,3\n");
  auto batch = chunker.next();
  ASSERT_TRUE(batch.has_value() && batch->has_value());
  EXPECT_EQ((*batch)->records, "1,2,3\n4,5,6\n");
  std::remove(path.c_str());
}

TEST(InputReader, MissingFileNamesPathAndReason) {
  auto reader = InputReader::open("/nonexistent/dsfill.csv");
  ASSERT_FALSE(reader.has_value());
  EXPECT_NE(reader.error().message.find("/nonexistent/dsfill.csv"), std::string::npos);
  EXPECT_NE(reader.error().message.find("No such file"), std::string::npos);
}

TEST(InputReader, StartsAtResumeOffset) {
  std::string path = write_temp("0123456789");
  auto reader = InputReader::open(path, 4);
  ASSERT_TRUE(reader.has_value());
  char buf[16];
  auto n = reader->read(buf, sizeof buf);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(std::string(buf, *n), "456789");
  EXPECT_EQ(reader->size(), 10);
  EXPECT_FALSE(InputReader::open(path, 11).has_value());
  std::remove(path.c_str());
}

// Returns the records of `batches` joined, and checks that their rows are the file's rows.
std::string joined(const std::vector<Batch>& batches) {
  std::string out;
  for (const auto& b : batches) out += std::string(b.records);
  return out;
}

TEST(Chunker, SkipLinesDropsPhysicalLinesLongerThanAReadAndCountsThem) {
  // A preamble line longer than a read, and one with a lone quote that must not open a field.
  const std::string preamble = std::string(10000, 'x') + "\nnote: \"open\n";
  const std::string data = "a,b\n1,2\n3,4\n";
  ChunkerOptions options;
  options.read_size = 4096;
  options.skip_lines = 2;
  const auto batches = cut_all("\xEF\xBB\xBF" + preamble + data, options);
  EXPECT_EQ(joined(batches), data);
  ASSERT_FALSE(batches.empty());
  EXPECT_EQ(batches.front().first_row, 3);  // the header is the file's third line
  EXPECT_EQ(batches.front().byte_begin, static_cast<std::int64_t>(3 + preamble.size()));
}

TEST(Chunker, CommentLinesEndBatchesAndNeverSitInsideOne) {
  std::string data = "#top\nh1,h2\n";
  std::string want = "h1,h2\n";
  for (int r = 0; r < 3000; ++r) {
    if (r % 5 == 0) data += "# comment " + std::string(r % 700, 'c') + "\n";
    const std::string record = "\"q\n#data " + std::to_string(r) + "\",x\r\n";
    data += record;
    want += record;
  }
  ChunkerOptions options;
  options.read_size = 4096;
  options.batch_rows = 37;
  options.comment = '#';
  const auto batches = cut_all(data, options);
  EXPECT_EQ(joined(batches), want);
  std::int64_t rows = 0;
  for (const auto& b : batches) rows += static_cast<std::int64_t>(b.physical_rows);
  EXPECT_EQ(rows, 3001);
  // Rows still count the comment lines: the last batch ends at the file's last line.
  EXPECT_EQ(batches.back().first_row + static_cast<std::int64_t>(batches.back().physical_rows),
            1 + 2 + 3000 + 600);
}

}  // namespace
}  // namespace dsfill::loader
