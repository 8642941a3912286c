// Large sequential reads from a file or standard input ("-"); never holds the whole input.
//
// A compressed input (gzip, zstd, bzip2, xz: recognised by its magic bytes, not its name) reads
// as its decompressed bytes: every offset a caller sees is of the decompressed stream, and the
// decoding runs in whichever thread calls read() (the reader stage's). Memory: one compressed
// buffer and the decoder's state. A plain file takes the plain path: read(2) into the caller's
// buffer, no copy.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/error.h"
#include "loader/decompressor.h"

namespace dsfill::loader {

class InputReader {
 public:
  // Opens `path` ("-" is standard input) and skips to `start_offset`: a plain file seeks there;
  // a pipe or a compressed input reads (decodes) and drops the bytes before it, on the first
  // read. Fails with kIo naming the path and the system's reason.
  static Result<InputReader> open(const std::string& path, std::int64_t start_offset = 0);

  InputReader(InputReader&& other) noexcept;
  InputReader& operator=(InputReader&& other) noexcept;
  ~InputReader();

  // Reads up to `n` bytes into `out`; returns 0 only at end of input. A compressed input that
  // is corrupt or ends inside a stream fails with kBadCompressed, naming the codec, what is
  // wrong and the decompressed offset reached (not the path: callers name the input).
  Result<std::size_t> read(char* out, std::size_t n);

  // Makes reads stop at file offset `end_offset` (as at end of input), for one shard of a file.
  // REQUIRES: a plain file opened at or before `end_offset`.
  void set_end(std::int64_t end_offset) { end_ = end_offset; }

  // The file's size in bytes, when known (not for pipes); of the compressed file when compressed.
  std::optional<std::int64_t> size() const { return size_; }
  const std::string& path() const { return path_; }
  Compression compression() const { return compression_; }

  // The count of file bytes read so far (compressed bytes for a compressed input), updated as
  // reads go: the progress line reads it from another thread. Lives as long as any holder.
  std::shared_ptr<const std::atomic<std::int64_t>> file_bytes_read() const { return file_read_; }

 private:
  InputReader(int fd, std::string path, std::optional<std::int64_t> size, bool owned);
  // Reads from the file or pipe into `out`, after the bytes held in head_; 0 at its end.
  Result<std::size_t> read_file(char* out, std::size_t n);
  // Decodes into `out`: the compressed path of read().
  Result<std::size_t> read_decoded(char* out, std::size_t n);
  // Sniffs the first bytes for magic and sets up the decoder when they name a codec.
  Result<bool> detect();
  Error decode_error(const Error& e) const;

  int fd_ = -1;
  std::string path_;
  std::optional<std::int64_t> size_;
  bool owned_ = false;
  std::int64_t pos_ = 0;   // the offset of the next byte read (decompressed when compressed)
  std::int64_t end_ = -1;  // stop reading here; -1: at end of input
  std::int64_t skip_ = 0;  // bytes still to drop before the first byte handed out

  // What detect() read from a pipe to sniff: handed out before any further read.
  std::string head_;
  std::size_t head_used_ = 0;

  Compression compression_ = Compression::kNone;
  std::unique_ptr<Decompressor> decoder_;
  std::unique_ptr<char[]> in_;  // compressed bytes [in_begin_, in_end_) not yet decoded
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  bool file_eof_ = false;
  bool between_streams_ = false;  // the last stream ended; a next one starts with more input
  std::shared_ptr<std::atomic<std::int64_t>> file_read_ =
      std::make_shared<std::atomic<std::int64_t>>(0);
};

}  // namespace dsfill::loader
