#include "server/log_writer.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>

#include <fmt/format.h>

namespace dsfill::server {

namespace {

// How long the writer keeps trying at exit when the descriptor accepts nothing.
constexpr auto kExitGrace = std::chrono::seconds(3);

}  // namespace

LogWriter::LogWriter(int fd, std::size_t capacity)
    : fd_(fd), queue_(capacity), thread_([this] { run(); }) {}

LogWriter::~LogWriter() {
  stopping_ = true;
  queue_.close();
  thread_.join();
}

void LogWriter::write(std::string_view line) {
  std::string text;
  text.reserve(line.size() + 1);
  text.append(line);
  text.push_back('\n');
  if (!queue_.try_push(std::move(text))) ++dropped_;
}

bool LogWriter::write_all(std::string_view text) {
  using Clock = std::chrono::steady_clock;
  if (gave_up_) return false;
  while (!text.empty()) {
    // Wait until a pipe has PIPE_BUF bytes of room, so that the write of at most PIPE_BUF
    // bytes below does not block, and the exit deadline can be checked every 100 ms.
    pollfd p{fd_, POLLOUT, 0};
    const int ready = ::poll(&p, 1, 100);
    if (ready < 0 && errno != EINTR) return false;
    if (ready <= 0) {
      if (stopping_ && give_up_ == Clock::time_point::max()) give_up_ = Clock::now() + kExitGrace;
      if (Clock::now() >= give_up_) gave_up_ = true;
      if (gave_up_) return false;
      continue;
    }
    if ((p.revents & (POLLERR | POLLNVAL)) != 0) return false;  // nobody will read it: a drop
    const std::size_t n = text.size() < PIPE_BUF ? text.size() : PIPE_BUF;
    const ssize_t wrote = ::write(fd_, text.data(), n);
    if (wrote < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(wrote));
  }
  return true;
}

void LogWriter::run() {
  std::uint64_t reported = 0;
  const auto report = [&] {
    const std::uint64_t dropped = dropped_.load();
    if (dropped == reported) return;
    const std::string line =
        fmt::format("dsfill serve: {} log lines dropped (stderr was not read fast enough)\n",
                    dropped - reported);
    if (write_all(line)) reported = dropped;
  };
  while (auto line = queue_.pop()) {
    if (!write_all(*line)) ++dropped_;
    if (queue_.size() == 0) report();  // caught up
  }
  report();
}

}  // namespace dsfill::server
