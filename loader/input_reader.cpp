#include "loader/input_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "loader/log.h"

namespace dsfill::loader {

namespace {

// Compressed bytes read per read(2): large enough that a decoder call does real work,
// small enough to stay in L2 while it is decoded.
constexpr std::size_t kCompressedRead = 256u << 10;

Error io_error(const std::string& path, const char* what, int err) {
  return make_error(ErrorCode::kIo, std::string(what) + " " + path + ": " + std::strerror(err));
}

// Returns up to kMagicBytes from offset 0 of the file open as `fd`, without moving it.
Result<std::string> file_head(int fd, const std::string& path) {
  char head[kMagicBytes];
  for (;;) {
    const ssize_t got = ::pread(fd, head, sizeof head, 0);
    if (got >= 0) return std::string(head, static_cast<std::size_t>(got));
    if (errno != EINTR) return io_error(path, "cannot read", errno);
  }
}

}  // namespace

Result<InputReader> InputReader::open(const std::string& path, std::int64_t start_offset) {
  if (path == "-") {
    InputReader reader(STDIN_FILENO, "<stdin>", std::nullopt, false);
    // A pipe cannot seek: the prefix is read and dropped, on the first read.
    reader.skip_ = start_offset;
    auto sniffed = reader.detect();
    if (!sniffed) return sniffed.error();
    return reader;
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
  InputReader reader(fd, path, size, true);
  if (!size) {
    reader.skip_ = start_offset;  // a FIFO: read and drop, like standard input
    auto sniffed = reader.detect();
    if (!sniffed) return sniffed.error();
    return reader;
  }
  auto head = file_head(fd, path);
  if (!head) return head.error();
  reader.head_ = std::move(*head);
  reader.head_used_ = reader.head_.size();  // pread does not move the file: nothing to hand out
  auto sniffed = reader.detect();
  if (!sniffed) return sniffed.error();
  // Tell the kernel we read front to back, so readahead stays ahead of the chunker.
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  if (start_offset <= 0) return reader;
  if (reader.compression_ != Compression::kNone) {
    // No offset of the decompressed stream maps to one of the file without decoding up to it.
    log(LogLevel::kInfo,
        path + " is " + compression_name(reader.compression_) +
            "-compressed: decompressing again from its start to skip to decompressed byte " +
            std::to_string(start_offset),
        {{"input", path}, {"skip_bytes", start_offset}});
    reader.skip_ = start_offset;
    return reader;
  }
  if (start_offset > *size) {
    return make_error(ErrorCode::kIo, "resume offset " + std::to_string(start_offset) +
                                          " is past the end of " + path);
  }
  if (::lseek(fd, start_offset, SEEK_SET) < 0) return io_error(path, "cannot seek in", errno);
  reader.pos_ = start_offset;
  return reader;
}

Result<bool> InputReader::detect() {
  if (!size_) {
    // A pipe: read the magic's worth and hand it out again before anything else.
    std::string head(kMagicBytes, '\0');
    std::size_t got = 0;
    while (got < head.size()) {
      auto n = read_file(head.data() + got, head.size() - got);
      if (!n) return n.error();
      if (*n == 0) break;
      got += *n;
    }
    head.resize(got);
    head_ = std::move(head);
    head_used_ = 0;
  }
  compression_ = detect_compression(head_);
  if (compression_ == Compression::kNone) return true;
  auto decoder = make_decompressor(compression_);
  if (!decoder) return decoder.error();
  decoder_ = std::move(*decoder);
  in_ = std::make_unique_for_overwrite<char[]>(kCompressedRead);
  return true;
}

InputReader::InputReader(int fd, std::string path, std::optional<std::int64_t> size, bool owned)
    : fd_(fd), path_(std::move(path)), size_(size), owned_(owned) {}

InputReader::InputReader(InputReader&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      size_(other.size_),
      owned_(std::exchange(other.owned_, false)),
      pos_(other.pos_),
      end_(other.end_),
      skip_(other.skip_),
      head_(std::move(other.head_)),
      head_used_(other.head_used_),
      compression_(other.compression_),
      decoder_(std::move(other.decoder_)),
      in_(std::move(other.in_)),
      in_begin_(other.in_begin_),
      in_end_(other.in_end_),
      file_eof_(other.file_eof_),
      between_streams_(other.between_streams_),
      file_read_(other.file_read_) {}

InputReader& InputReader::operator=(InputReader&& other) noexcept {
  if (this != &other) {
    if (owned_ && fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    size_ = other.size_;
    owned_ = std::exchange(other.owned_, false);
    pos_ = other.pos_;
    end_ = other.end_;
    skip_ = other.skip_;
    head_ = std::move(other.head_);
    head_used_ = other.head_used_;
    compression_ = other.compression_;
    decoder_ = std::move(other.decoder_);
    in_ = std::move(other.in_);
    in_begin_ = other.in_begin_;
    in_end_ = other.in_end_;
    file_eof_ = other.file_eof_;
    between_streams_ = other.between_streams_;
    file_read_ = other.file_read_;
  }
  return *this;
}

InputReader::~InputReader() {
  if (owned_ && fd_ >= 0) ::close(fd_);
}

Result<std::size_t> InputReader::read_file(char* out, std::size_t n) {
  if (head_used_ < head_.size()) {
    const std::size_t k = std::min(n, head_.size() - head_used_);
    std::memcpy(out, head_.data() + head_used_, k);
    head_used_ += k;
    return k;
  }
  for (;;) {
    ssize_t got = ::read(fd_, out, n);
    if (got >= 0) {
      file_read_->fetch_add(got, std::memory_order_relaxed);
      return static_cast<std::size_t>(got);
    }
    if (errno == EINTR) continue;
    return io_error(path_, "cannot read", errno);
  }
}

Error InputReader::decode_error(const Error& e) const {
  return make_error(e.code,
                    e.message + ", at byte " + std::to_string(pos_) + " of the decompressed data");
}

Result<std::size_t> InputReader::read_decoded(char* out, std::size_t n) {
  for (;;) {
    if (in_begin_ == in_end_ && !file_eof_) {
      auto got = read_file(in_.get(), kCompressedRead);
      if (!got) return got.error();
      in_begin_ = 0;
      in_end_ = *got;
      file_eof_ = *got == 0;
    }
    const std::size_t avail = in_end_ - in_begin_;
    if (between_streams_) {
      if (avail == 0) {
        if (file_eof_) return std::size_t{0};  // the input ends where a stream ends
        continue;
      }
      decoder_->reset();  // the next gzip member, zstd frame, bzip2 stream
      between_streams_ = false;
    }
    auto step = decoder_->step(in_.get() + in_begin_, avail, out, n, file_eof_);
    if (!step) return decode_error(step.error());
    in_begin_ += step->consumed;
    pos_ += static_cast<std::int64_t>(step->produced);
    between_streams_ = step->stream_end;
    if (step->produced > 0) return step->produced;
    if (step->stream_end || step->consumed > 0) continue;
    if (file_eof_) {
      return decode_error(make_error(ErrorCode::kBadCompressed,
                                     std::string("truncated ") + compression_name(compression_) +
                                         " data: the file ends inside a compressed stream"));
    }
    // No progress without the file's end: the decoder wants more input than is buffered.
    if (in_begin_ == 0 && in_end_ == kCompressedRead) {
      return make_error(ErrorCode::kInternal, "the decoder of " + path_ + " made no progress");
    }
    std::memmove(in_.get(), in_.get() + in_begin_, avail);
    in_begin_ = 0;
    in_end_ = avail;
    auto got = read_file(in_.get() + in_end_, kCompressedRead - in_end_);
    if (!got) return got.error();
    in_end_ += *got;
    file_eof_ = *got == 0;
  }
}

Result<std::size_t> InputReader::read(char* out, std::size_t n) {
  while (skip_ > 0) {
    // A resume of a pipe or a compressed input: drop the acknowledged prefix first.
    char drop[64u << 10];
    const auto want = static_cast<std::size_t>(
        std::min<std::int64_t>(skip_, static_cast<std::int64_t>(sizeof drop)));
    auto got = decoder_ ? read_decoded(drop, want) : read_file(drop, want);
    if (!got) return got.error();
    if (*got == 0) {
      return make_error(ErrorCode::kIo,
                        (path_ == "<stdin>" ? std::string("standard input") : path_) +
                            " ended at byte " + std::to_string(pos_) +
                            ", before the resume offset " + std::to_string(pos_ + skip_));
    }
    if (!decoder_) pos_ += static_cast<std::int64_t>(*got);
    skip_ -= static_cast<std::int64_t>(*got);
  }
  if (decoder_) return read_decoded(out, n);
  if (end_ >= 0) {
    const auto wanted = static_cast<std::int64_t>(n);
    n = static_cast<std::size_t>(std::clamp<std::int64_t>(end_ - pos_, 0, wanted));
  }
  if (n == 0) return std::size_t{0};
  auto got = read_file(out, n);
  if (got) pos_ += static_cast<std::int64_t>(*got);
  return got;
}

}  // namespace dsfill::loader
