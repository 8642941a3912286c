// The sender against a scripted server: retries, Retry-After, fatal 4xx, timeouts, a dead
// server, the retry budget, the replace gate, headers, dry run and the count check.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "loader/pipeline.h"
#include "tests/loader/e2e_support.h"
#include "tests/loader/stub_server.h"

namespace dsfill::testing {
namespace {

using loader::Outcome;
using std::chrono::milliseconds;

class StubLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    csv_ = dir_.file("in.csv");
    write_file(csv_, "a,b\n1,2\n3,4\n5,6\n7,8\n");
  }
  TempDir dir_;
  std::string csv_;
};

TEST_F(StubLoad, RetryAfterIsHonouredThenSucceeds) {
  StubServer stub([](int n, const Seen&) {
    if (n == 0) {
      auto r = reply(503, R"({"data":{"status":"error","message":"busy"}})");
      r.set("Retry-After", "1");
      return r;
    }
    return reply(200, ok_body(4, 4));
  });
  auto o = test_options(csv_, stub.url());
  o.complete = false;
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.retries, 1u);
  const auto seen = stub.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].idempotency_key, seen[1].idempotency_key);
  EXPECT_EQ(seen[0].idempotency_key.size(), 32u);
  EXPECT_EQ(seen[0].body, seen[1].body);
  EXPECT_GE(seen[1].at - seen[0].at, milliseconds(950));  // waited for Retry-After: 1
}

TEST_F(StubLoad, ClientErrorStopsAtOnceWithTheServersMessage) {
  StubServer stub([](int, const Seen&) {
    return reply(400, R"({"data":{"status":"error","message":"row 3 has 3 values"}})");
  });
  const auto report = loader::run_load(test_options(csv_, stub.url()));
  EXPECT_EQ(report.outcome, Outcome::kRejected);
  EXPECT_NE(report.message.find("row 3 has 3 values"), std::string::npos) << report.message;
  EXPECT_NE(report.message.find("rows 2-5, bytes 4-20"), std::string::npos) << report.message;
  EXPECT_EQ(stub.seen().size(), 1u);  // no retry, no completion
  EXPECT_EQ(report.rows, 0u);
}

TEST_F(StubLoad, ConflictIsRetriedAfterAPause) {
  StubServer stub([](int n, const Seen& s) {
    if (s.target == "/dataset-complete") return reply(200, ok_body(4, 0));
    return n == 0 ? reply(409, R"({"data":{"status":"error","message":"in progress"}})")
                  : reply(200, ok_body(4, 4));
  });
  const auto report = loader::run_load(test_options(csv_, stub.url()));
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.retries, 1u);
  const auto seen = stub.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].target, "/dataset-complete");
  EXPECT_TRUE(seen[2].idempotency_key.empty());
  EXPECT_TRUE(report.completed);
}

TEST_F(StubLoad, TimeoutIsRetriedOnANewConnection) {
  StubServer stub([](int n, const Seen&) {
    if (n == 0) std::this_thread::sleep_for(milliseconds(1500));
    return reply(200, ok_body(4, 4));
  });
  auto o = test_options(csv_, stub.url());
  o.timeout = milliseconds(300);
  o.complete = false;
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.retries, 1u);
  EXPECT_EQ(report.connects, 2u);
}

TEST_F(StubLoad, CompleteHasItsOwnTimeoutAndIsRetried) {
  // The complete's first answer is slower than --timeout but within --complete-timeout; the
  // second complete is cut (a timeout) and retried.
  std::atomic<int> completes{0};
  StubServer stub([&](int, const Seen& s) {
    if (s.target == "/dataset-complete") {
      if (completes++ == 0)
        std::this_thread::sleep_for(milliseconds(1200));
      else
        std::this_thread::sleep_for(milliseconds(600));
      return reply(200, ok_body(4, 0));
    }
    return reply(200, ok_body(4, 4));
  });
  auto o = test_options(csv_, stub.url());
  o.timeout = milliseconds(400);
  o.complete_timeout = milliseconds(800);
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_TRUE(report.completed);
  EXPECT_EQ(completes.load(), 2);  // the first cut at 800 ms, the retry answered in 600 ms
  EXPECT_EQ(report.retries, 1u);
}

// Returns a URL on 127.0.0.1 where nothing listens.
std::string dead_url() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = a.local_endpoint().port();
  a.close();
  return "http://127.0.0.1:" + std::to_string(port);
}

