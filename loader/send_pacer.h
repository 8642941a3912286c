// Paces request starts under --max-rate (body bytes per second) and --max-requests-per-second,
// for shared links and quota'd APIs: two token buckets shared by all connections.
//
// A request may start when neither bucket is in debt; starting it charges its body (and one
// request), which may put a bucket in debt, so a body larger than a bucket's burst still goes
// out and the next start waits until the debt is paid back. Over a load the bytes sent per
// second therefore approach the limit from below whatever the body sizes; the granularity is
// one request (the loader cuts batches small enough under --max-rate to keep it fine).
#pragma once

#include <chrono>
#include <cstdint>

namespace dsfill::loader {

class SendPacer {
 public:
  using Clock = std::chrono::steady_clock;

  // `bytes_per_second`, `requests_per_second`: 0 for no limit. Both buckets start empty, so
  // the first request starts at once and the rate holds from it on.
  SendPacer(double bytes_per_second, double requests_per_second);

  bool active() const { return byte_rate_ > 0 || request_rate_ > 0; }
  // How long from `now` until a request may start (zero: now).
  Clock::duration wait(Clock::time_point now);
  // Charges a request of `body_bytes` starting at `now`.
  void charge(std::uint64_t body_bytes, Clock::time_point now);

 private:
  void refill(Clock::time_point now);

  double byte_rate_;
  double request_rate_;
  double byte_burst_;    // the most bytes an idle spell saves up (a tenth of a second's)
  double bytes_ = 0;     // tokens; negative: debt
  double requests_ = 0;  // tokens; at most 0 (no burst), negative: debt
  Clock::time_point last_{};
  bool started_ = false;
};

}  // namespace dsfill::loader
