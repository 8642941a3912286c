// The files of a load: what several inputs (`a.csv b.csv.gz`, a folder, a quoted glob) expand
// to, how each file is identified, and which files a shard of such a load takes.
//
// Several files are one load (multi_load.h): one truncation in replace mode, one
// /dataset-complete, one checkpoint that records this list. A shard of a load of several files
// takes whole files, round robin by their place in the list: file i goes to shard i mod N. So
// every row goes to exactly one shard, compressed files included, with no boundary to find.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"

namespace dsfill::loader {

inline constexpr const char* kDefaultPattern = "*.csv*";

// What identifies one input file: equal identities mean the same bytes (for a resume).
struct FileIdentity {
  std::string path;         // absolute and normal
  std::int64_t size = 0;    // bytes (of the compressed file when compressed)
  std::string mtime;        // "seconds.nanoseconds"
  std::string head_sha256;  // SHA-256 (hex) of the first MiB (the whole file if smaller)
  std::string compression;  // "gzip", "zstd", "bzip2", "xz"; "" for a plain file
};

// Returns the identity of the regular file at `path`. Fails with kBadArgument when it is not a
// regular file (standard input, a pipe, a folder) and kIo when it cannot be read.
Result<FileIdentity> identify_file(const std::string& path);

// Returns the files `args` name, in order: a regular file as it is; a folder as its regular
// files whose names match `pattern` (fnmatch), sorted by name; an argument holding * ? or [
// that is not an existing file as the regular files glob(3) matches, sorted. "-" (standard
// input) only alone. Fails with kBadArgument for a folder or glob that matches nothing, a file
// named twice, or "-" among others, and kIo for a path that does not exist.
Result<std::vector<std::string>> expand_inputs(const std::vector<std::string>& args,
                                               const std::string& pattern = kDefaultPattern);

// Returns the places (0-based indexes into a list of `count` files) that shard `index` of
// `shards` loads: i with i mod shards == index.
std::vector<std::size_t> shard_files(std::size_t count, int index, int shards);

// Returns "" when `now` is the same list as `recorded` (same files, same order, same
// identities), else what differs, naming each file: "b.csv was added; c.csv changed (size: 10
// then 12)".
std::string file_list_difference(const std::vector<FileIdentity>& recorded,
                                 const std::vector<FileIdentity>& now);

}  // namespace dsfill::loader
