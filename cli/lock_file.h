// A job's lock: an flock(2) on a lock file, so two runs of the same job never overlap.
//
// The kernel drops the lock when the process ends, however it ends, so a crashed run never
// leaves a stale lock behind. The file itself stays (removing it would let a third run lock a
// fresh inode while a second still holds the old one); it holds the holder's pid for messages.
#pragma once

#include <optional>
#include <string>

namespace dsfill::cli {

class LockFile {
 public:
  // Takes the lock on `path` (creating the file) without waiting and writes our pid into it.
  // Returns nullopt and sets `holder_pid` (0 when unknown) when another process holds it.
  // Throws UsageError when the file cannot be opened.
  static std::optional<LockFile> try_acquire(const std::string& path, long& holder_pid);

  LockFile(LockFile&& other) noexcept;
  LockFile& operator=(LockFile&& other) noexcept;
  ~LockFile();  // releases the lock

  const std::string& path() const { return path_; }

 private:
  LockFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

}  // namespace dsfill::cli
