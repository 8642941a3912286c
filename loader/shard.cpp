#include "loader/shard.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>
#include <vector>

namespace dsfill::loader {

namespace {

constexpr int kEnd = -1;  // past the last byte
constexpr std::int64_t kBlock = 1 << 20;

// Reads forward from an offset in blocks, so scans cost one pread per block.
class Cursor {
 public:
  // The block is never larger than the file: each boundary search builds a Cursor, and a zeroed
  // 1 MiB buffer per search of a small file costs more than the search (5 ms each under ASan).
  Cursor(const ReadAt& read, std::int64_t size)
      : read_(read),
        size_(size),
        block_(static_cast<std::size_t>(std::clamp<std::int64_t>(size, 1, kBlock))) {}

  // Returns the byte at `offset` (kEnd past the end); offsets should mostly increase.
  Result<int> at(std::int64_t offset) {
    if (offset < 0 || offset >= size_) return kEnd;
    if (offset < base_ || offset >= base_ + static_cast<std::int64_t>(len_)) {
      auto got = read_(offset, block_.data(), block_.size());
      if (!got) return got.error();
      if (*got == 0) return kEnd;  // the file shrank under us: treat as its end
      base_ = offset;
      len_ = *got;
    }
    return static_cast<unsigned char>(block_[static_cast<std::size_t>(offset - base_)]);
  }

 private:
  const ReadAt& read_;
  std::int64_t size_;
  std::vector<char> block_;
  std::int64_t base_ = 0;
  std::size_t len_ = 0;
};

bool is_separator(int c, const codec::CsvDialect& d) {
  return c == '\n' || c == '\r' || c == static_cast<unsigned char>(d.delimiter);
}

// Returns whether the state at `cut` is inside quotes, from the first deciding quote after it;
// nullopt when none decides within `window` bytes or before the end (with quotes seen).
Result<std::optional<bool>> resolve_near(Cursor& in, std::int64_t size, std::int64_t cut,
                                         const codec::CsvDialect& d, std::int64_t window) {
  const int quote = static_cast<unsigned char>(d.quote);
  auto prev = cut > 0 ? in.at(cut - 1) : Result<int>('\n');  // the start acts as a new record
  if (!prev) return prev.error();
  int before = *prev;
  std::uint64_t quotes = 0;
  const std::int64_t stop = std::min(size, cut + window);
  for (std::int64_t p = cut; p < stop; ++p) {
    auto c = in.at(p);
    if (!c) return c.error();
    if (*c == quote) {
      auto after = in.at(p + 1);
      if (!after) return after.error();
      const bool sep_before = is_separator(before, d);
      const bool sep_after = *after == kEnd || is_separator(*after, d);
      std::optional<bool> inside_before;  // the state just before this quote, when decided
      if (sep_before && !sep_after && *after != quote) inside_before = false;  // opens a field
      if (!sep_before && before != quote && sep_after) inside_before = true;   // closes a field
      if (inside_before) return std::optional<bool>(*inside_before != (quotes % 2 == 1));
      ++quotes;
    }
    before = *c;
  }
  if (quotes == 0 && stop == size) return std::optional<bool>(false);
  return std::optional<bool>();
}

// Returns whether `cut` is inside quotes by counting every quote before it.
Result<bool> resolve_by_parity(Cursor& in, std::int64_t cut, const codec::CsvDialect& d) {
  const int quote = static_cast<unsigned char>(d.quote);
  bool inside = false;
  for (std::int64_t p = 0; p < cut; ++p) {
    auto c = in.at(p);
    if (!c) return c.error();
    if (*c == kEnd) break;
    if (*c == quote) inside = !inside;
  }
  return inside;
}

}  // namespace

Result<ShardSpec> parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  ShardSpec spec;
  auto number = [](std::string_view s, int& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
  };
  if (slash == std::string_view::npos || !number(text.substr(0, slash), spec.index) ||
      !number(text.substr(slash + 1), spec.count)) {
    return make_error(
        ErrorCode::kBadArgument,
        "--shard takes I/N, e.g. 0/4 for the first of four (got '" + std::string(text) + "')");
  }
  if (spec.count < 1 || spec.count > 100000 || spec.index < 0 || spec.index >= spec.count) {
    return make_error(ErrorCode::kBadArgument,
                      "--shard I/N needs 0 <= I < N <= 100000 (got '" + std::string(text) + "')");
  }
  return spec;
}

