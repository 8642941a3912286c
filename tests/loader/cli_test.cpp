// `dsfill load` as a user runs it: a child process against the in-process reference server or
// a stub. Checks exit codes, standard input, and that the token is never printed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "tests/loader/e2e_support.h"
#include "tests/loader/process_run.h"
#include "tests/loader/stub_server.h"

namespace dsfill::testing {
namespace {

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    csv_ = dir_.file("in.csv");
    write_file(csv_, hard_csv(250));
  }
  TempDir dir_;
  std::string csv_;
};

TEST_F(Cli, LoadsStandardInput) {
  ReferenceServer server(dir_.file("store.db"));
  const ProcessRun r =
      dsfill(dir_, "load - --url " + server.url() +
                       " --user-code u1 --dataset-code d1 --batch-rows 40 < " + csv_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("rows:         250"), std::string::npos) << r.out;
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1").size(), 250u);
}

TEST_F(Cli, TokenIsSentButNeverPrinted) {
  const std::string token = "s3cr3t-T0KEN-value-9f8e";
  server::TokenTable tokens;
  tokens.add("u1", token);
  ReferenceServer server(dir_.file("store.db"), std::move(tokens));
  const std::string args = "load " + csv_ + " --url " + server.url() +
                           " --user-code u1 --dataset-code d1 --progress always --summary-json " +
                           dir_.file("s.json");
  const ProcessRun ok = dsfill(dir_, args, "DSFILL_TOKEN=" + token);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_EQ(stored_rows(server.db(), "u1", "d1").size(), 250u);
  const ProcessRun wrong = dsfill(dir_, args, "DSFILL_TOKEN=" + token + "-wrong");
  EXPECT_EQ(wrong.exit_code, 4) << wrong.out << wrong.err;
  write_file(dir_.file("token"), token + "-wrong\n");
  const ProcessRun file = dsfill(dir_, args + " --token-file " + dir_.file("token"));
  EXPECT_EQ(file.exit_code, 4) << file.out << file.err;
  for (const ProcessRun* r : {&ok, &wrong, &file}) {
    EXPECT_EQ(r->out.find(token), std::string::npos) << r->out;
    EXPECT_EQ(r->err.find(token), std::string::npos) << r->err;
  }
  EXPECT_EQ(slurp(dir_.file("s.json")).find(token), std::string::npos);
}

TEST_F(Cli, ServerRejectionExitsWith4) {
  StubServer stub([](int, const Seen&) {
    return reply(400, R"({"data":{"status":"error","message":"bad column type"}})");
  });
  const ProcessRun r =
      dsfill(dir_, "load " + csv_ + " --url " + stub.url() + " --user-code u1 --dataset-code d1");
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("bad column type"), std::string::npos) << r.err;
  EXPECT_EQ(stub.seen().size(), 1u);
}

TEST_F(Cli, DeadServerExitsWith5) {
  StubServer stub([](int, const Seen&) { return reply(503, "{}"); });
  const ProcessRun r = dsfill(
      dir_,
      "load " + csv_ + " --url " + stub.url() + " --user-code u1 --dataset-code d1 --retries 2",
      "DSFILL_RETRY_SEED=3");
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_EQ(stub.seen().size(), 3u);
}

TEST_F(Cli, DryRunNeedsNoServer) {
  const ProcessRun r = dsfill(dir_, "load " + csv_ + " --dry-run --batch-rows 100");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("dry run"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("batches:      3"), std::string::npos) << r.out;
}

TEST_F(Cli, UsageErrorsExitWith2) {
  EXPECT_EQ(dsfill(dir_, "load " + csv_ + " --user-code u --dataset-code d").exit_code, 2);
  EXPECT_EQ(
      dsfill(dir_, "load " + csv_ + " --url ftp://x --user-code u --dataset-code d").exit_code, 2);
  EXPECT_EQ(dsfill(dir_, "load " + csv_ +
                             " --url http://127.0.0.1:1 --user-code u "
                             "--dataset-code d --mode upsert")
                .exit_code,
            2);
}

