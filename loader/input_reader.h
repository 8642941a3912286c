// Large sequential reads from a file or standard input ("-"); never holds the whole input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "base/error.h"

namespace dsfill::loader {

class InputReader {
 public:
  // Opens `path` ("-" is standard input) and, for files, seeks to `start_offset`.
  // Fails with kIo naming the path and the system's reason.
  static Result<InputReader> open(const std::string& path, std::int64_t start_offset = 0);

  InputReader(InputReader&& other) noexcept;
  InputReader& operator=(InputReader&& other) noexcept;
  ~InputReader();

  // Reads up to `n` bytes into `out`; returns 0 only at end of input.
  Result<std::size_t> read(char* out, std::size_t n);

  // Makes reads stop at file offset `end_offset` (as at end of input), for one shard of a file.
  // REQUIRES: a file opened at or before `end_offset`.
  void set_end(std::int64_t end_offset) { end_ = end_offset; }

  // The file's size in bytes, when known (not for pipes).
  std::optional<std::int64_t> size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  InputReader(int fd, std::string path, std::optional<std::int64_t> size, bool owned);
  int fd_ = -1;
  std::string path_;
  std::optional<std::int64_t> size_;
  bool owned_ = false;
  std::int64_t pos_ = 0;   // the offset of the next byte read
  std::int64_t end_ = -1;  // stop reading here; -1: at end of input
};

}  // namespace dsfill::loader