Result<Boundary> find_shard_boundary(const ReadAt& read, std::int64_t size, std::int64_t cut,
                                     const codec::CsvDialect& d, std::int64_t window) {
  if (cut <= 0) return Boundary{0, false};
  if (cut >= size) return Boundary{size, false};
  Cursor in(read, size);
  Boundary result;
  auto near = resolve_near(in, size, cut, d, std::max<std::int64_t>(window, 1));
  if (!near) return near.error();
  bool inside = false;
  if (*near) {
    inside = **near;
  } else {
    auto exact = resolve_by_parity(in, cut, d);
    if (!exact) return exact.error();
    inside = *exact;
    result.parity_scan = true;
  }
  const int quote = static_cast<unsigned char>(d.quote);
  for (std::int64_t p = cut; p < size; ++p) {
    auto c = in.at(p);
    if (!c) return c.error();
    if (*c == kEnd) break;
    if (*c == quote) {
      inside = !inside;
    } else if (!inside && (*c == '\n' || *c == '\r')) {
      std::int64_t end = p + 1;
      if (*c == '\r') {
        auto next = in.at(p + 1);
        if (!next) return next.error();
        if (*next == '\n') end = p + 2;
      }
      result.offset = end;
      return result;
    }
  }
  result.offset = size;
  return result;
}

Result<ShardRange> shard_range(const ReadAt& read, std::int64_t size, std::int64_t data_start,
                               ShardSpec spec, const codec::CsvDialect& dialect,
                               std::int64_t window) {
  auto boundary = [&](int i) -> Result<Boundary> {
    if (i == 0) return Boundary{data_start, false};
    if (i == spec.count) return Boundary{std::max(size, data_start), false};
    // size * i / N without overflow: (q*N + r) * i / N = q*i + r*i/N, and r*i < N*N.
    const std::int64_t q = size / spec.count, r = size % spec.count;
    const std::int64_t cut = q * i + r * i / spec.count;
    if (cut <= data_start) return Boundary{data_start, false};
    // Data starts outside quotes: what comes before it (the header, a --skip-lines preamble,
    // which need not be CSV) is left out of the quote-parity scan.
    const ReadAt from_data = [&read, data_start](std::int64_t offset, char* out, std::size_t n) {
      return read(offset + data_start, out, n);
    };
    auto b = find_shard_boundary(from_data, size - data_start, cut - data_start, dialect, window);
    if (b) b->offset += data_start;
    return b;
  };
  auto begin = boundary(spec.index);
  if (!begin) return begin.error();
  auto end = boundary(spec.index + 1);
  if (!end) return end.error();
  ShardRange range;
  range.begin = begin->offset;
  range.end = std::max(end->offset, range.begin);
  range.parity_scan = begin->parity_scan || end->parity_scan;
  return range;
}

ReadAt file_read_at(int fd, std::string path) {
  return [fd, path = std::move(path)](std::int64_t offset, char* out,
                                      std::size_t n) -> Result<std::size_t> {
    std::size_t done = 0;
    while (done < n) {
      const ssize_t got = ::pread(fd, out + done, n - done, offset + static_cast<off_t>(done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return make_error(ErrorCode::kIo, "cannot read " + path + ": " + std::strerror(errno), -1,
                          offset + static_cast<std::int64_t>(done));
      }
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    return done;
  };
}

Result<OpenShard> open_shard(const std::string& path, std::int64_t data_start, ShardSpec spec,
                             const codec::CsvDialect& dialect) {
  if (path == "-") {
    return make_error(ErrorCode::kBadArgument,
                      "--shard needs a file (every shard reads the same file), not standard input");
  }
  auto probe = InputReader::open(path);
  if (!probe) return probe.error();
  if (!probe->size()) {
    return make_error(ErrorCode::kBadArgument, "--shard needs a regular file: " + path);
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(ErrorCode::kIo, "cannot open " + path + ": " + std::strerror(errno));
  }
  auto range = shard_range(file_read_at(fd, path), *probe->size(), data_start, spec, dialect);
  ::close(fd);
  if (!range) return range.error();
  auto reader = InputReader::open(path, range->begin);
  if (!reader) return reader.error();
  reader->set_end(range->end);
  return OpenShard{std::move(*reader), *range};
}

}  // namespace dsfill::loader
