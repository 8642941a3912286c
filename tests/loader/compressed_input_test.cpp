// Compressed inputs end to end: the same hard CSV plain and compressed by each codec loads into
// the reference server row for row as Python's csv module reads the plain file; corrupt and
// truncated files are bad input naming the file; --infer, resume after kill -9, and --shard.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ostream>
#include <thread>

#include <gtest/gtest.h>

#include "loader/checkpoint.h"
#include "loader/decompressor.h"
#include "loader/input_reader.h"
#include "loader/pipeline.h"
#include "loader/report.h"
#include "tests/loader/e2e_support.h"
#include "tests/loader/process_run.h"

namespace dsfill::testing {
namespace {

using loader::Outcome;

// Runs `command` through the shell; true when it exits 0.
bool shell(const std::string& command) { return std::system(command.c_str()) == 0; }

struct Codec {
  const char* name;
  const char* command;  // writes the compressed form of $IN to $OUT; "" for the plain file
};

// What gtest (and so ctest's test list) shows as the case's value: its name, not its bytes.
void PrintTo(const Codec& c, std::ostream* os) { *os << c.name; }

// The compressed forms: single streams, and gzip as the many members pigz writes (one per
// 128 KiB block with -i) and as members concatenated by hand at an arbitrary byte.
const Codec kCodecs[] = {
    {"plain", ""},
    {"gzip", "gzip -c \"$IN\" > \"$OUT\""},
    {"gzip_members",
     "(head -c 100001 \"$IN\" | gzip -c; tail -c +100002 \"$IN\" | gzip -1 -c) "
     "> \"$OUT\""},
    {"pigz_independent", "pigz -i -b 128 -c \"$IN\" > \"$OUT\""},
    {"zstd", "zstd -q -c \"$IN\" > \"$OUT\""},
    {"zstd_frames",
     "(head -c 70000 \"$IN\" | zstd -q -c; tail -c +70001 \"$IN\" | zstd -q -c) "
     "> \"$OUT\""},
    {"bzip2", "bzip2 -c \"$IN\" > \"$OUT\""},
    {"xz", "xz -c \"$IN\" > \"$OUT\""},
};

// Writes `plain` compressed by `codec` to `out` (a copy for "plain").
void compress(const Codec& codec, const std::string& plain, const std::string& out) {
  const std::string cmd = std::string(codec.command).empty()
                              ? "cp \"" + plain + "\" \"" + out + "\""
                              : "IN=\"" + plain + "\" OUT=\"" + out + "\"; " + codec.command;
  ASSERT_TRUE(shell(cmd)) << cmd;
}

class EveryCodec : public ::testing::TestWithParam<Codec> {};

TEST_P(EveryCodec, LoadsTheRowsOfThePlainFile) {
  TempDir dir;
  const std::string plain = dir.file("in.csv");
  write_file(plain, hard_csv(6000, 17));           // ~300 KB: several reads and batches
  const std::string input = dir.file("in.csv.z");  // the extension says nothing: magic decides
  compress(GetParam(), plain, input);
  ReferenceServer server(dir.file("store.db"));
  auto o = test_options(input, server.url());
  o.chunker.batch_rows = 700;
  o.connections = 1;  // stored in file order: compare the lists as they are
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  const Rows expected = python_rows(plain);
  ASSERT_EQ(expected.size(), 6000u);
  EXPECT_EQ(report.server_rows_count, 6000);
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1"), expected);
}

INSTANTIATE_TEST_SUITE_P(Codecs, EveryCodec, ::testing::ValuesIn(kCodecs),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CompressedInput, DetectsCodecsByTheirMagicBytesOnly) {
  using loader::Compression;
  using loader::detect_compression;
  EXPECT_EQ(detect_compression(std::string_view("\x1f\x8b\x08\x00", 4)), Compression::kGzip);
  EXPECT_EQ(detect_compression(std::string_view("\x28\xb5\x2f\xfd\x04", 5)), Compression::kZstd);
  EXPECT_EQ(detect_compression("BZh91AY"), Compression::kBzip2);
  EXPECT_EQ(detect_compression(std::string_view("\xfd"
                                                "7zXZ\x00",
                                                6)),
            Compression::kXz);
  EXPECT_EQ(detect_compression("BZh,name\n"), Compression::kNone);  // a CSV starting "BZh"
  EXPECT_EQ(detect_compression("id,name\n"), Compression::kNone);
  EXPECT_EQ(detect_compression("\x1f"), Compression::kNone);
  EXPECT_EQ(detect_compression(""), Compression::kNone);
}

// Standard input is sniffed as well: `cat x.csv.zst | dsfill load -` needs no zstdcat.
TEST(CompressedInput, StandardInputIsDecodedToo) {
  TempDir dir;
  const std::string plain = dir.file("in.csv");
  write_file(plain, hard_csv(500, 3));
  compress(kCodecs[4], plain, dir.file("in.csv.zst"));
  ReferenceServer server(dir.file("store.db"));
  const auto run = dsfill(dir, "load - --url " + server.url() +
                                   " --user-code u1 --dataset-code d1 --progress never <" +
                                   dir.file("in.csv.zst"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1"), python_rows(plain));
}

// The checkpoint records the codec: a file recompressed (or decompressed) under the same name
// is another input, and checkpoints from before compressed inputs read as plain.
TEST(CompressedInput, TheCheckpointRecordsTheCodec) {
  loader::Checkpoint c;
  c.load_id = "0123456789abcdef0123456789abcdef";
  c.identity.path = "/data/in.csv.zst";
  c.identity.compression = "zstd";
  auto back = loader::parse_checkpoint(loader::checkpoint_json(c));
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(back->identity.compression, "zstd");
  auto plain = c.identity;
  plain.compression = "";
  EXPECT_NE(loader::identity_mismatch(c.identity, plain)
                .find("compression: the checkpoint has \"zstd\", this run has \"\""),
            std::string::npos);
  std::string old = loader::checkpoint_json(c);
  old.erase(old.find("\"compression\":\"zstd\","), 21);
  auto older = loader::parse_checkpoint(old);
  ASSERT_TRUE(older) << older.error().describe() << old;
  EXPECT_EQ(older->identity.compression, "");
}

// A resume offset past the decompressed end is found when decoding gets there, and named.
TEST(CompressedInput, AResumeOffsetPastTheDecompressedEndIsAnError) {
  TempDir dir;
  write_file(dir.file("in.csv"), hard_csv(200));
  compress(kCodecs[1], dir.file("in.csv"), dir.file("in.csv.gz"));
  const auto plain_size = static_cast<std::int64_t>(slurp(dir.file("in.csv")).size());
  auto reader = loader::InputReader::open(dir.file("in.csv.gz"), plain_size + 10);
  ASSERT_TRUE(reader) << reader.error().describe();
  EXPECT_EQ(reader->compression(), loader::Compression::kGzip);
  char buf[4096];
  auto got = reader->read(buf, sizeof buf);
  ASSERT_FALSE(got);
  EXPECT_NE(
      got.error().message.find("ended at byte " + std::to_string(plain_size) +
                               ", before the resume offset " + std::to_string(plain_size + 10)),
      std::string::npos)
      << got.error().message;
  // At exactly the end: nothing left, no error.
  auto at_end = loader::InputReader::open(dir.file("in.csv.gz"), plain_size);
  ASSERT_TRUE(at_end);
  auto none = at_end->read(buf, sizeof buf);
  ASSERT_TRUE(none) << none.error().describe();
  EXPECT_EQ(*none, 0u);
}

class BrokenGzip : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(plain_, hard_csv(20000, 5));
    compress(kCodecs[1], plain_, gz_);
  }
  // Runs a checkpointed load of `input` against the reference server, in small batches.
  ProcessRun load(const std::string& input) {
    return dsfill(dir_, "load " + input + " --url " + server_.url() +
                            " --user-code u1 --dataset-code d1 --batch-rows 500 --batch-bytes 65536"
                            " --connections 1"
                            " --progress never --checkpoint " +
                            ck_);
  }
  // Checks what a failed load left: exit 3 naming the file and the decompressed offset, and a
  // checkpoint of exactly what the server stored.
  void expect_bad_input(const ProcessRun& run, const std::string& input, const std::string& why) {
    EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
    const std::string text = run.out + run.err;
    EXPECT_NE(text.find(input + ": " + why), std::string::npos) << text;
    EXPECT_NE(text.find("of the decompressed data"), std::string::npos) << text;
    auto c = loader::read_checkpoint(ck_);
    ASSERT_TRUE(c && c->has_value()) << "no checkpoint saved";
    EXPECT_FALSE((*c)->finished);
    EXPECT_EQ((*c)->identity.compression, "gzip");
    EXPECT_EQ((*c)->rows_acked, stored_rows(server_.db(), "u1", "d1").size());
  }
  TempDir dir_;
  std::string plain_ = dir_.file("in.csv");
  std::string gz_ = dir_.file("in.csv.gz");
  std::string ck_ = dir_.file("ck.json");
  ReferenceServer server_{dir_.file("store.db")};
};

TEST_F(BrokenGzip, ACorruptFileIsBadInputNamingTheFile) {
  std::string bytes = slurp(gz_);
  bytes[bytes.size() - 6] ^= 0x5a;  // the trailer's CRC-32: only decoding all of it tells
  const std::string bad = dir_.file("bad.csv.gz");
  write_file(bad, bytes);
  expect_bad_input(load(bad), bad, "corrupt gzip data");
}

TEST_F(BrokenGzip, ATruncatedFileIsBadInputNamingTheFile) {
  const std::string bytes = slurp(gz_);
  const std::string cut = dir_.file("cut.csv.gz");
  write_file(cut, bytes.substr(0, bytes.size() * 2 / 3));
  expect_bad_input(load(cut), cut, "truncated gzip data");
}

TEST(CompressedInput, InferReadsTheDecompressedSample) {
  TempDir dir;
  std::string csv = "id,price,day\n";
  for (int i = 0; i < 300; ++i) {
    csv += std::to_string(i) + "," + std::to_string(i) + ".25,2026-01-" + (i % 28 < 9 ? "0" : "") +
           std::to_string(i % 28 + 1) + "\n";
  }
  write_file(dir.file("in.csv"), csv);
  compress(kCodecs[1], dir.file("in.csv"), dir.file("in.csv.gz"));
  const auto plain = dsfill(dir, "infer " + dir.file("in.csv"));
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const auto gz = dsfill(dir, "infer " + dir.file("in.csv.gz"));
  ASSERT_EQ(gz.exit_code, 0) << gz.err;
  EXPECT_EQ(gz.out, plain.out);
  EXPECT_NE(gz.out.find("\"measure\""), std::string::npos) << gz.out;
  ReferenceServer server(dir.file("store.db"));
  const auto load = dsfill(dir, "load " + dir.file("in.csv.gz") + " --infer --url " + server.url() +
                                    " --user-code u1 --dataset-code d1" + " --progress never");
  ASSERT_EQ(load.exit_code, 0) << load.out << load.err;
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1").size(), 300u);
}

TEST(CompressedInput, ShardOfACompressedFileIsRefused) {
  TempDir dir;
  write_file(dir.file("in.csv"), hard_csv(100));
  compress(kCodecs[1], dir.file("in.csv"), dir.file("in.csv.gz"));
  const auto run = dsfill(dir, "load " + dir.file("in.csv.gz") +
                                   " --url http://127.0.0.1:1 --user-code u1 --dataset-code d1"
                                   " --shard 0/2 --progress never");
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  const std::string text = run.out + run.err;
  EXPECT_NE(text.find("gzip-compressed: --shard cannot cut it"), std::string::npos) << text;
  EXPECT_NE(text.find("Split it into several files"), std::string::npos) << text;
}

// kill -9 in the middle of a .csv.zst load, then --resume: the resume decodes from the start,
// skips the acknowledged prefix, and every row is stored exactly once, in order.
TEST(CompressedInput, AKilledZstdLoadResumesExactlyOnce) {
  TempDir dir;
  const std::string plain = dir.file("in.csv");
  write_file(plain, hard_csv(150000, 11));  // ~7 MB: a few seconds of requests
  const std::string zst = dir.file("in.csv.zst");
  compress(kCodecs[4], plain, zst);
  const std::string ck = dir.file("ck.json");
  ReferenceServer server(dir.file("store.db"));
  const std::string args = " load " + zst + " --url " + server.url() +
                           " --user-code u1 --dataset-code d1 --batch-rows 100 --connections 1"
                           " --progress never --checkpoint " +
                           ck;
  // The first checkpoint is written at the first acknowledgement: kill once it is there.
  const int status = kill_dsfill_when(
      args,
      [&] {
        auto c = loader::read_checkpoint(ck);
        return c && c->has_value() && (*c)->rows_acked > 0;
      },
      2000, std::chrono::milliseconds(2));
  ASSERT_TRUE(WIFSIGNALED(status)) << "the load finished before the kill";
  auto before = loader::read_checkpoint(ck);
  ASSERT_TRUE(before && before->has_value());
  ASSERT_FALSE((*before)->finished) << "the load finished before the kill";
  ASSERT_GT((*before)->offset, 0);
  EXPECT_EQ((*before)->identity.compression, "zstd");
  const auto resumed = dsfill(dir, args + " --resume", "", 50);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.err.find("zstd-compressed: decompressing again from its start to skip to "
                             "decompressed byte " +
                             std::to_string((*before)->offset)),
            std::string::npos)
      << "out: " << resumed.out << "\nerr: " << resumed.err;
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1"), python_rows(plain));
}

}  // namespace
}  // namespace dsfill::testing
