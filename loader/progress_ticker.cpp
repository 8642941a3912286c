#include "loader/progress_ticker.h"

#include <cstdio>
#include <utility>

#include "loader/log.h"
#include "loader/report.h"

namespace dsfill::loader {

using Clock = std::chrono::steady_clock;

ProgressTicker::ProgressTicker(boost::asio::io_context& io, std::optional<std::int64_t> total,
                               bool enabled,
                               std::shared_ptr<const std::atomic<std::int64_t>> compressed_read)
    : timer_(io),
      total_(total),
      compressed_read_(std::move(compressed_read)),
      enabled_(enabled),
      start_(Clock::now()) {}

void ProgressTicker::start(const BatchSink& sink) {
  sink_ = &sink;
  start_ = Clock::now();
  arm();
}

void ProgressTicker::arm() {
  if (!enabled_) return;
  timer_.expires_after(std::chrono::milliseconds(250));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    print();
    arm();
  });
}

void ProgressTicker::stop() {
  timer_.cancel();
  if (enabled_ && log_format() == LogFormat::kText) std::fputs("\r\x1b[K", stderr);
}

void ProgressTicker::print() {
  const SinkState& s = sink_->state();
  const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  // A compressed input's decompressed size is unknown: its progress is the file's.
  const std::uint64_t done =
      compressed_read_ ? static_cast<std::uint64_t>(compressed_read_->load()) : s.bytes_in;
  if (log_format() == LogFormat::kJson) {
    // A log line per 10 s, not per tick: JSON logs go to journals, not to a terminal.
    if (++ticks_ % 40 != 0) return;
    log(LogLevel::kInfo, "progress",
        {{"bytes", static_cast<std::int64_t>(s.bytes_in)},
         {"file_bytes", static_cast<std::int64_t>(done)},
         {"rows", static_cast<std::int64_t>(s.rows)},
         {"retries", static_cast<std::int64_t>(s.retries)},
         {"seconds", seconds}});
    return;
  }
  ProgressSnapshot snap{done, total_, s.rows, s.retries, seconds};
  std::fprintf(stderr, "\r%s\x1b[K", format_progress(snap).c_str());
  std::fflush(stderr);
}

}  // namespace dsfill::loader
