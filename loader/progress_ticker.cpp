#include "loader/progress_ticker.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "loader/log.h"
#include "loader/report.h"

namespace dsfill::loader {

using Clock = std::chrono::steady_clock;

std::size_t terminal_width() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    std::size_t n = 0;
    const char* end = columns + std::strlen(columns);
    auto [ptr, ec] = std::from_chars(columns, end, n);
    if (ec == std::errc() && ptr == end && n > 0) return n;
  }
  return 80;
}

ProgressTicker::ProgressTicker(boost::asio::io_context& io, std::optional<std::int64_t> total,
                               ProgressSettings settings,
                               std::shared_ptr<const std::atomic<std::int64_t>> compressed_read)
    : timer_(io),
      total_(total),
      compressed_read_(std::move(compressed_read)),
      settings_(settings),
      start_(Clock::now()),
      last_plain_(start_) {}

void ProgressTicker::start(const BatchSink& sink) {
  sink_ = &sink;
  start_offset_ = static_cast<std::uint64_t>(std::max<std::int64_t>(0, sink.acks().offset()));
  start_ = last_plain_ = Clock::now();
  arm();
}

void ProgressTicker::arm() {
  if (!settings_.enabled) return;
  timer_.expires_after(std::chrono::milliseconds(250));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    print();
    arm();
  });
}

void ProgressTicker::stop() {
  timer_.cancel();
  if (settings_.enabled && settings_.terminal && log_format() == LogFormat::kText) {
    set_progress_line_shown(false);
    std::fputs("\r\x1b[K", stderr);
  }
}

void ProgressTicker::print() {
  const SinkState& s = sink_->state();
  const auto now = Clock::now();
  const double seconds = std::chrono::duration<double>(now - start_).count();
  // A compressed input's decompressed size is unknown: its progress is the file's.
  const std::uint64_t done = compressed_read_ ? static_cast<std::uint64_t>(compressed_read_->load())
                                              : start_offset_ + s.bytes_in;
  if (log_format() == LogFormat::kJson) {
    // A log line per 10 s, not per tick: JSON logs go to journals, not to a terminal.
    if (++ticks_ % 40 != 0) return;
    log(LogLevel::kInfo, s.completing ? "completing dataset" : "progress",
        {{"bytes", static_cast<std::int64_t>(s.bytes_in)},
         {"file_bytes", static_cast<std::int64_t>(done)},
         {"rows", static_cast<std::int64_t>(s.rows)},
         {"retries", static_cast<std::int64_t>(s.retries)},
         {"seconds", seconds}});
    return;
  }
  ProgressSnapshot snap{done,
                        total_,
                        s.rows,
                        s.retries,
                        seconds,
                        compressed_read_ ? 0 : start_offset_,
                        s.last_retry_reason,
                        s.completing};
  if (!settings_.terminal) {
    // A file or a pipe: a whole line now and then, no "\r" or escapes to garble it.
    if (now - last_plain_ < settings_.plain_interval) return;
    last_plain_ = now;
    log(LogLevel::kInfo, format_progress(snap));
    return;
  }
  std::fprintf(stderr, "\r%s\x1b[K", format_progress(snap, terminal_width()).c_str());
  std::fflush(stderr);
  set_progress_line_shown(true);
}

}  // namespace dsfill::loader
