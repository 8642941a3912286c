// The files of a load: expanding folders and globs, shards of several files, the difference of
// two lists, the checkpoint's list (and one-file checkpoints as before), per-file key ids.
#include <filesystem>

#include <gtest/gtest.h>

#include "loader/checkpoint.h"
#include "loader/file_list.h"
#include "loader/load_id.h"
#include "tests/loader/temp_dir.h"

namespace dsfill::testing {
namespace {

namespace fs = std::filesystem;
using loader::FileIdentity;

TEST(FileList, AFolderIsItsMatchingRegularFilesSortedByName) {
  TempDir dir;
  const std::string in = dir.file("in");
  fs::create_directories(in + "/sub.csv");  // a folder, even with a matching name: left out
  for (const char* name : {"b.csv", "a.csv.gz", "c.csv.zst", "notes.txt", ".hidden.csv"}) {
    write_file(in + "/" + name, "x\n");
  }
  auto files = loader::expand_inputs({in});
  ASSERT_TRUE(files) << files.error().describe();
  EXPECT_EQ(*files, (std::vector<std::string>{in + "/a.csv.gz", in + "/b.csv", in + "/c.csv.zst"}));
  auto txt = loader::expand_inputs({in}, "*.txt");
  ASSERT_TRUE(txt);
  EXPECT_EQ(*txt, std::vector<std::string>{in + "/notes.txt"});
  auto none = loader::expand_inputs({in}, "*.parquet");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kBadArgument);
  EXPECT_NE(none.error().message.find("--pattern *.parquet"), std::string::npos);
}

TEST(FileList, GlobsAreExpandedAndArgumentsKeepTheirOrder) {
  TempDir dir;
  for (const char* name : {"x2.csv", "x1.csv", "y.csv"}) write_file(dir.file(name), "x\n");
  auto files = loader::expand_inputs({dir.file("y.csv"), dir.file("x*.csv")});
  ASSERT_TRUE(files) << files.error().describe();
  EXPECT_EQ(*files,
            (std::vector<std::string>{dir.file("y.csv"), dir.file("x1.csv"), dir.file("x2.csv")}));
  auto twice = loader::expand_inputs({dir.file("x1.csv"), dir.file("x*.csv")});
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("named twice"), std::string::npos);
  EXPECT_FALSE(loader::expand_inputs({dir.file("z*.csv")}));
  EXPECT_FALSE(loader::expand_inputs({"-", dir.file("y.csv")}));
  // A missing plain path is kept: opening it names it.
  auto missing = loader::expand_inputs({dir.file("nope.csv")});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->size(), 1u);
}

TEST(FileList, ShardsTakeWholeFilesRoundRobin) {
  EXPECT_EQ(loader::shard_files(5, 0, 3), (std::vector<std::size_t>{0, 3}));
  EXPECT_EQ(loader::shard_files(5, 1, 3), (std::vector<std::size_t>{1, 4}));
  EXPECT_EQ(loader::shard_files(5, 2, 3), (std::vector<std::size_t>{2}));
  EXPECT_TRUE(loader::shard_files(2, 2, 3).empty());
  EXPECT_EQ(loader::shard_files(3, 0, 1), (std::vector<std::size_t>{0, 1, 2}));
}

TEST(FileList, TheDifferenceNamesEachFile) {
  const std::vector<FileIdentity> was = {{"/d/a.csv", 10, "1.0", "aa", ""},
                                         {"/d/b.csv", 20, "2.0", "bb", "gzip"}};
  EXPECT_EQ(loader::file_list_difference(was, was), "");
  auto more = was;
  more.push_back({"/d/c.csv", 5, "3.0", "cc", ""});
  EXPECT_EQ(loader::file_list_difference(was, more), "/d/c.csv was added");
  EXPECT_EQ(loader::file_list_difference(more, was), "/d/c.csv was removed");
  auto changed = was;
  changed[1].size = 22;
  EXPECT_EQ(loader::file_list_difference(was, changed), "/d/b.csv changed (size: 20 then 22)");
  const std::vector<FileIdentity> swapped = {was[1], was[0]};
  EXPECT_NE(loader::file_list_difference(was, swapped).find("the order differs"),
            std::string::npos);
}

TEST(FileList, TheCheckpointRecordsTheListAndOneFileCheckpointsReadAsBefore) {
  loader::Checkpoint c;
  c.load_id = "0123456789abcdef0123456789abcdef";
  c.identity.path = "/d/b.csv";
  c.files = {{"/d/a.csv", 10, "1.0", "aa", ""}, {"/d/b.csv", 20, "2.0", "bb", "zstd"}};
  c.file_index = 1;
  auto back = loader::parse_checkpoint(loader::checkpoint_json(c));
  ASSERT_TRUE(back) << back.error().describe();
  ASSERT_EQ(back->files.size(), 2u);
  EXPECT_EQ(back->files[1].compression, "zstd");
  EXPECT_EQ(back->files[0].size, 10);
  EXPECT_EQ(back->file_index, 1u);

  loader::Checkpoint one = c;
  one.files.clear();
  one.file_index = 0;
  const std::string json = loader::checkpoint_json(one);
  EXPECT_EQ(json.find("\"files\""), std::string::npos);  // as written before lists existed
  auto read = loader::parse_checkpoint(json);
  ASSERT_TRUE(read);
  const auto listed = loader::recorded_files(*read);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].path, "/d/b.csv");

  c.file_index = 2;
  EXPECT_FALSE(loader::parse_checkpoint(loader::checkpoint_json(c)));
}

TEST(FileList, EachFileHasItsOwnKeysAndOneFileKeysAreUnchanged) {
  const std::string id = "0123456789abcdef0123456789abcdef";
  const FileIdentity a{"/d/a.csv", 10, "1.0", "aa", ""};
  FileIdentity b = a;
  b.path = "/d/b.csv";
  const std::string ka = loader::file_key_id(id, 0, a);
  EXPECT_EQ(ka.size(), 32u);
  EXPECT_EQ(ka, loader::file_key_id(id, 0, a));  // stable across runs
  EXPECT_NE(ka, loader::file_key_id(id, 1, a));
  EXPECT_NE(ka, loader::file_key_id(id, 0, b));
  EXPECT_NE(loader::idempotency_key(ka, 0, 100),
            loader::idempotency_key(loader::file_key_id(id, 0, b), 0, 100));
  // A one-file load keys by its load id: the key of bytes [0, 100) as before.
  EXPECT_EQ(loader::idempotency_key(id, 0, 100), loader::sha256_hex(id + ":0-100", 32));
}

}  // namespace
}  // namespace dsfill::testing