// A CR or LF in a token would put headers of its own on the wire: refused before any request,
// from either source; a token file's one final newline is still fine.
TEST_F(Cli, TokensWithControlCharactersAreRefusedAndNothingIsSent) {
  StubServer stub([](int, const Seen&) { return reply(200, ok_envelope()); });
  const std::string args =
      "load " + csv_ + " --url " + stub.url() + " --user-code u1 --dataset-code d1";
  const ProcessRun env =
      dsfill(dir_, args, "DSFILL_TOKEN=\"$(printf 'SECRETx\\r\\nX-Injected: yes')\"");
  EXPECT_EQ(env.exit_code, 2) << env.out << env.err;
  EXPECT_NE(env.err.find("DSFILL_TOKEN holds a control character"), std::string::npos) << env.err;
  write_file(dir_.file("two-lines"), "SECRETx\nX-Injected: yes\n");
  const ProcessRun file = dsfill(dir_, args + " --token-file " + dir_.file("two-lines"));
  EXPECT_EQ(file.exit_code, 2) << file.out << file.err;
  write_file(dir_.file("nul"), std::string("SECRETx\0y", 9));
  EXPECT_EQ(dsfill(dir_, args + " --token-file " + dir_.file("nul")).exit_code, 2);
  const ProcessRun header =
      dsfill(dir_, args + " -H \"$(printf 'X-Trace: a\\r\\nX-Injected: yes')\"");
  EXPECT_EQ(header.exit_code, 2) << header.out << header.err;
  EXPECT_TRUE(stub.seen().empty());
  for (const ProcessRun* r : {&env, &file, &header}) {
    EXPECT_EQ(r->out.find("SECRETx"), std::string::npos) << r->out;
    EXPECT_EQ(r->err.find("SECRETx"), std::string::npos) << r->err;
  }
  write_file(dir_.file("one-newline"), "SECRETx\r\n");
  const ProcessRun ok = dsfill(dir_, args + " --token-file " + dir_.file("one-newline"));
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  ASSERT_FALSE(stub.seen().empty());
  EXPECT_EQ(stub.seen().front().authorization, "Bearer SECRETx");
}

