#include "net/retry_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <ctime>
#include <string>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

#include "net/proxy.h"

namespace dsfill::net {

using http_error = boost::beast::http::error;

Verdict classify_status(unsigned status) {
  if (status >= 200 && status < 300) return Verdict::kSuccess;
  // 501 (the method is not implemented) and 505 (the HTTP version is not supported) say what
  // the server can never do: no retry fixes them.
  if (status == 501 || status == 505) return Verdict::kFatal;
  // 425 Too Early: the server asks for the same request again later (RFC 8470).
  if (status == 408 || status == 425 || status == 429 || status >= 500) return Verdict::kRetry;
  if (status == 409) return Verdict::kRetryPause;
  return Verdict::kFatal;
}

Verdict classify_error(const boost::system::error_code& ec) {
  if (ec == boost::asio::error::operation_aborted) return Verdict::kFatal;
  // The SSL category holds OpenSSL's own errors (handshake, verification, protocol); a stream
  // cut short (the stream category) is the network's and is retried.
  if (ec.category() == boost::asio::error::get_ssl_category()) return Verdict::kFatalTls;
  if (ec == ProxyErrc::kAuthRequired || ec == ProxyErrc::kRefused) return Verdict::kFatalProxy;
  if (ec.category() == make_error_code(http_error::bad_version).category()) {
    switch (static_cast<http_error>(ec.value())) {
      // The start of the answer is not HTTP: what listens there speaks something else.
      case http_error::bad_line_ending:
      case http_error::bad_version:
      case http_error::bad_status:
      case http_error::bad_reason:
      case http_error::bad_field:
      case http_error::bad_value:
      case http_error::bad_obs_fold:
      case http_error::bad_content_length:
      case http_error::multiple_content_length:
      case http_error::bad_transfer_encoding:
      case http_error::header_limit:
        return Verdict::kFatalNotHttp;
      default:  // cut short (end_of_stream, partial_message, ...) or a broken chunk: the network
        return Verdict::kRetry;
    }
  }
  return Verdict::kRetry;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses the three date forms of RFC 9110 section 5.6.7 into UTC seconds since the epoch.
std::optional<std::time_t> parse_http_date(std::string_view value) {
  const std::string text(value);
  static constexpr std::array<const char*, 3> kFormats = {
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
      "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850:     Sunday, 06-Nov-94 08:49:37 GMT
      "%a %b %e %H:%M:%S %Y",       // asctime:     Sun Nov  6 08:49:37 1994
  };
  for (const char* format : kFormats) {
    std::tm tm{};
    const char* end = ::strptime(text.c_str(), format, &tm);
    if (end == nullptr || *end != '\0') continue;
    const std::time_t t = ::timegm(&tm);
    if (t == static_cast<std::time_t>(-1)) continue;
    return t;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Millis> parse_retry_after(std::string_view value,
                                        std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::uint64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    // Saturate absurd values; the policy caps them anyway.
    if (ec != std::errc() || seconds > 1'000'000'000ULL) seconds = 1'000'000'000ULL;
    return Millis(static_cast<std::int64_t>(seconds) * 1000);
  }
  auto date = parse_http_date(value);
  if (!date) return std::nullopt;
  const auto when = std::chrono::system_clock::from_time_t(*date);
  if (when <= now) return Millis(0);
  return std::chrono::duration_cast<Millis>(when - now);
}

RetryPolicy::RetryPolicy(RetryOptions options)
    : options_(options),
      rng_(options.seed != 0 ? options.seed : std::random_device{}()),
      budget_(options.budget_initial) {}

Millis RetryPolicy::delay(int retry, Verdict verdict, std::optional<Millis> retry_after) {
  if (retry_after) *retry_after = std::min(*retry_after, options_.max_retry_after);
  if (verdict == Verdict::kRetryPause) return retry_after ? *retry_after : options_.conflict_pause;
  // Full jitter (uniform in [0, cap]) spreads K senders that failed together.
  const int shift = std::clamp(retry - 1, 0, 30);
  const auto base = static_cast<double>(options_.base_delay.count());
  const auto cap = std::min(static_cast<double>(options_.max_delay.count()),
                            base * static_cast<double>(1LL << shift));
  std::uniform_int_distribution<std::int64_t> dist(0, static_cast<std::int64_t>(cap));
  Millis d(dist(rng_));
  if (retry_after) d = std::max(d, *retry_after);
  return d;
}

bool RetryPolicy::try_spend(int retry) {
  if (retry > options_.max_retries || budget_ < 1.0) return false;
  budget_ -= 1.0;
  return true;
}

void RetryPolicy::on_success() {
  budget_ = std::min(options_.budget_initial, budget_ + options_.budget_per_success);
}

}  // namespace dsfill::net
