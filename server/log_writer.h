// The server's log: lines go through a bounded queue to one writer thread, so that handling a
// request never waits on stderr (a reader that stops draining the pipe used to freeze the server
// after ~816 requests, when the 64 KiB pipe filled).
//
// When the queue is full a line is dropped and counted. Once the writer has caught up (the
// queue is empty again) it writes "dsfill serve: N log lines dropped (stderr was not read fast
// enough)", and again at exit for lines dropped since. At exit it writes what is queued, but
// gives up after a few seconds if the descriptor accepts nothing (those lines count as dropped),
// so a stuck reader cannot stop the server from exiting.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "base/bounded_queue.h"

namespace dsfill::server {

class LogWriter {
 public:
  // Lines held at most while the writer waits on `fd`: about 50 KB of ordinary lines.
  static constexpr std::size_t kDefaultCapacity = 512;

  // Starts the writer thread, which writes to `fd` (stderr by default; not closed).
  explicit LogWriter(int fd = 2, std::size_t capacity = kDefaultCapacity);
  // Writes the queued lines (for at most a few seconds) and the dropped count, then joins.
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Queues `line` (a newline is added). Never blocks: a full queue drops the line.
  void write(std::string_view line);

  // Returns how many lines were dropped so far.
  std::uint64_t dropped() const { return dropped_.load(); }

 private:
  void run();
  // Writes `text` whole, waiting for the descriptor as needed; returns false when it was given
  // up on (stopping and the descriptor stayed full past the exit grace period).
  bool write_all(std::string_view text);

  int fd_;
  BoundedQueue<std::string> queue_;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<bool> stopping_{false};
  // The writer thread's own: when it stops waiting on a descriptor that accepts nothing at exit.
  std::chrono::steady_clock::time_point give_up_ = std::chrono::steady_clock::time_point::max();
  bool gave_up_ = false;
  std::thread thread_;  // last: it starts once the members above exist
};

}  // namespace dsfill::server
