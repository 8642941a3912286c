#include "loader/input_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace dsfill::loader {

namespace {

Error io_error(const std::string& path, const char* what, int err) {
  return make_error(ErrorCode::kIo, std::string(what) + " " + path + ": " + std::strerror(err));
}

}  // namespace

Result<InputReader> InputReader::open(const std::string& path, std::int64_t start_offset) {
  if (path == "-") {
    if (start_offset != 0) {
      // Skip the already-loaded prefix of a pipe by reading it: stdin cannot seek.
      InputReader reader(STDIN_FILENO, "<stdin>", std::nullopt, false);
      std::string sink(1 << 16, '\0');
      std::int64_t left = start_offset;
      while (left > 0) {
        const auto chunk = std::min(left, static_cast<std::int64_t>(sink.size()));
        auto n = reader.read(sink.data(), static_cast<std::size_t>(chunk));
        if (!n) return n.error();
        if (*n == 0)
          return make_error(ErrorCode::kIo, "standard input ended before the resume offset");
        left -= static_cast<std::int64_t>(*n);
      }
      return reader;
    }
    return InputReader(STDIN_FILENO, "<stdin>", std::nullopt, false);
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error(path, "cannot open", errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return io_error(path, "cannot stat", err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return io_error(path, "cannot read", EISDIR);
  }
  std::optional<std::int64_t> size;
  if (S_ISREG(st.st_mode)) size = st.st_size;
  if (start_offset > 0) {
    if (size && start_offset > *size) {
      ::close(fd);
      return make_error(ErrorCode::kIo, "resume offset " + std::to_string(start_offset) +
                                            " is past the end of " + path);
    }
    if (::lseek(fd, start_offset, SEEK_SET) < 0) {
      int err = errno;
      ::close(fd);
      return io_error(path, "cannot seek in", err);
    }
  }
  // Tell the kernel we read front to back, so readahead stays ahead of the chunker.
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  InputReader reader(fd, path, size, true);
  reader.pos_ = start_offset;
  return reader;
}

InputReader::InputReader(int fd, std::string path, std::optional<std::int64_t> size, bool owned)
    : fd_(fd), path_(std::move(path)), size_(size), owned_(owned) {}

InputReader::InputReader(InputReader&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      size_(other.size_),
      owned_(std::exchange(other.owned_, false)),
      pos_(other.pos_),
      end_(other.end_) {}

InputReader& InputReader::operator=(InputReader&& other) noexcept {
  if (this != &other) {
    if (owned_ && fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    size_ = other.size_;
    owned_ = std::exchange(other.owned_, false);
    pos_ = other.pos_;
    end_ = other.end_;
  }
  return *this;
}

InputReader::~InputReader() {
  if (owned_ && fd_ >= 0) ::close(fd_);
}

Result<std::size_t> InputReader::read(char* out, std::size_t n) {
  if (end_ >= 0) {
    const auto wanted = static_cast<std::int64_t>(n);
    n = static_cast<std::size_t>(std::clamp<std::int64_t>(end_ - pos_, 0, wanted));
  }
  if (n == 0) return std::size_t{0};
  for (;;) {
    ssize_t got = ::read(fd_, out, n);
    if (got >= 0) {
      pos_ += got;
      return static_cast<std::size_t>(got);
    }
    if (errno == EINTR) continue;
    return io_error(path_, "cannot read", errno);
  }
}

}  // namespace dsfill::loader