// A client's export with other columns than the spec: refused (exit 2) before anything is sent,
// --dry-run too, naming both lists. The same columns in another order load (matched by name).
TEST_F(Cli, AnExportWithOtherColumnsIsRefusedUnderAnInferredSpec) {
  write_file(dir_.file("ours.csv"), "transaction_id,date,customer\n1,2024-01-02,Ann\n");
  const ProcessRun infer = dsfill(dir_, "infer " + dir_.file("ours.csv"));
  ASSERT_EQ(infer.exit_code, 0) << infer.err;
  write_file(dir_.file("spec.json"), infer.out);
  write_file(dir_.file("theirs.csv"), "customer,date,transaction_id\nBob,2024-01-03,2\n");
  write_file(dir_.file("other.csv"), "foo,bar,baz\nx,y,z\n");
  StubServer stub([](int, const Seen&) { return reply(200, ok_envelope()); });
  for (const std::string& mode : {std::string(" --dry-run"), " --url " + stub.url()}) {
    const ProcessRun r =
        dsfill(dir_, "load " + dir_.file("other.csv") + " --columns " + dir_.file("spec.json") +
                         " --user-code u1 --dataset-code d1" + mode);
    EXPECT_EQ(r.exit_code, 2) << mode << r.out << r.err;
    EXPECT_NE(r.err.find("spec: transaction_id,date,customer"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(stub.seen().empty());
  const ProcessRun reordered = dsfill(
      dir_, "load " + dir_.file("theirs.csv") + " --dry-run --columns " + dir_.file("spec.json"));
  EXPECT_EQ(reordered.exit_code, 0) << reordered.err;
  // With --no-header, fields are matched by position, as documented.
  write_file(dir_.file("plain.csv"), "3,2024-01-04,Cy\n");
  const ProcessRun positional =
      dsfill(dir_, "load " + dir_.file("plain.csv") + " --no-header --dry-run --columns " +
                       dir_.file("spec.json"));
  EXPECT_EQ(positional.exit_code, 0) << positional.err;
}

TEST_F(Cli, BadCsvExitsWith3) {
  write_file(csv_, "a,b\n1,\"2\n");
  const ProcessRun r = dsfill(dir_, "load " + csv_ + " --dry-run");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
}

// Returns how many times `needle` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = text.find(needle, at)) != std::string::npos; at += needle.size()) {
    ++n;
  }
  return n;
}

TEST_F(Cli, ALoadThatNeverStartedPrintsItsErrorOnceAndNoSummary) {
  const ProcessRun missing =
      dsfill(dir_, "load " + dir_.file("missing.csv") +
                       " --url http://127.0.0.1:1 --user-code u1 --dataset-code d1");
  EXPECT_EQ(missing.exit_code, 3) << missing.out << missing.err;
  EXPECT_EQ(missing.out, "");  // no summary of zeros
  EXPECT_EQ(occurrences(missing.err, "missing.csv"), 1u) << missing.err;
  const ProcessRun bad_url =
      dsfill(dir_, "load " + csv_ + " --url ftp://x --user-code u1 --dataset-code d1");
  EXPECT_EQ(bad_url.exit_code, 2) << bad_url.out << bad_url.err;
  EXPECT_EQ(bad_url.out, "");
  EXPECT_EQ(occurrences(bad_url.err, "ftp"), 1u) << bad_url.err;
}

TEST_F(Cli, AFailedLoadPrintsItsErrorOnceOnStderr) {
  StubServer stub([](int, const Seen&) {
    return reply(400, R"({"data":{"status":"error","message":"bad column type"}})");
  });
  const ProcessRun r =
      dsfill(dir_, "load " + csv_ + " --url " + stub.url() + " --user-code u1 --dataset-code d1");
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_EQ(occurrences(r.err, "bad column type"), 1u) << r.err;
  EXPECT_EQ(occurrences(r.out, "bad column type"), 0u) << r.out;
  EXPECT_EQ(r.out.rfind("load: rejected\n", 0), 0u) << r.out;  // the summary is still there
}

TEST_F(Cli, SummaryJsonDashIsTheLastLineOfStdout) {
  ReferenceServer server(dir_.file("store.db"));
  const ProcessRun r = dsfill(dir_, "load " + csv_ + " --url " + server.url() +
                                        " --user-code u1 --dataset-code d1 --connections 3 "
                                        "--batch-rows 40 --summary-json -");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_TRUE(r.out.ends_with("}\n")) << r.out;
  const std::string body = r.out.substr(0, r.out.size() - 1);
  const std::string last = body.substr(body.rfind('\n') + 1);
  const auto json = boost::json::parse(last).as_object();
  EXPECT_EQ(json.at("outcome").as_string(), "ok");
  EXPECT_EQ(json.at("rows").to_number<std::uint64_t>(), 250u);
  // The human summary comes before it, and shows the sender as its K connections.
  EXPECT_EQ(r.out.rfind("load: ok", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("rows:         250"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" s x3 ("), std::string::npos) << r.out;
  const auto& stages = json.at("stages").as_array();
  ASSERT_EQ(stages.size(), 3u);
  EXPECT_EQ(stages[2].at("name").as_string(), "sender");
  EXPECT_EQ(stages[2].at("threads").to_number<int>(), 3);
}

TEST_F(Cli, ProgressWithoutATerminalIsPlainLinesEveryStatsInterval) {
  // A slow server: each request takes 150 ms, so a load of 25 batches lasts a few seconds.
  StubServer stub([](int n, const Seen& s) {
    if (s.target == "/dataset-complete") return reply(200, ok_envelope());
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    return reply(200, ok_body(10 * (n + 1), 10));  // one connection: in order
  });
  const ProcessRun r = dsfill(dir_, "load " + csv_ + " --url " + stub.url() +
                                        " --user-code u1 --dataset-code d1 --batch-rows 10 "
                                        "--connections 1 --progress always --stats-interval 0.5");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_GE(occurrences(r.err, " rows  "), 2u) << r.err;  // lines came while it ran
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
}

TEST_F(Cli, HttpsAgainstAPlainHttpPortExitsWith5AtOnce) {
  ReferenceServer server(dir_.file("store.db"));
  std::string url = server.url();
  url.replace(0, 4, "https");
  const ProcessRun r =
      dsfill(dir_, "load " + csv_ + " --url " + url +
                       " --user-code u1 --dataset-code d1 --summary-json " + dir_.file("s.json"));
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.err.find("not retried"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("retry "), std::string::npos) << r.err;  // no retry line
  const auto json = boost::json::parse(slurp(dir_.file("s.json"))).as_object();
  EXPECT_EQ(json.at("retries").to_number<std::uint64_t>(), 0u);
}

TEST_F(Cli, EachRetryIsOneJsonLogLineWithItsReason) {
  StubServer stub([](int n, const Seen& s) {
    if (s.target == "/dataset-complete") return reply(200, ok_envelope());
    return n < 2 ? reply(503, R"({"data":{"status":"error","message":"too busy"}})")
                 : reply(200, ok_body(250, 250));
  });
  const ProcessRun r = dsfill(dir_,
                              "load " + csv_ + " --url " + stub.url() +
                                  " --user-code u1 --dataset-code d1 --log-format json",
                              "DSFILL_RETRY_SEED=3");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::istringstream lines(r.err);
  std::string line;
  int retries = 0;
  while (std::getline(lines, line)) {
    const auto o = boost::json::parse(line).as_object();
    if (!o.contains("event") || o.at("event").as_string() != "retry") continue;
    ++retries;
    EXPECT_EQ(o.at("level").as_string(), "warn") << line;
    EXPECT_EQ(o.at("retry").to_number<int>(), retries) << line;
    EXPECT_NE(std::string(o.at("reason").as_string()).find("HTTP 503"), std::string::npos) << line;
  }
  EXPECT_EQ(retries, 2) << r.err;
}

TEST_F(Cli, SigintStopsTheLoadWith130) {
  // A slow server keeps requests in flight; the signal comes once the first one arrived.
  StubServer stub([](int, const Seen&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return reply(200, ok_body(1, 10));
  });
  const std::string out = dir_.file("out.txt");
  const std::string cmd = std::string(DSFILL_BIN) + " load " + csv_ + " --url " + stub.url() +
                          " --user-code u1 --dataset-code d1 --batch-rows 10 --connections 1";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", ("exec " + cmd + " >" + out + " 2>&1").c_str(), nullptr);
    ::_exit(127);
  }
  for (int i = 0; i < 500 && stub.seen().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130) << slurp(out);
  EXPECT_LT(stub.seen().size(), 25u);  // it stopped instead of sending all 25 batches
  EXPECT_NE(slurp(out).find("interrupted by SIGINT"), std::string::npos) << slurp(out);
}

}  // namespace
}  // namespace dsfill::testing