TEST_F(StubLoad, DeadServerEndsTheLoadAfterTheRetries) {
  auto o = test_options(csv_, dead_url());
  o.retry.max_retries = 3;
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kNetwork);
  EXPECT_EQ(report.retries, 3u);
  EXPECT_EQ(report.requests, 4u);
  EXPECT_NE(report.message.find("after 3 retries"), std::string::npos) << report.message;
  EXPECT_NE(report.message.find("refused"), std::string::npos) << report.message;
}

TEST_F(StubLoad, HttpsAgainstAPlainHttpPortFailsAtOnceWithTheFix) {
  // The reference server answers the ClientHello as the bad HTTP request it is.
  ReferenceServer server(dir_.file("store.db"));
  std::string url = server.url();
  ASSERT_EQ(url.rfind("http://", 0), 0u) << url;
  url.replace(0, 4, "https");
  auto o = test_options(csv_, url);
  o.retry.max_retry_time = milliseconds(60'000);
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kNetwork);  // exit 5, at once
  EXPECT_EQ(report.retries, 0u);
  EXPECT_EQ(report.requests, 1u);
  EXPECT_NE(report.message.find("not retried"), std::string::npos) << report.message;
  EXPECT_NE(report.message.find("http:// rather than https://"), std::string::npos)
      << report.message;
}

// Accepts connections on 127.0.0.1 and answers each with `banner` (not HTTP), then closes it.
class RawBanner {
 public:
  explicit RawBanner(std::string banner) : banner_(std::move(banner)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0 || stop_) {
          if (c >= 0) ::close(c);
          return;
        }
        ++accepted_;
        (void)!::write(c, banner_.data(), banner_.size());
        ::shutdown(c, SHUT_WR);
        char sink[4096];
        timeval tv{2, 0};
        ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        while (::read(c, sink, sizeof sink) > 0) {
        }
        ::close(c);
      }
    });
  }
  ~RawBanner() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int accepted() const { return accepted_; }

 private:
  std::string banner_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

TEST_F(StubLoad, AnAnswerThatIsNotHttpFailsAtOnce) {
  RawBanner ssh("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
  auto o = test_options(csv_, ssh.url());
  o.retry.max_retry_time = milliseconds(60'000);
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kNetwork);
  EXPECT_EQ(report.retries, 0u);
  EXPECT_EQ(ssh.accepted(), 1);
  EXPECT_NE(report.message.find("is not HTTP"), std::string::npos) << report.message;
  EXPECT_NE(report.message.find("not retried"), std::string::npos) << report.message;
}

TEST_F(StubLoad, EachRetryLogsOneLineWithItsReasonAsItHappens) {
  StubServer stub([](int n, const Seen& s) {
    if (s.target == "/dataset-complete") return reply(200, ok_body(4, 0));
    return n < 2 ? reply(503, R"({"data":{"status":"error","message":"too busy"}})")
                 : reply(200, ok_body(4, 4));
  });
  auto o = test_options(csv_, stub.url());
  o.retry.base_delay = milliseconds(1);
  ::testing::internal::CaptureStderr();
  const auto report = loader::run_load(o);
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.retries, 2u);
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = err.find("retry ", at)) != std::string::npos; ++at) ++lines;
  EXPECT_EQ(lines, 2u) << err;
  EXPECT_NE(err.find("retry 1 of batch 0"), std::string::npos) << err;
  EXPECT_NE(err.find("retry 2 of batch 0"), std::string::npos) << err;
  EXPECT_NE(err.find("HTTP 503 (application/json): too busy"), std::string::npos) << err;
}

TEST_F(StubLoad, RetryMaxTimeBoundsTheRetriesOfOneRequest) {
  StubServer stub([](int, const Seen&) { return reply(503, "busy"); });
  auto o = test_options(csv_, stub.url());
  o.retry.max_retries = 1000;
  o.retry.budget_initial = 1000;
  o.retry.max_retry_time = milliseconds(400);
  const auto started = std::chrono::steady_clock::now();
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kNetwork);
  EXPECT_NE(report.message.find("--retry-max-time"), std::string::npos) << report.message;
  // Ended by the bound, long before a thousand retries (backoff stays under 50 ms here).
  EXPECT_LT(report.retries, 100u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

// A route that drops connection attempts: a listening socket whose backlog is full, so that
// the kernel answers no further SYN (as a black-holed address does).
TEST_F(StubLoad, ConnectTimeoutFindsADeadRouteWithinTheRequestTimeout) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  // Fill the backlog: these connect and are never accepted.
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(c);
  }
  std::this_thread::sleep_for(milliseconds(100));
  auto o = test_options(csv_, "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  o.timeout = milliseconds(20'000);
  o.connect_timeout = milliseconds(300);
  o.connections = 1;
  o.retry.max_retries = 2;
  const auto started = std::chrono::steady_clock::now();
  const auto report = loader::run_load(o);
  const auto took = std::chrono::steady_clock::now() - started;
  for (int c : fillers) ::close(c);
  ::close(listener);
  EXPECT_EQ(report.outcome, Outcome::kNetwork) << report.message;
  EXPECT_EQ(report.retries, 2u);
  // Three attempts of 0.3 s each and short backoffs, not 3 x 20 s.
  EXPECT_LT(took, std::chrono::seconds(8));
}

