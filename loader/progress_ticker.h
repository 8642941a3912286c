// The progress line: printed to stderr every 250 ms on the io thread while a load runs (a JSON
// log line every 10 s with --log-format json), from the sink's state.
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

class ProgressTicker {
 public:
  // `total`: the input's size when known. Disabled: start() and stop() do nothing. With
  // `compressed_read` (a compressed input), the line counts the compressed bytes read out of
  // `total`, the compressed file's size: its percentage and ETA are then of the file.
  ProgressTicker(boost::asio::io_context& io, std::optional<std::int64_t> total, bool enabled,
                 std::shared_ptr<const std::atomic<std::int64_t>> compressed_read = nullptr);

  // Starts ticking over `sink`'s state. REQUIRES: `sink` outlives the ticker's ticks.
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
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t ticks_ = 0;
};

}  // namespace dsfill::loader
