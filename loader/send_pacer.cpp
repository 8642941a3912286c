#include "loader/send_pacer.h"

#include <algorithm>

namespace dsfill::loader {

SendPacer::SendPacer(double bytes_per_second, double requests_per_second)
    : byte_rate_(std::max(0.0, bytes_per_second)),
      request_rate_(std::max(0.0, requests_per_second)),
      byte_burst_(byte_rate_ / 10) {}

void SendPacer::refill(Clock::time_point now) {
  if (!started_) {
    started_ = true;
    last_ = now;
    return;
  }
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  if (elapsed <= 0) return;
  last_ = now;
  if (byte_rate_ > 0) bytes_ = std::min(byte_burst_, bytes_ + elapsed * byte_rate_);
  if (request_rate_ > 0) requests_ = std::min(0.0, requests_ + elapsed * request_rate_);
}

SendPacer::Clock::duration SendPacer::wait(Clock::time_point now) {
  refill(now);
  double seconds = 0;
  if (byte_rate_ > 0 && bytes_ < 0) seconds = std::max(seconds, -bytes_ / byte_rate_);
  if (request_rate_ > 0 && requests_ < 0) seconds = std::max(seconds, -requests_ / request_rate_);
  if (seconds <= 0) return Clock::duration::zero();
  // Rounded up, so that the wake-up finds the debt paid.
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)) +
         Clock::duration(1);
}

void SendPacer::charge(std::uint64_t body_bytes, Clock::time_point now) {
  refill(now);
  if (byte_rate_ > 0) bytes_ -= static_cast<double>(body_bytes);
  if (request_rate_ > 0) requests_ -= 1;
}

}  // namespace dsfill::loader