TEST_F(StubLoad, RetryBudgetStopsAStorm) {
  StubServer stub([](int, const Seen&) { return reply(503, "{}"); });
  auto o = test_options(csv_, stub.url());
  o.chunker.batch_rows = 1;  // four batches, all failing
  o.retry.max_retries = 100;
  o.retry.budget_initial = 5;
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kNetwork);
  EXPECT_NE(report.message.find("retry budget"), std::string::npos) << report.message;
  EXPECT_EQ(report.retries, 5u);
  EXPECT_LE(stub.seen().size(), 5u + 4u);
}

TEST_F(StubLoad, ReplaceSendsNoAppendBeforeTheTruncateIsAcknowledged) {
  std::chrono::steady_clock::time_point first_answered;
  std::mutex m;
  StubServer stub([&](int n, const Seen& s) {
    if (s.target == "/dataset-complete") return reply(200, ok_body(4, 0));
    if (n == 0) std::this_thread::sleep_for(milliseconds(200));
    std::lock_guard lock(m);
    if (n == 0) first_answered = std::chrono::steady_clock::now();
    return reply(200, ok_body(1, 1));
  });
  auto o = test_options(csv_, stub.url());
  o.replace = true;
  o.chunker.batch_rows = 1;
  o.connections = 4;
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  const auto seen = stub.seen();
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_NE(seen[0].body.find("\"append\":false"), std::string::npos);
  std::lock_guard lock(m);
  EXPECT_EQ(seen[4].target, "/dataset-complete");
  for (std::size_t i = 1; i < seen.size(); ++i) {
    if (i < 4) {
      EXPECT_NE(seen[i].body.find("\"append\":true"), std::string::npos) << i;
    }
    EXPECT_GE(seen[i].at, first_answered)
        << "request " << i << " went before the truncate's answer";
  }
}

TEST_F(StubLoad, SendsTokenAndExtraHeaders) {
  StubServer stub([](int, const Seen&) { return reply(200, ok_body(4, 4)); });
  auto o = test_options(csv_, stub.url());
  o.token = "tok-123";
  o.complete = false;
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  ASSERT_EQ(stub.seen().size(), 1u);
  EXPECT_EQ(stub.seen()[0].authorization, "Bearer tok-123");
}

TEST_F(StubLoad, DryRunSendsNothing) {
  StubServer stub([](int, const Seen&) { return reply(200, ok_body(4, 4)); });
  auto o = test_options(csv_, stub.url());
  o.target = loader::Target::kDryRun;
  o.chunker.batch_rows = 2;
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.rows, 4u);
  EXPECT_EQ(report.batches, 2u);
  EXPECT_GT(report.bytes_sent, 0u);
  EXPECT_EQ(report.requests, 0u);
  EXPECT_TRUE(stub.seen().empty());
}

// A fill whose rows-inserted is not the batch's rows is not counted as stored (exit 4).
TEST_F(StubLoad, WrongRowsInsertedIsARejection) {
  StubServer stub([](int, const Seen&) { return reply(200, ok_body(3, 3)); });
  auto o = test_options(csv_, stub.url());
  o.complete = false;
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kRejected);
  EXPECT_EQ(report.rows, 0u);
  EXPECT_NE(report.message.find("3 rows inserted, not 4"), std::string::npos) << report.message;
}

// Replace mode: the dataset's count at completion must be this load's rows (exit 6).
TEST_F(StubLoad, RowCountMismatchIsReported) {
  StubServer stub([](int, const Seen& s) {
    return s.target == "/dataset-complete" ? reply(200, ok_body(3, 0)) : reply(200, ok_body(4, 4));
  });
  auto o = test_options(csv_, stub.url());
  o.replace = true;
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kCountMismatch);
  EXPECT_NE(report.message.find("reports 3 rows in the dataset, but this load sent 4"),
            std::string::npos)
      << report.message;
}

}  // namespace
}  // namespace dsfill::testing
