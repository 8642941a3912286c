#include "net/retry_policy.h"

#include <chrono>
#include <ctime>

#include <gtest/gtest.h>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

#include "net/proxy.h"

namespace dsfill::net {
namespace {

using std::chrono::system_clock;

TEST(RetryPolicy, ClassifiesStatuses) {
  EXPECT_EQ(classify_status(200), Verdict::kSuccess);
  EXPECT_EQ(classify_status(201), Verdict::kSuccess);
  EXPECT_EQ(classify_status(408), Verdict::kRetry);
  EXPECT_EQ(classify_status(425), Verdict::kRetry);  // Too Early: asks for a retry
  EXPECT_EQ(classify_status(429), Verdict::kRetry);
  EXPECT_EQ(classify_status(500), Verdict::kRetry);
  EXPECT_EQ(classify_status(503), Verdict::kRetry);  // out of memory, in-flight budget
  EXPECT_EQ(classify_status(507), Verdict::kRetry);  // disk full: resumable once space is freed
  EXPECT_EQ(classify_status(409), Verdict::kRetryPause);
  EXPECT_EQ(classify_status(400), Verdict::kFatal);
  EXPECT_EQ(classify_status(401), Verdict::kFatal);
  EXPECT_EQ(classify_status(404), Verdict::kFatal);
  EXPECT_EQ(classify_status(422), Verdict::kFatal);
  EXPECT_EQ(classify_status(301), Verdict::kFatal);
  EXPECT_EQ(classify_status(501), Verdict::kFatal);  // the server cannot do POST: never will
  EXPECT_EQ(classify_status(505), Verdict::kFatal);
}

TEST(RetryPolicy, ClassifiesTransportErrors) {
  EXPECT_EQ(classify_error(boost::asio::error::connection_refused), Verdict::kRetry);
  EXPECT_EQ(classify_error(boost::asio::error::connection_reset), Verdict::kRetry);
  EXPECT_EQ(classify_error(boost::asio::error::timed_out), Verdict::kRetry);
  EXPECT_EQ(classify_error(boost::asio::error::operation_aborted), Verdict::kFatal);
  // OpenSSL's own errors (a failed verification, a plain-HTTP port) are not retried.
  EXPECT_EQ(
      classify_error(boost::system::error_code(0x0A000086, boost::asio::error::get_ssl_category())),
      Verdict::kFatalTls);
  // A proxy's refusal is not retried; a proxy that cannot reach the server is.
  EXPECT_EQ(classify_error(ProxyErrc::kAuthRequired), Verdict::kFatalProxy);
  EXPECT_EQ(classify_error(ProxyErrc::kRefused), Verdict::kFatalProxy);
  EXPECT_EQ(classify_error(ProxyErrc::kUnavailable), Verdict::kRetry);
  EXPECT_EQ(classify_error(ProxyErrc::kBadAnswer), Verdict::kRetry);
}

TEST(RetryPolicy, AnAnswerThatIsNotHttpIsNotRetriedOneCutShortIs) {
  namespace http = boost::beast::http;
  // Another protocol on the port (a bad status line or header) cannot be fixed by a retry.
  for (const auto e : {http::error::bad_version, http::error::bad_status,
                       http::error::bad_line_ending, http::error::bad_field}) {
    EXPECT_EQ(classify_error(http::make_error_code(e)), Verdict::kFatalNotHttp)
        << http::make_error_code(e).message();
  }
  // A connection closed before or during the answer is the network's.
  for (const auto e : {http::error::end_of_stream, http::error::partial_message,
                       http::error::short_read, http::error::bad_chunk}) {
    EXPECT_EQ(classify_error(http::make_error_code(e)), Verdict::kRetry)
        << http::make_error_code(e).message();
  }
}

TEST(RetryPolicy, DelaysStayWithinFullJitterBoundsAndCap) {
  RetryOptions options;
  options.base_delay = Millis(100);
  options.max_delay = Millis(1000);
  options.seed = 42;
  RetryPolicy policy(options);
  for (int retry = 1; retry <= 12; ++retry) {
    const std::int64_t cap = std::min<std::int64_t>(1000, 100LL << (retry - 1));
    Millis max_seen(0);
    for (int i = 0; i < 200; ++i) {
      const Millis d = policy.delay(retry, Verdict::kRetry, std::nullopt);
      ASSERT_GE(d.count(), 0);
      ASSERT_LE(d.count(), cap) << "retry " << retry;
      max_seen = std::max(max_seen, d);
    }
    // Full jitter uses the whole range, not just a sliver of it.
    EXPECT_GT(max_seen.count(), cap / 2) << "retry " << retry;
  }
}

TEST(RetryPolicy, SameSeedSameDelays) {
  RetryOptions options;
  options.seed = 7;
  RetryPolicy a(options), b(options);
  for (int retry = 1; retry < 10; ++retry) {
    EXPECT_EQ(a.delay(retry, Verdict::kRetry, std::nullopt),
              b.delay(retry, Verdict::kRetry, std::nullopt));
  }
}

TEST(RetryPolicy, RetryAfterIsAFloorAndCapped) {
  RetryOptions options;
  options.base_delay = Millis(10);
  options.max_delay = Millis(50);
  options.max_retry_after = Millis(5000);
  options.seed = 1;
  RetryPolicy policy(options);
  EXPECT_EQ(policy.delay(1, Verdict::kRetry, Millis(2000)), Millis(2000));
  EXPECT_EQ(policy.delay(1, Verdict::kRetry, Millis(3'600'000)), Millis(5000));
  EXPECT_EQ(policy.delay(1, Verdict::kRetryPause, std::nullopt), options.conflict_pause);
  EXPECT_EQ(policy.delay(3, Verdict::kRetryPause, Millis(1500)), Millis(1500));
}

TEST(RetryPolicy, ParsesRetryAfterSeconds) {
  const auto now = system_clock::now();
  EXPECT_EQ(parse_retry_after("0", now), Millis(0));
  EXPECT_EQ(parse_retry_after("120", now), Millis(120'000));
  EXPECT_EQ(parse_retry_after("  5 ", now), Millis(5000));
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_FALSE(parse_retry_after("-1", now));
  EXPECT_FALSE(parse_retry_after("1.5", now));
  EXPECT_FALSE(parse_retry_after("soon", now));
}

TEST(RetryPolicy, ParsesRetryAfterHttpDates) {
  // Sun, 06 Nov 1994 08:49:37 GMT
  const auto now = system_clock::from_time_t(784111777 - 30);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), Millis(30'000));
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now), Millis(30'000));
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:37 1994", now), Millis(30'000));
  // A date in the past means "now".
  EXPECT_EQ(
      parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", system_clock::from_time_t(784111777)),
      Millis(0));
  EXPECT_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:49:37", now));
  EXPECT_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT trailing", now));
}

TEST(RetryPolicy, PerRequestLimit) {
  RetryOptions options;
  options.max_retries = 3;
  options.budget_initial = 100;
  RetryPolicy policy(options);
  EXPECT_TRUE(policy.try_spend(1));
  EXPECT_TRUE(policy.try_spend(2));
  EXPECT_TRUE(policy.try_spend(3));
  EXPECT_FALSE(policy.try_spend(4));
}

TEST(RetryPolicy, BudgetStopsARetryStormAndRefillsOnSuccess) {
  RetryOptions options;
  options.max_retries = 100;
  options.budget_initial = 5;
  options.budget_per_success = 0.5;
  RetryPolicy policy(options);
  int granted = 0;
  while (policy.try_spend(1)) ++granted;
  EXPECT_EQ(granted, 5);
  EXPECT_FALSE(policy.try_spend(1));
  policy.on_success();
  EXPECT_FALSE(policy.try_spend(1));  // half a unit is not a retry
  policy.on_success();
  EXPECT_TRUE(policy.try_spend(1));
  for (int i = 0; i < 100; ++i) policy.on_success();
  EXPECT_DOUBLE_EQ(policy.budget(), 5);  // capped at the initial budget
}

}  // namespace
}  // namespace dsfill::net
