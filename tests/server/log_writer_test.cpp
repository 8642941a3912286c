#include "server/log_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace dsfill::server {
namespace {

// Reads `fd` until `needle` has arrived or the writer side is closed; returns what came.
std::string read_until(int fd, const std::string& needle) {
  std::string text;
  char buf[4096];
  while (text.find(needle) == std::string::npos) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return text;
}

TEST(LogWriter, NeverBlocksOnAPipeNobodyReadsAndCountsWhatItDrops) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::fcntl(fds[1], F_SETPIPE_SZ, 4096);  // one page: full after a few dozen lines
  std::string text;
  {
    LogWriter log(fds[1], 8);
    const std::string line(100, 'x');
    // Nobody reads yet: with a synchronous write this loop would stop once the pipe is full.
    for (int i = 0; i < 2000; ++i) log.write(line);
    EXPECT_GT(log.dropped(), 0u);
    const std::uint64_t dropped = log.dropped();
    // Reading lets the writer catch up, and it says what it dropped.
    text = read_until(fds[0], "log lines dropped");
    EXPECT_NE(text.find("dsfill serve: " + std::to_string(dropped) + " log lines dropped"),
              std::string::npos)
        << text.substr(text.size() > 300 ? text.size() - 300 : 0);
  }
  ::close(fds[1]);
  ::close(fds[0]);
}

TEST(LogWriter, WritesEveryLineWhenTheReaderKeepsUp) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    LogWriter log(fds[1]);
    log.write("first");
    log.write("second");
  }  // the destructor writes what is queued
  ::close(fds[1]);
  EXPECT_EQ(read_until(fds[0], "\x01"), "first\nsecond\n");
  ::close(fds[0]);
}

}  // namespace
}  // namespace dsfill::server
