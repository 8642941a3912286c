// Checkpoint and resume: the checkpoint file, file order with one connection, and resumes that cut
// the same batches with the same Idempotency-Keys and bodies.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "loader/checkpoint.h"
#include "loader/load_id.h"
#include "loader/pipeline.h"
#include "tests/loader/e2e_support.h"
#include "tests/loader/process_run.h"
#include "tests/loader/stub_server.h"

namespace dsfill::testing {
namespace {

using loader::Checkpoint;
using loader::Outcome;

Checkpoint read_ok(const std::string& path) {
  auto c = loader::read_checkpoint(path);
  EXPECT_TRUE(c.has_value());
  EXPECT_TRUE(c.has_value() && c->has_value()) << path;
  return c && *c ? **c : Checkpoint{};
}

std::vector<std::string> keys_of(const std::vector<Seen>& seen) {
  std::vector<std::string> keys;
  for (const auto& s : seen) {
    if (s.target.find("dataset-fill") != std::string::npos) keys.push_back(s.idempotency_key);
  }
  return keys;
}

std::vector<std::string> fill_bodies(const std::vector<Seen>& seen) {
  std::vector<std::string> bodies;
  for (const auto& s : seen) {
    if (s.target.find("dataset-fill") != std::string::npos) bodies.push_back(s.body);
  }
  return bodies;
}

Checkpoint sample_checkpoint() {
  Checkpoint c;
  c.load_id = "0123456789abcdef0123456789abcdef";
  c.offset = 12345;
  c.next_row = 101;
  c.batches_acked = 7;
  c.rows_acked = 99;
  c.truncated = true;
  c.identity.path = "/data/in.csv";
  c.identity.size = 99999;
  c.identity.mtime = "1700000000.5";
  c.identity.head_sha256 = "ab";
  c.identity.url = "http://127.0.0.1:1";
  c.identity.user_code = "u";
  c.identity.dataset_code = "d";
  c.identity.batch_rows = 100;
  c.identity.batch_bytes = 4096;
  c.identity.level = 6;
  c.identity.mode = "replace";
  c.identity.dialect = "delimiter=44";
  c.identity.shard = "0/1";
  c.identity.columns_sha256 = "cd";
  return c;
}

TEST(Checkpoint, JsonRoundTripsEveryField) {
  const Checkpoint c = sample_checkpoint();
  auto back = loader::parse_checkpoint(loader::checkpoint_json(c));
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(loader::checkpoint_json(*back), loader::checkpoint_json(c));
  EXPECT_EQ(back->offset, 12345);
  EXPECT_EQ(back->next_row, 101);
  EXPECT_TRUE(back->truncated);
  EXPECT_FALSE(back->finished);
  EXPECT_EQ(loader::identity_mismatch(c.identity, back->identity), "");
}

TEST(Checkpoint, ParseNamesTheMissingFieldAndRefusesOtherVersions) {
  auto bad = loader::parse_checkpoint(R"({"version":1,"load_id":"x","offset":1})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("next_row"), std::string::npos) << bad.error().message;
  std::string json = loader::checkpoint_json(sample_checkpoint());
  json.replace(json.find("\"version\":1"), 11, "\"version\":9");
  auto v9 = loader::parse_checkpoint(json);
  ASSERT_FALSE(v9);
  EXPECT_NE(v9.error().message.find("version 9"), std::string::npos);
  EXPECT_FALSE(loader::parse_checkpoint("{not json"));
}

TEST(Checkpoint, MismatchNamesEachDifferingField) {
  const auto a = sample_checkpoint().identity;
  auto b = a;
  b.size = 100000;
  b.batch_rows = 50;
  const std::string diff = loader::identity_mismatch(a, b);
  EXPECT_NE(diff.find("size: the checkpoint has \"99999\", this run has \"100000\""),
            std::string::npos)
      << diff;
  EXPECT_NE(diff.find("batch-rows"), std::string::npos) << diff;
  EXPECT_EQ(diff.find("url"), std::string::npos) << diff;
  // --level auto is recorded as such (and round-trips), not as the level it started at.
  Checkpoint automatic = sample_checkpoint();
  automatic.identity.level = -1;
  auto back = loader::parse_checkpoint(loader::checkpoint_json(automatic));
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(back->identity.level, -1);
  EXPECT_NE(loader::identity_mismatch(a, automatic.identity)
                .find("level: the checkpoint has \"6\", this run has \"auto\""),
            std::string::npos);
}

TEST(Checkpoint, WriteIsAtomicAndReadOfAMissingFileIsEmpty) {
  TempDir dir;
  const std::string path = dir.file("ck.json");
  auto none = loader::read_checkpoint(path);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  Checkpoint c = sample_checkpoint();
  ASSERT_TRUE(loader::write_checkpoint(path, c));
  c.offset = 2;
  ASSERT_TRUE(loader::write_checkpoint(path, c));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_EQ(read_ok(path).offset, 2);
  write_file(path, "{\"version\":1");
  auto torn = loader::read_checkpoint(path);
  ASSERT_FALSE(torn);
  EXPECT_NE(torn.error().message.find(path), std::string::npos);
}

// With one connection the server must store rows in file order, however many encoders race.
TEST(SendOrder, OneConnectionStoresRowsInFileOrder) {
  TempDir dir;
  const std::string csv = dir.file("in.csv");
  write_file(csv, hard_csv(900, 5));
  ReferenceServer server(dir.file("store.db"));
  auto o = test_options(csv, server.url());
  o.chunker.batch_rows = 7;
  o.encoders = 4;
  o.connections = 1;
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1"), python_rows(csv));  // in order, not sorted
}

// Every request is sent in sequence order: the keys the stub sees with K=1 are those of the
// batches in file order, each once.
TEST(SendOrder, RequestsGoInSequenceOrderWithOneConnection) {
  TempDir dir;
  const std::string csv = dir.file("in.csv");
  write_file(csv, hard_csv(400, 9));
  StubServer stub([](int, const Seen&) { return reply(200, ok_envelope()); });
  auto o = test_options(csv, stub.url());
  o.chunker.batch_rows = 3;
  o.encoders = 4;
  o.connections = 1;
  o.complete = false;
  o.load_id = "fixed";
  ASSERT_EQ(loader::run_load(o).outcome, Outcome::kOk);  // the stub reports no counts
  // Cut the same batches here and compare keys in order.
  auto reader = loader::InputReader::open(csv);
  ASSERT_TRUE(reader);
  loader::Chunker chunker(*reader, o.chunker);
  ASSERT_TRUE(chunker.next(1));  // the header
  std::vector<std::string> want;
  while (auto b = chunker.next()) {
    if (!b->has_value()) break;
    want.push_back(loader::idempotency_key("fixed", (*b)->byte_begin, (*b)->byte_end));
  }
  EXPECT_EQ(keys_of(stub.seen()), want);
}

class Resume : public ::testing::Test {
 protected:
  void SetUp() override {
    csv_ = dir_.file("in.csv");
    write_file(csv_, hard_csv(300, 3));
    ck_ = dir_.file("ck.json");
  }
  loader::LoadOptions options(const std::string& url) const {
    auto o = test_options(csv_, url);
    o.chunker.batch_rows = 1000;
    o.chunker.batch_bytes = 700;  // cut by bytes: batches of uneven row counts
    o.connections = 1;
    o.encoders = 3;
    o.complete = false;
    o.checkpoint = ck_;
    o.load_id = "L1";
    o.retry.max_retries = 2;
    return o;
  }
  TempDir dir_;
  std::string csv_;
  std::string ck_;
};

// The first run is rejected at its 6th batch; the resume re-sends from there with the very
// keys and bodies an uninterrupted run of the same load sends.
TEST_F(Resume, ResentBatchesCarryTheSameKeysAndBodies) {
  StubServer reference([](int, const Seen&) { return reply(200, ok_envelope()); });
  auto ro = options(reference.url());
  ro.checkpoint.clear();
  loader::run_load(ro);
  const auto want_keys = keys_of(reference.seen());
  const auto want_bodies = fill_bodies(reference.seen());
  ASSERT_GT(want_keys.size(), 8u);

  std::atomic<bool> healthy{false};
  StubServer stub([&](int n, const Seen&) {
    if (!healthy && n == 5) return reply(400, R"({"data":{"status":"error","message":"no"}})");
    return reply(200, ok_envelope());
  });
  // The keys depend on the byte ranges and the load id only, not on the URL: compare with the
  // reference run by giving both the same load id.
  const auto first = loader::run_load(options(stub.url()));
  ASSERT_EQ(first.outcome, Outcome::kRejected);
  EXPECT_EQ(first.checkpoint, ck_);
  EXPECT_FALSE(first.resume_command.empty());
  Checkpoint c = read_ok(ck_);
  EXPECT_FALSE(c.finished);
  EXPECT_EQ(c.batches_acked, 5u);
  EXPECT_EQ(c.load_id, "L1");
  EXPECT_EQ(c.offset, first.acked_offset);

  healthy = true;
  auto ro2 = options(stub.url());
  ro2.resume = true;
  ro2.load_id.clear();  // the id must come from the checkpoint
  const auto second = loader::run_load(ro2);
  ASSERT_EQ(second.outcome, Outcome::kOk) << second.message;  // the stub reports no counts
  EXPECT_TRUE(second.resumed);
  EXPECT_EQ(second.resumed_from, c.offset);
  const auto seen = stub.seen();
  auto keys = keys_of(seen);
  auto bodies = fill_bodies(seen);
  ASSERT_EQ(keys.size(), 6 + want_keys.size() - 5);
  keys.erase(keys.begin() + 5);  // the rejected attempt, sent again by the resume
  bodies.erase(bodies.begin() + 5);
  EXPECT_EQ(keys, want_keys);
  EXPECT_EQ(bodies, want_bodies);  // the header's columns, from byte 0, in every body
  c = read_ok(ck_);
  EXPECT_TRUE(c.finished);
  EXPECT_EQ(c.batches_acked, want_keys.size());
  EXPECT_EQ(c.rows_acked, 300u);
}

TEST_F(Resume, ResumeOfAFinishedLoadSendsNothing) {
  StubServer stub([](int, const Seen&) { return reply(200, ok_envelope()); });
  auto o = options(stub.url());
  loader::run_load(o);
  const auto sent = stub.seen().size();
  ASSERT_TRUE(read_ok(ck_).finished);
  o.resume = true;
  const auto again = loader::run_load(o);
  EXPECT_EQ(again.outcome, Outcome::kOk);
  EXPECT_TRUE(again.already_finished);
  EXPECT_NE(again.message.find("already finished"), std::string::npos);
  EXPECT_EQ(stub.seen().size(), sent);
}

TEST_F(Resume, RefusesWhenTheFileOrSettingsDiffer) {
  StubServer stub([](int n, const Seen&) {
    if (n == 2) return reply(400, R"({"data":{"status":"error","message":"no"}})");
    return reply(200, ok_envelope());
  });
  ASSERT_EQ(loader::run_load(options(stub.url())).outcome, Outcome::kRejected);
  const auto requests = stub.seen().size();
  auto o = options(stub.url());
  o.resume = true;
  o.chunker.batch_bytes = 800;
  auto r = loader::run_load(o);
  EXPECT_EQ(r.outcome, Outcome::kUsage);
  EXPECT_NE(r.message.find("batch-bytes"), std::string::npos) << r.message;
  o = options(stub.url());
  o.resume = true;
  o.dataset_code = "other";
  r = loader::run_load(o);
  EXPECT_EQ(r.outcome, Outcome::kUsage);
  EXPECT_NE(r.message.find("dataset-code"), std::string::npos) << r.message;
  // A fresh run must not silently abandon the unfinished load.
  r = loader::run_load(options(stub.url()));
  EXPECT_EQ(r.outcome, Outcome::kUsage);
  EXPECT_NE(r.message.find("--resume"), std::string::npos) << r.message;
  // The file changed (same size, other bytes).
  std::string text = slurp(csv_);
  text[40] = text[40] == 'x' ? 'y' : 'x';
  write_file(csv_, text);
  o = options(stub.url());
  o.resume = true;
  r = loader::run_load(o);
  EXPECT_EQ(r.outcome, Outcome::kUsage);
  // (within the acknowledged prefix, whose SHA-256 the checkpoint records)
  EXPECT_NE(r.message.find("changed within its first"), std::string::npos) << r.message;
  EXPECT_EQ(stub.seen().size(), requests);  // nothing sent by a refused run
  o.checkpoint = dir_.file("none.json");
  r = loader::run_load(o);
  EXPECT_EQ(r.outcome, Outcome::kUsage);
  EXPECT_NE(r.message.find("no checkpoint"), std::string::npos) << r.message;
}

// The nightly cycle with --auto-resume: no checkpoint yet starts a load; a failed load is
// continued; a finished load of the same file sends nothing; a new file starts a new load;
// an unfinished load of a file that changed since is refused.
TEST_F(Resume, AutoResumeFollowsTheNightlyCycle) {
  std::atomic<bool> healthy{false};
  StubServer stub([&](int n, const Seen&) {
    if (!healthy && n == 2) return reply(400, R"({"data":{"status":"error","message":"no"}})");
    return reply(200, ok_envelope());
  });
  auto o = options(stub.url());
  o.auto_resume = true;
  o.load_id.clear();
  auto night1 = loader::run_load(o);
  ASSERT_EQ(night1.outcome, Outcome::kRejected) << night1.message;
  EXPECT_FALSE(night1.resumed);
  const Checkpoint failed = read_ok(ck_);
  EXPECT_FALSE(failed.finished);

  healthy = true;
  auto retry = loader::run_load(o);
  EXPECT_TRUE(retry.resumed) << retry.message;
  EXPECT_EQ(retry.resumed_from, failed.offset);
  EXPECT_EQ(read_ok(ck_).load_id, failed.load_id);
  ASSERT_TRUE(read_ok(ck_).finished);

  const auto sent = stub.seen().size();
  auto again = loader::run_load(o);
  EXPECT_EQ(again.outcome, Outcome::kOk);
  EXPECT_TRUE(again.already_finished);
  EXPECT_EQ(stub.seen().size(), sent);

  write_file(csv_, hard_csv(200, 9));  // the next night's file
  auto night2 = loader::run_load(o);
  EXPECT_EQ(night2.outcome, Outcome::kOk) << night2.message;  // the stub reports no counts
  EXPECT_FALSE(night2.resumed);
  EXPECT_GT(stub.seen().size(), sent);
  const Checkpoint fresh = read_ok(ck_);
  EXPECT_NE(fresh.load_id, failed.load_id);
  EXPECT_EQ(fresh.rows_acked, 200u);

  // An unfinished checkpoint whose file changed is not silently abandoned.
  Checkpoint unfinished = fresh;
  unfinished.finished = false;
  ASSERT_TRUE(loader::write_checkpoint(ck_, unfinished));
  write_file(csv_, hard_csv(250, 4));
  auto refused = loader::run_load(o);
  EXPECT_EQ(refused.outcome, Outcome::kUsage);
  EXPECT_NE(refused.message.find("cannot resume"), std::string::npos) << refused.message;
}

bool truncates(const std::string& body) {
  return body.find("\"append\":false") != std::string::npos;
}

// Replace mode that dies before its truncating request is acknowledged: the resume truncates
// again, with the same request (key and body).
TEST_F(Resume, ReplaceThatDiedBeforeItsFirstAckStillTruncates) {
  std::atomic<bool> healthy{false};
  StubServer stub([&](int, const Seen&) {
    return healthy ? reply(200, ok_envelope())
                   : reply(503, R"({"data":{"status":"error","message":"down"}})");
  });
  auto o = options(stub.url());
  o.replace = true;
  const auto first = loader::run_load(o);
  ASSERT_EQ(first.outcome, Outcome::kNetwork);
  EXPECT_FALSE(read_ok(ck_).truncated);
  const auto failed = stub.seen();
  healthy = true;
  o.resume = true;
  loader::run_load(o);
  const auto all = stub.seen();
  ASSERT_GT(all.size(), failed.size() + 1);
  const Seen& resumed_first = all[failed.size()];
  EXPECT_TRUE(truncates(resumed_first.body));
  EXPECT_EQ(resumed_first.idempotency_key, failed.front().idempotency_key);
  EXPECT_EQ(resumed_first.body, failed.front().body);
  for (std::size_t i = failed.size() + 1; i < all.size(); ++i) EXPECT_FALSE(truncates(all[i].body));
}

// Replace mode that dies after the truncation was acknowledged: the resume only appends.
TEST_F(Resume, ReplaceResumedAfterTheTruncationOnlyAppends) {
  std::atomic<bool> healthy{false};
  StubServer stub([&](int n, const Seen&) {
    if (!healthy && n >= 3) return reply(503, R"({"data":{"status":"error","message":"down"}})");
    return reply(200, ok_envelope());
  });
  auto o = options(stub.url());
  o.replace = true;
  ASSERT_EQ(loader::run_load(o).outcome, Outcome::kNetwork);
  EXPECT_TRUE(read_ok(ck_).truncated);
  const auto before = stub.seen().size();
  healthy = true;
  o.resume = true;
  loader::run_load(o);
  const auto all = stub.seen();
  ASSERT_GT(all.size(), before);
  for (std::size_t i = before; i < all.size(); ++i) EXPECT_FALSE(truncates(all[i].body)) << i;
  EXPECT_EQ(read_ok(ck_).rows_acked, 300u);
}

// Against the reference server: interrupted, then resumed, every row stored once, in order.
TEST_F(Resume, ReferenceServerStoresEveryRowOnceAcrossAResume) {
  ReferenceServer server(dir_.file("store.db"));
  auto o = options(server.url());
  o.complete = true;
  o.replace = true;
  o.load_id.clear();
  {
    // Simulate a run that died with its last acknowledgements unrecorded (kill -9 between two
    // checkpoint writes): load everything, then rewind the checkpoint to batch 3.
    ASSERT_EQ(loader::run_load(o).outcome, Outcome::kOk);
    Checkpoint c = read_ok(ck_);
    // The server has every batch: the re-sent ones must be recognised by their keys.
    auto reader = loader::InputReader::open(csv_);
    loader::Chunker chunker(*reader, o.chunker);
    ASSERT_TRUE(chunker.next(1));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(chunker.next());
    auto fourth = chunker.next();
    ASSERT_TRUE(fourth && fourth->has_value());
    c.offset = (*fourth)->byte_begin;
    c.next_row = (*fourth)->first_row;
    c.batches_acked = 3;
    c.rows_acked = static_cast<std::uint64_t>(c.next_row - 2);  // no blank lines: one row each
    c.finished = false;
    ASSERT_TRUE(loader::write_checkpoint(ck_, c));
  }
  o.resume = true;
  const auto r = loader::run_load(o);
  ASSERT_EQ(r.outcome, Outcome::kOk) << r.message;
  EXPECT_EQ(r.server_rows_count, 300);
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1"), python_rows(csv_));
}

// `dsfill load` as a process: SIGINT leaves a checkpoint and the summary says how to resume.
TEST_F(Resume, CliSigintLeavesACheckpointAndTheResumeCommand) {
  StubServer stub([](int, const Seen&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    return reply(200, ok_envelope());
  });
  const std::string out = dir_.file("out.txt"), err = dir_.file("err.txt");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string url = stub.url();
    ::execl("/bin/sh", "sh", "-c",
            (std::string("exec " DSFILL_BIN " load ") + csv_ + " --url " + url +
             " --user-code u1 --dataset-code d1 --batch-bytes 700 --connections 1 --no-complete"
             " --checkpoint " +
             ck_ + " >" + out + " 2>" + err)
                .c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until some batch was acknowledged, then interrupt.
  for (int i = 0; i < 200 && stub.seen().size() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGINT);
  // Bound the wait (no `timeout` wrapper: it would forward SIGINT to itself as well).
  int status = 0;
  for (int i = 0; i < 1500 && ::waitpid(pid, &status, WNOHANG) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (i == 1499) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130) << slurp(out) << slurp(err);
  const std::string summary = slurp(out);
  EXPECT_NE(summary.find("to resume:"), std::string::npos) << summary;
  EXPECT_NE(summary.find("--checkpoint " + ck_ + " --resume"), std::string::npos) << summary;
  const Checkpoint c = read_ok(ck_);
  EXPECT_FALSE(c.finished);
  EXPECT_GT(c.batches_acked, 0u);
}

TEST_F(Resume, CliRefusesStandardInputAndResumeWithoutCheckpoint) {
  const std::string base =
      "timeout 30 " DSFILL_BIN " load - --url http://127.0.0.1:1 --user-code u --dataset-code d ";
  int status = std::system((base + "--checkpoint " + ck_ + " < " + csv_ + " 2>/dev/null").c_str());
  EXPECT_EQ(WEXITSTATUS(status), 2);
  status = std::system(("timeout 30 " DSFILL_BIN " load " + csv_ +
                        " --url http://127.0.0.1:1 --user-code u --dataset-code d --resume "
                        "2>/dev/null")
                           .c_str());
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace dsfill::testing
