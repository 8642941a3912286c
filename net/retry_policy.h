// When and how long to wait before retrying a request: capped exponential backoff with full
// jitter, Retry-After honoured (and capped), a per-request attempt limit and a load-wide budget
// so that a server that is down for good ends the load instead of feeding a retry storm.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include <boost/system/error_code.hpp>

namespace dsfill::net {

using Millis = std::chrono::milliseconds;

// What to do with the outcome of one request.
enum class Verdict : std::uint8_t {
  kSuccess,     // 2xx
  kRetry,       // connect error, timeout, reset, 408, 425, 429, 5xx: back off and retry (507,
                // disk full, too: space may be freed; when retries run out the load stops
                // as "gave up on the network", resumable when a checkpoint was kept)
  kRetryPause,  // 409: the same request is still in progress on the server; pause, retry
  kFatal,       // any other status (501 and 505 too): fail the load with the server's message
  // A TLS failure (handshake, certificate verification, a plain-HTTP port answering https):
  // retrying cannot fix it, so the load fails at once with the reason.
  kFatalTls,
  // A proxy refused us (407 credentials, 403, ...): retrying cannot fix it either.
  kFatalProxy,
  // The peer answered bytes that are not HTTP (a bad status line or header: another protocol
  // on that port, e.g. TLS answering http://): the URL is wrong, retrying cannot fix it.
  kFatalNotHttp,
};

// Classifies an HTTP status (REQUIRES: 100 <= status <= 599).
Verdict classify_status(unsigned status);
// Classifies a transport failure (no response): every one is retried, but aborts (our own
// cancellation) are fatal, and so are TLS errors (kFatalTls), a proxy's refusal (kFatalProxy)
// and an answer whose status line or header is not HTTP (kFatalNotHttp); a proxy that cannot
// reach the server (502, 503, 504) and an answer cut short are retried.
Verdict classify_error(const boost::system::error_code& ec);

// Parses a Retry-After value: delta-seconds ("120") or an HTTP-date (IMF-fixdate, RFC 850 or
// asctime form), relative to `now`. Returns nullopt when it is neither; a date in the past is 0.
std::optional<Millis> parse_retry_after(std::string_view value,
                                        std::chrono::system_clock::time_point now);

struct RetryOptions {
  int max_retries = 10;             // retries of one request (attempts = max_retries + 1)
  Millis base_delay{200};           // the first backoff's cap
  Millis max_delay{30'000};         // no backoff cap exceeds this
  Millis max_retry_after{120'000};  // a longer Retry-After is cut to this
  Millis conflict_pause{1'000};     // the wait after a 409
  // --retry-max-time: no retry of one request starts later than this after its first failure
  // (as curl's option), so that a dead route ends the load in bounded time. 0: no bound.
  Millis max_retry_time{60'000};
  // Budget: starts with `budget_initial` retries; each success earns `budget_per_success`
  // (up to `budget_initial`); each retry spends one. Empty budget: give up.
  double budget_initial = 50;
  double budget_per_success = 0.2;
  std::uint64_t seed = 0;  // 0: seed from std::random_device
};

// Not thread-safe: the sender uses it from its one io_context thread.
class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options);

  // Returns the delay before retry number `retry` (1-based) of a request after `verdict`:
  // kRetry: uniform in [0, min(max_delay, base_delay * 2^(retry-1))] (full jitter), but at least
  //         the Retry-After value when one was given (capped at max_retry_after);
  // kRetryPause: conflict_pause, or Retry-After when given (capped).
  Millis delay(int retry, Verdict verdict, std::optional<Millis> retry_after);

  // Returns true and spends one unit if a retry number `retry` may happen: within max_retries
  // and the budget holds at least one unit.
  bool try_spend(int retry);
  // Records a success, refilling the budget a little.
  void on_success();

  double budget() const { return budget_; }
  const RetryOptions& options() const { return options_; }

 private:
  RetryOptions options_;
  std::mt19937_64 rng_;
  double budget_;
};

}  // namespace dsfill::net
