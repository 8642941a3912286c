// The progress line: printed to stderr every 250 ms on the io thread while a load runs (a JSON
// log line every 10 s with --log-format json), from the sink's state.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "loader/sink.h"

namespace dsfill::loader {

class ProgressTicker {
 public:
  // `total`: the input's size when known. Disabled: start() and stop() do nothing.
  ProgressTicker(boost::asio::io_context& io, std::optional<std::int64_t> total, bool enabled);

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
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t ticks_ = 0;
};

}  // namespace dsfill::loader
