// The SHA-256 of a file's acknowledged prefix, so that a file fixed after a failed load can be
// resumed when the bytes the server already stored are unchanged (checkpoint.h:
// Checkpoint::prefix_sha256).
//
// PrefixHasher keeps a running SHA-256 and reads the file itself from where it stopped up to
// each new end of the prefix, in order, through one bounded buffer: memory stays constant
// whatever the load's size, each byte is hashed once, and the bytes come from the page cache
// the reader has just filled. Plain files only: a compressed file's offsets are of its
// decompressed data, and its resume keeps the strict check of size, mtime and head.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/error.h"

namespace dsfill::loader {

class PrefixHasher {
 public:
  explicit PrefixHasher(std::string path);
  ~PrefixHasher();
  PrefixHasher(const PrefixHasher&) = delete;
  PrefixHasher& operator=(const PrefixHasher&) = delete;

  // Returns the hex SHA-256 of the file's first `end` bytes, hashing only the bytes past those
  // hashed before. `end` must not go back. Fails with kIo when the file cannot be read or ends
  // before `end`.
  Result<std::string> hash_to(std::int64_t end);

 private:
  struct State;
  std::string path_;
  std::unique_ptr<State> state_;
};

// Returns the hex SHA-256 of the first `bytes` bytes of the file at `path` (kIo when it is
// shorter or cannot be read).
Result<std::string> file_prefix_sha256(const std::string& path, std::int64_t bytes);

}  // namespace dsfill::loader
