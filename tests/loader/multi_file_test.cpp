// Many files into one dataset: a folder of five files (two compressed, one with its columns in
// another order) is one load (one truncation, one /dataset-complete, the row check over all);
// a file with another header is refused before anything is sent; kill -9 in the third file and
// --resume store every row once; a changed list refuses --resume; --auto-resume skips a
// finished list; three shards over the folder store every row once; --summary-json per file.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "loader/checkpoint.h"
#include "tests/loader/e2e_support.h"
#include "tests/loader/process_run.h"

namespace dsfill::testing {
namespace {

namespace fs = std::filesystem;

bool shell(const std::string& command) { return std::system(command.c_str()) == 0; }

Rows sorted(Rows rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

// The reference server in process, counting the requests it answered by path.
class CountingServer {
 public:
  explicit CountingServer(const std::string& db_path)
      : server_(db_path, {}, [this](std::string_view line) {
          if (line.find("POST /dataset-complete 200") == 0) ++completes_;
          if (line.find("POST /dataset-fill 200") == 0) ++fills_;
        }) {}
  std::string url() const { return server_.url(); }
  const std::string& db() const { return server_.db(); }
  int completes() const { return completes_; }
  int fills() const { return fills_; }

 private:
  std::atomic<int> completes_{0};  // before server_: its log counts them
  std::atomic<int> fills_{0};
  ReferenceServer server_;
};

// Writes `rows` (of hard_csv's columns Id,Name,Note,Qty,Country) to `path` with the columns in
// the order Country,Note,Id,Qty,Name.
void write_reordered(const std::string& path, const Rows& rows) {
  const int order[] = {4, 2, 0, 3, 1};
  std::string out = "Country,Note,Id,Qty,Name\n";
  for (const auto& row : rows) {
    for (int i = 0; i < 5; ++i) {
      if (i != 0) out += ',';
      out += csv_quote(row[static_cast<std::size_t>(order[i])]);
    }
    out += '\n';
  }
  write_file(path, out);
}

// A folder of five files: plain, plain with its columns in another order, gzip (`third_rows`
// rows: the big one), plain, zstd. `expected` holds each file's rows as Python's csv module
// reads the plain source, in the spec's column order.
struct Folder {
  explicit Folder(const TempDir& dir, int third_rows = 2000) : path(dir.file("in")) {
    fs::create_directories(path);
    fs::create_directories(dir.file("src"));
    const int counts[] = {1500, 1200, third_rows, 1300, 1100};
    for (int i = 0; i < 5; ++i) {
      const std::string src = dir.file("src/" + std::to_string(i) + ".csv");
      write_file(src, hard_csv(counts[i], static_cast<unsigned>(100 + i)));
      expected.push_back(python_rows(src));
      const std::string name = path + "/day_" + std::to_string(i + 1);
      if (i == 1) {
        write_reordered(name + ".csv", expected.back());
      } else if (i == 2) {
        EXPECT_TRUE(shell("gzip -c '" + src + "' > '" + name + ".csv.gz'"));
      } else if (i == 4) {
        EXPECT_TRUE(shell("zstd -q -c '" + src + "' > '" + name + ".csv.zst'"));
      } else {
        fs::copy_file(src, name + ".csv");
      }
    }
    write_file(path + "/README.txt", "not a CSV: --pattern leaves it out\n");
  }
  Rows all() const {
    Rows out;
    for (const auto& rows : expected) out.insert(out.end(), rows.begin(), rows.end());
    return out;
  }
  std::string path;
  std::vector<Rows> expected;
};

std::string load_args(const std::string& input, const CountingServer& server,
                      int batch_rows = 400) {
  return "load " + input + " --url " + server.url() +
         " --user-code u1 --dataset-code d1 --progress never --batch-rows " +
         std::to_string(batch_rows);
}

// Fills the dataset with rows of another file, so that a replace load must remove them.
Rows prefill(const TempDir& dir, const CountingServer& server) {
  write_file(dir.file("other.csv"), hard_csv(70, 999));
  const auto run = dsfill(dir, load_args(dir.file("other.csv"), server));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const Rows before = stored_rows(server.db(), "u1", "d1");
  EXPECT_EQ(before.size(), 70u);
  return before;
}

TEST(MultiFile, AFolderOfFiveIsOneReplaceLoad) {
  TempDir dir;
  Folder folder(dir);
  CountingServer server(dir.file("store.db"));
  prefill(dir, server);
  const int completes_before = server.completes();
  const auto run = dsfill(dir, load_args(folder.path, server) + " --mode replace --summary-json " +
                                   dir.file("summary.json"));
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  // Only this load's rows: the truncation ran once (at the first request of the first file).
  EXPECT_EQ(sorted(stored_rows(server.db(), "u1", "d1")), sorted(folder.all()));
  EXPECT_EQ(server.completes() - completes_before, 1);
  const std::uint64_t total = folder.all().size();
  EXPECT_NE(run.out.find("the dataset holds " + std::to_string(total) +
                         " rows, as many as this load sent"),
            std::string::npos)
      << run.out;

  // The summary gives each file's rows, bytes and time, and the totals.
  const auto summary = boost::json::parse(slurp(dir.file("summary.json"))).as_object();
  EXPECT_EQ(summary.at("rows").to_number<std::uint64_t>(), total);
  const auto& files = summary.at("files").as_array();
  ASSERT_EQ(files.size(), 5u);
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i].as_object();
    EXPECT_EQ(f.at("rows").to_number<std::uint64_t>(), folder.expected[i].size()) << i;
    EXPECT_EQ(f.at("state").as_string(), "loaded");
    EXPECT_GT(f.at("bytes_in").to_number<std::uint64_t>(), 0u);
    EXPECT_GE(f.at("seconds").as_double(), 0.0);
    bytes += f.at("bytes_in").to_number<std::uint64_t>();
  }
  EXPECT_EQ(std::string(files[2].as_object().at("path").as_string()),
            folder.path + "/day_3.csv.gz");
  EXPECT_EQ(summary.at("bytes_in").to_number<std::uint64_t>(), bytes);
  EXPECT_NE(run.out.find("files:        5"), std::string::npos) << run.out;
}

TEST(MultiFile, AFileWithAnotherHeaderIsRefusedBeforeAnythingIsSent) {
  TempDir dir;
  Folder folder(dir);
  CountingServer server(dir.file("store.db"));
  const Rows before = prefill(dir, server);
  const int fills_before = server.fills();
  // Last in name order: a load that checked headers file by file would have sent the others.
  write_file(folder.path + "/day_6.csv", "Id,Name,Note,Qty,Region\n1,a,b,2,EU\n");
  const auto run = dsfill(dir, load_args(folder.path, server) + " --mode replace");
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.err.find(folder.path +
                         "/day_6.csv: its header (Id,Name,Note,Qty,Region) does "
                         "not name the same columns as the first file's, " +
                         folder.path + "/day_1.csv (Id,Name,Note,Qty,Country)"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(server.fills(), fills_before);  // not one request
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1"), before);
}

TEST(MultiFile, ColumnsInAnotherOrderLandUnderTheirNames) {
  TempDir dir;
  write_file(dir.file("a.csv"), "id,name,city\n1,ann,Oslo\n2,bob,Rome\n");
  write_file(dir.file("b.csv"), "city,id,name\nLima,3,cid\n");
  write_file(dir.file("c.csv"), "name,city,id\ndan,Kyiv,4\n");
  CountingServer server(dir.file("store.db"));
  const auto run = dsfill(
      dir,
      load_args(dir.file("a.csv") + " " + dir.file("b.csv") + " " + dir.file("c.csv"), server) +
          " --connections 1");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const Rows expected = {
      {"1", "ann", "Oslo"}, {"2", "bob", "Rome"}, {"3", "cid", "Lima"}, {"4", "dan", "Kyiv"}};
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1"), expected);
}

// A bad row of the second file is named by that file, its row and byte, as for one file.
TEST(MultiFile, ErrorsNameTheFileTheyAreIn) {
  TempDir dir;
  write_file(dir.file("a.csv"), "id,name\n1,ann\n2,bob\n");
  write_file(dir.file("b.csv"), "id,name\n3,cid\n4,dan,extra\n");
  CountingServer server(dir.file("store.db"));
  const auto run = dsfill(
      dir, load_args(dir.file("a.csv") + " " + dir.file("b.csv"), server) + " --no-validate-first");
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.err.find(dir.file("b.csv") + ": "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("(row 3, byte 14)"), std::string::npos) << run.err;
  EXPECT_EQ(server.completes(), 0);
}

TEST(MultiFile, AQuotedGlobIsExpandedByDsfill) {
  TempDir dir;
  write_file(dir.file("x1.csv"), "id\n1\n");
  write_file(dir.file("x2.csv"), "id\n2\n");
  write_file(dir.file("y.csv"), "id\n3\n");
  CountingServer server(dir.file("store.db"));
  const auto run = dsfill(dir, load_args("'" + dir.file("x*.csv") + "'", server));
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(sorted(stored_rows(server.db(), "u1", "d1")), (Rows{{"1"}, {"2"}}));
  EXPECT_EQ(server.completes(), 1);
}

// kill -9 while the third file (gzip) is being sent, then --resume: every row once, in order.
TEST(MultiFile, KilledInTheThirdFileResumesExactlyOnce) {
  TempDir dir;
  Folder folder(dir, 120000);  // ~6 MB: some seconds of one-connection requests
  CountingServer server(dir.file("store.db"));
  const std::string ck = dir.file("ck.json");
  const std::string args = " " + load_args(folder.path, server, 100) +
                           " --mode replace --connections 1 --checkpoint " + ck;
  const std::uint64_t first_two = folder.expected[0].size() + folder.expected[1].size();
  // Kill once the checkpoint says part of the third file is acknowledged.
  const int status = kill_dsfill_when(
      args,
      [&] {
        auto c = loader::read_checkpoint(ck);
        return c && c->has_value() && (*c)->file_index == 2 && (*c)->rows_acked > first_two;
      },
      10000, std::chrono::milliseconds(2));
  ASSERT_TRUE(WIFSIGNALED(status)) << "the load finished before the kill";
  auto before = loader::read_checkpoint(ck);
  ASSERT_TRUE(before && before->has_value());
  const loader::Checkpoint& c = **before;
  ASSERT_FALSE(c.finished);
  ASSERT_EQ(c.file_index, 2u);
  ASSERT_EQ(c.files.size(), 5u);
  EXPECT_EQ(c.files[2].path, folder.path + "/day_3.csv.gz");
  EXPECT_EQ(c.files[2].compression, "gzip");
  EXPECT_TRUE(c.truncated);
  EXPECT_EQ(server.completes(), 0);

  const auto resumed = dsfill(dir, args + " --resume", "", 50);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1"), folder.all());  // one connection: in order
  EXPECT_EQ(server.completes(), 1);
  EXPECT_NE(resumed.out.find("day_1.csv: loaded earlier"), std::string::npos) << resumed.out;
  auto after = loader::read_checkpoint(ck);
  ASSERT_TRUE(after && after->has_value());
  EXPECT_TRUE((*after)->finished);
  EXPECT_EQ((*after)->file_index, 4u);
  EXPECT_EQ((*after)->rows_acked, folder.all().size());
}

TEST(MultiFile, ResumeRefusesAChangedListAndAutoResumeFollowsIt) {
  TempDir dir;
  Folder folder(dir);
  CountingServer server(dir.file("store.db"));
  const std::string ck = dir.file("ck.json");
  const std::string args = load_args(folder.path, server) + " --checkpoint " + ck;
  const auto first = dsfill(dir, args + " --auto-resume");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const std::size_t total = folder.all().size();
  ASSERT_EQ(stored_rows(server.db(), "u1", "d1").size(), total);

  // The same list, finished: nothing is sent.
  const int fills = server.fills();
  const auto again = dsfill(dir, args + " --auto-resume");
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("already finished"), std::string::npos) << again.out;
  EXPECT_EQ(server.fills(), fills);
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1").size(), total);

  // A file added: --resume refuses, naming it.
  write_file(folder.path + "/day_6.csv", "Id,Name,Note,Qty,Country\n1,a,b,2,EU\n");
  const auto added = dsfill(dir, args + " --resume");
  EXPECT_EQ(added.exit_code, 2) << added.out << added.err;
  EXPECT_NE(added.err.find("the list of files differs from the recorded load: " + folder.path +
                           "/day_6.csv was added"),
            std::string::npos)
      << added.err;
  fs::remove(folder.path + "/day_6.csv");

  // A file changed: --resume refuses, naming it; so does a file removed.
  const std::string fourth = folder.path + "/day_4.csv";
  write_file(fourth, slurp(fourth) + "9999,x,y,1,z\n");
  const auto changed = dsfill(dir, args + " --resume");
  EXPECT_EQ(changed.exit_code, 2) << changed.out << changed.err;
  EXPECT_NE(changed.err.find(fourth + " changed (size: "), std::string::npos) << changed.err;
  fs::remove(folder.path + "/day_5.csv.zst");
  const auto removed = dsfill(dir, args + " --resume");
  EXPECT_EQ(removed.exit_code, 2) << removed.out << removed.err;
  EXPECT_NE(removed.err.find(folder.path + "/day_5.csv.zst was removed"), std::string::npos)
      << removed.err;

  // The next night's list: --auto-resume starts a new load of it.
  const auto next = dsfill(dir, args + " --auto-resume");
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  const std::size_t new_list = total + 1 - folder.expected[4].size();
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1").size(), total + new_list);
}

TEST(MultiFile, ThreeShardsOverTheFolderStoreEveryRowOnce) {
  TempDir dir;
  Folder folder(dir);
  CountingServer server(dir.file("store.db"));
  const std::size_t shard_files[] = {2, 2, 1};  // files 0,3 / 1,4 / 2
  for (int i = 0; i < 3; ++i) {
    const std::string summary = dir.file("shard" + std::to_string(i) + ".json");
    const auto run = dsfill(dir, load_args(folder.path, server) + " --mode append --shard " +
                                     std::to_string(i) + "/3 --summary-json " + summary);
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    const auto json = boost::json::parse(slurp(summary)).as_object();
    EXPECT_EQ(json.at("files").as_array().size(), shard_files[i]) << i;
  }
  EXPECT_EQ(server.completes(), 0);  // left for --complete-only
  const auto complete = dsfill(dir, "load --complete-only --url " + server.url() +
                                        " --user-code u1 --dataset-code d1 --progress never");
  ASSERT_EQ(complete.exit_code, 0) << complete.out << complete.err;
  EXPECT_EQ(sorted(stored_rows(server.db(), "u1", "d1")), sorted(folder.all()));
}

}  // namespace
}  // namespace dsfill::testing
