#include "codec/row_boundary.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "codec/simd_dispatch.h"
#include "tests/codec/csv_test_util.h"
#include "tests/oracle/csv_scanner.h"

namespace dsfill::codec {
namespace {

RecordCut cut(std::string_view block, std::size_t max = SIZE_MAX, bool eof = false) {
  return find_record_cut(block, max, eof, CsvDialect{});
}

TEST(FindRecordCut, TakesCompleteRecordsOnly) {
  const RecordCut c = cut("a,b\nc,d\ne,f");
  EXPECT_EQ(c.end, 8u);
  EXPECT_EQ(c.records, 2u);
  EXPECT_FALSE(c.in_quotes);
}

TEST(FindRecordCut, TakesTheFinalRecordAtEof) {
  const RecordCut c = cut("a,b\nc,d\ne,f", SIZE_MAX, true);
  EXPECT_EQ(c.end, 11u);
  EXPECT_EQ(c.records, 3u);
}

TEST(FindRecordCut, StopsAtMaxRecords) {
  const RecordCut c = cut("a\nb\nc\nd\n", 2);
  EXPECT_EQ(c.end, 4u);
  EXPECT_EQ(c.records, 2u);
  EXPECT_EQ(cut("a\nb\n", 0).end, 0u);
}

TEST(FindRecordCut, CrlfIsOneRecord) {
  const RecordCut c = cut("a\r\nb\r\nc", 1);
  EXPECT_EQ(c.end, 3u);
  EXPECT_EQ(c.records, 1u);
  EXPECT_EQ(cut("a\r\nb\r\n").records, 2u);
  EXPECT_EQ(cut("a\r\nb\r\n").end, 6u);
}

TEST(FindRecordCut, BareCrEndsARecord) {
  const RecordCut c = cut("a\rb\rc", SIZE_MAX, false);
  EXPECT_EQ(c.end, 4u);
  EXPECT_EQ(c.records, 2u);
}

TEST(FindRecordCut, CrAtBlockEndWaitsForMoreUnlessAtEof) {
  const RecordCut open = cut("a\nb\r", SIZE_MAX, false);
  EXPECT_EQ(open.end, 2u);
  EXPECT_EQ(open.records, 1u);
  const RecordCut eof = cut("a\nb\r", SIZE_MAX, true);
  EXPECT_EQ(eof.end, 4u);
  EXPECT_EQ(eof.records, 2u);
}

TEST(FindRecordCut, QuotedTerminatorsAreData) {
  const RecordCut c = cut("\"a\nb\r\nc\r\",d\ne\n");
  EXPECT_EQ(c.records, 2u);
  EXPECT_EQ(c.end, 14u);
  const RecordCut doubled = cut("\"x\"\"\n\"\"y\"\nz\n");  // `x"<LF>"y` is one field
  EXPECT_EQ(doubled.records, 2u);
}

TEST(FindRecordCut, BlankLinesCountAsRecords) {
  const RecordCut c = cut("\n\r\n\ra\n");
  EXPECT_EQ(c.records, 4u);
  EXPECT_EQ(c.end, 6u);
}

TEST(FindRecordCut, OpenQuoteAtEndIsReported) {
  const RecordCut c = cut("a\n\"b\nc", SIZE_MAX, true);
  EXPECT_EQ(c.end, 2u);
  EXPECT_EQ(c.records, 1u);
  EXPECT_TRUE(c.in_quotes);
  EXPECT_FALSE(cut("a\nb", SIZE_MAX, true).in_quotes);
}

TEST(FindRecordCut, LongBlocksAcrossSimdWidths) {
  // Quotes and terminators at every position around the 16/64-byte lane edges.
  for (std::size_t pad = 0; pad < 130; ++pad) {
    const std::string rec = std::string(pad, 'x') + ",\"q\nq\"\r\n";
    const std::string block = rec + rec + rec;
    const RecordCut c = cut(block);
    EXPECT_EQ(c.records, 3u) << pad;
    EXPECT_EQ(c.end, block.size()) << pad;
    const RecordCut two = cut(block, 2);
    EXPECT_EQ(two.end, 2 * rec.size()) << pad;
  }
}

TEST(FindRecordCut, OtherDialectQuote) {
  const RecordCut c = find_record_cut("'a\nb',\"\nc\n", SIZE_MAX, false, CsvDialect{',', '\''});
  EXPECT_EQ(c.records, 2u);
  EXPECT_EQ(c.end, 10u);
}

bool operator==(const RecordCut& a, const RecordCut& b) {
  return a.end == b.end && a.records == b.records && a.in_quotes == b.in_quotes;
}

// Every kernel set this CPU runs, on padded and unpadded buffers, cuts where the portable set
// cuts on an unpadded one, at every length around the 64-byte blocks. The padding holds quotes and
// terminators, which must not count.
TEST(FindRecordCut, EveryKernelSetPaddedOrNotCutsAsPortable) {
  std::mt19937 rng(77);
  const char kBytes[] = {'a', ',', '"', '\n', '\r', '\''};
  const std::string garbage(kKernelPadding, '"');
  int sets_run = 0;
  for (const KernelSet* set : kernel_sets()) {
    if (!set->cpu_runs()) continue;
    ++sets_run;
    for (int iter = 0; iter < 300; ++iter) {
      std::string csv;
      const std::size_t len = rng() % 200;
      for (std::size_t i = 0; i < len; ++i) csv += kBytes[rng() % sizeof kBytes];
      std::string padded = csv + garbage;
      for (std::size_t i = csv.size(); i < padded.size(); i += 3) padded[i] = "\n\r\""[i % 3];
      const std::string_view view(padded.data(), csv.size());
      for (const std::size_t max : {std::size_t{1}, std::size_t{3}, SIZE_MAX}) {
        for (const bool eof : {false, true}) {
          for (const char quote : {'"', '\''}) {
            const CsvDialect dialect{',', quote};
            const RecordCut want =
                kernel_set(KernelSetId::kPortable).find_record_cut(csv, max, eof, dialect, false);
            EXPECT_TRUE(set->find_record_cut(csv, max, eof, dialect, false) == want)
                << set->name << " unpadded, length " << len << ", max " << max;
            EXPECT_TRUE(set->find_record_cut(view, max, eof, dialect, true) == want)
                << set->name << " padded, length " << len << ", max " << max;
          }
        }
      }
    }
  }
  EXPECT_GE(sets_run, 1);
}

// The padded entry point runs the set in use, as the plain one does.
TEST(FindRecordCut, PaddedEntryPointAgrees) {
  const std::string csv = "a,\"b\nc\"\r\nd\n";
  const std::string buffer = csv + std::string(kKernelPadding, '\n');
  const RecordCut padded =
      find_record_cut(PaddedView(std::string_view(buffer.data(), csv.size())), SIZE_MAX, false, {});
  EXPECT_TRUE(padded == cut(csv));
  EXPECT_EQ(padded.records, 2u);
}

// Physical rows the scanner sees in a whole input (terminators plus a final record).
std::size_t scanner_physical_rows(const std::string& csv) {
  testing::ScanResult r;
  testing::CollectingSink sink(r);
  CsvScanner scanner({}, InputPosition{1, 0});
  EXPECT_TRUE(scanner.feed(csv, sink));
  EXPECT_TRUE(scanner.finish(sink));
  // The next row after everything, minus the first: read it through a probe record.
  testing::ScanResult probe;
  testing::CollectingSink probe_sink(probe);
  EXPECT_TRUE(scanner.feed("p", probe_sink));
  EXPECT_TRUE(scanner.finish(probe_sink));
  return static_cast<std::size_t>(probe.records.at(0).row - 1);
}

TEST(FindRecordCut, AgreesWithTheScannerOnRandomCsv) {
  std::mt19937 rng(4242);
  for (int iter = 0; iter < 400; ++iter) {
    testing::GenOptions o;
    o.records = 1 + rng() % 60;
    o.fields = 1 + rng() % 6;
    o.ragged = iter % 2 == 0;
    std::vector<Record> expected;
    const std::string csv = testing::random_csv(rng, o, &expected);

    // One call over everything takes every physical record.
    const RecordCut all = cut(csv, SIZE_MAX, true);
    EXPECT_EQ(all.end, csv.size()) << iter;
    EXPECT_EQ(all.records, scanner_physical_rows(csv)) << iter;

    // Cut into batches of random size, as the chunker does through a window: the batches'
    // records concatenated equal the whole input's, and their offsets are scanner record ends.
    std::vector<Record> joined;
    std::size_t pos = 0;
    std::size_t window = 1 + rng() % 200;
    std::size_t rows = 0;
    while (pos < csv.size()) {
      const std::size_t avail = std::min(window, csv.size() - pos);
      const bool eof = pos + avail == csv.size();
      const RecordCut c = cut(std::string_view(csv).substr(pos, avail), 1 + rng() % 7, eof);
      if (c.end == 0) {
        ASSERT_FALSE(eof && !c.in_quotes) << iter;  // at EOF a complete input always yields
        window *= 2;                                // an incomplete record: read more
        continue;
      }
      auto batch = parse_csv(std::string_view(csv).substr(pos, c.end), {});
      ASSERT_TRUE(batch.has_value()) << iter << ": " << batch.error().describe();
      joined.insert(joined.end(), batch->begin(), batch->end());
      rows += c.records;
      pos += c.end;
    }
    EXPECT_EQ(joined, expected) << iter;
    EXPECT_EQ(rows, all.records) << iter;
  }
}

}  // namespace
}  // namespace dsfill::codec
