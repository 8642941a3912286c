// The progress line: on a terminal, redrawn on stderr every 250 ms on the io thread while a load
// runs, fitted to the terminal's width; without one (--progress always into a file or a pipe),
// one plain line every --stats-interval, with no control characters; with --log-format json, a
// JSON log line every 10 s. All from the sink's state.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "loader/sink.h"

namespace dsfill::loader {

// Returns the columns of the terminal on standard error (TIOCGWINSZ), else $COLUMNS, else 80.
std::size_t terminal_width();

struct ProgressSettings {
  bool enabled = false;  // disabled: start() and stop() do nothing
  // stderr is a terminal: the line is redrawn in place ("\r", "ESC[K"); otherwise plain lines.
  bool terminal = false;
  std::chrono::milliseconds plain_interval{60'000};  // between plain lines
};

class ProgressTicker {
 public:
  // `total`: the input's size when known. With `compressed_read` (a compressed input), the line
  // counts the compressed bytes read out of `total`, the compressed file's size: its percentage
  // and ETA are then of the file.
  ProgressTicker(boost::asio::io_context& io, std::optional<std::int64_t> total,
                 ProgressSettings settings,
                 std::shared_ptr<const std::atomic<std::int64_t>> compressed_read = nullptr);

  // Starts ticking over `sink`'s state, counting the bytes before its acknowledged offset (a
  // resume's, or the header's end) as done. REQUIRES: `sink` outlives the ticker's ticks.
  void start(const BatchSink& sink);
  // Stops ticking and clears the line.
  void stop();

 private:
  void arm();
  void print();

  boost::asio::steady_timer timer_;
  const BatchSink* sink_ = nullptr;
  std::optional<std::int64_t> total_;
  std::shared_ptr<const std::atomic<std::int64_t>> compressed_read_;
  ProgressSettings settings_;
  std::uint64_t start_offset_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_plain_;
  std::uint64_t ticks_ = 0;
};

}  // namespace dsfill::loader
