#include "loader/file_list.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "loader/decompressor.h"
#include "loader/load_id.h"

namespace dsfill::loader {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kHeadBytes = 1u << 20;

Error io_error(const std::string& what, const std::string& path, int err) {
  return make_error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(err));
}

// Returns the hex SHA-256 of the first MiB of the file open as `fd`.
Result<std::string> head_sha256(int fd, const std::string& path) {
  std::string head(kHeadBytes, '\0');
  std::size_t got = 0;
  while (got < head.size()) {
    const ssize_t n = ::pread(fd, head.data() + got, head.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot read", path, errno);
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  head.resize(got);
  return sha256_hex(head);
}

bool is_regular(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_pattern(const std::string& arg) { return arg.find_first_of("*?[") != std::string::npos; }

// Appends the regular files of folder `dir` whose names match `pattern`, sorted by name.
Result<bool> add_folder(const std::string& dir, const std::string& pattern,
                        std::vector<std::string>& out) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (::fnmatch(pattern.c_str(), name.c_str(), FNM_PERIOD) != 0) continue;
    if (is_regular(it->path().string())) names.push_back(name);
  }
  if (ec) return make_error(ErrorCode::kIo, "cannot list " + dir + ": " + ec.message());
  if (names.empty()) {
    return make_error(ErrorCode::kBadArgument,
                      "the folder " + dir + " holds no regular file matching --pattern " + pattern);
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) out.push_back((fs::path(dir) / name).string());
  return true;
}

// Appends the regular files glob(3) matches for `pattern` (sorted by glob).
Result<bool> add_glob(const std::string& pattern, std::vector<std::string>& out) {
  glob_t g{};
  const int rc = ::glob(pattern.c_str(), GLOB_ERR, nullptr, &g);
  std::vector<std::string> found;
  for (std::size_t i = 0; rc == 0 && i < g.gl_pathc; ++i) {
    if (is_regular(g.gl_pathv[i])) found.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  if (rc == GLOB_ABORTED) return make_error(ErrorCode::kIo, "cannot read a folder of " + pattern);
  if (found.empty()) {
    return make_error(ErrorCode::kBadArgument, "no regular file matches " + pattern);
  }
  out.insert(out.end(), found.begin(), found.end());
  return true;
}

std::string identity_change(const FileIdentity& was, const FileIdentity& is) {
  std::string out;
  auto check = [&](const char* name, const std::string& a, const std::string& b) {
    if (a == b) return;
    out += (out.empty() ? "" : ", ") + std::string(name) + ": " + a + " then " + b;
  };
  check("size", std::to_string(was.size), std::to_string(is.size));
  check("mtime", was.mtime, is.mtime);
  check("sha256 of the first MiB", was.head_sha256, is.head_sha256);
  check("compression", was.compression.empty() ? "none" : was.compression,
        is.compression.empty() ? "none" : is.compression);
  return out;
}

}  // namespace

Result<FileIdentity> identify_file(const std::string& path) {
  FileIdentity id;
  std::error_code ec;
  const auto absolute = fs::absolute(path, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot resolve " + path + ": " + ec.message());
  id.path = absolute.lexically_normal().string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open", path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(ErrorCode::kBadArgument, path + " is not a regular file");
  }
  auto head = head_sha256(fd, path);
  char magic[kMagicBytes];
  const ssize_t magic_n = ::pread(fd, magic, sizeof magic, 0);
  ::close(fd);
  if (!head) return head.error();
  if (magic_n > 0) {
    id.compression = compression_name(
        detect_compression(std::string_view(magic, static_cast<std::size_t>(magic_n))));
  }
  id.size = st.st_size;
  id.mtime = std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  id.head_sha256 = std::move(*head);
  return id;
}

Result<std::vector<std::string>> expand_inputs(const std::vector<std::string>& args,
                                               const std::string& pattern) {
  std::vector<std::string> out;
  for (const auto& arg : args) {
    if (arg == "-") {
      if (args.size() != 1) {
        return make_error(ErrorCode::kBadArgument,
                          "standard input ('-') cannot be loaded together with other files");
      }
      out.push_back(arg);
      continue;
    }
    struct stat st {};
    const bool exists = ::stat(arg.c_str(), &st) == 0;
    Result<bool> added = true;
    if (exists && S_ISDIR(st.st_mode)) {
      added = add_folder(arg, pattern, out);
    } else if (exists || !is_pattern(arg)) {
      out.push_back(arg);  // a file, or a missing path that opening it will name
    } else {
      added = add_glob(arg, out);
    }
    if (!added) return added.error();
  }
  // The same file twice would load its rows twice.
  std::set<std::string> seen;
  for (const auto& path : out) {
    if (path == "-") continue;
    std::error_code ec;
    const std::string key = fs::absolute(path, ec).lexically_normal().string();
    if (!seen.insert(key).second) {
      return make_error(ErrorCode::kBadArgument,
                        path + " is named twice among the inputs: its rows would load twice");
    }
  }
  return out;
}

std::vector<std::size_t> shard_files(std::size_t count, int index, int shards) {
  std::vector<std::size_t> out;
  const auto n = static_cast<std::size_t>(std::max(1, shards));
  for (std::size_t i = static_cast<std::size_t>(std::max(0, index)); i < count; i += n) {
    out.push_back(i);
  }
  return out;
}

std::string file_list_difference(const std::vector<FileIdentity>& recorded,
                                 const std::vector<FileIdentity>& now) {
  std::string out;
  auto add = [&out](const std::string& what) { out += (out.empty() ? "" : "; ") + what; };
  auto find = [](const std::vector<FileIdentity>& list, const std::string& path) {
    return std::find_if(list.begin(), list.end(),
                        [&](const FileIdentity& f) { return f.path == path; });
  };
  for (const auto& f : recorded) {
    const auto it = find(now, f.path);
    if (it == now.end()) {
      add(f.path + " was removed");
    } else if (const std::string change = identity_change(f, *it); !change.empty()) {
      add(f.path + " changed (" + change + ")");
    }
  }
  for (const auto& f : now) {
    if (find(recorded, f.path) == recorded.end()) add(f.path + " was added");
  }
  if (out.empty()) {
    for (std::size_t i = 0; i < recorded.size() && i < now.size(); ++i) {
      if (recorded[i].path != now[i].path) {
        add("the order differs: file " + std::to_string(i + 1) + " was " + recorded[i].path +
            ", now " + now[i].path);
        break;
      }
    }
  }
  return out;
}

}  // namespace dsfill::loader
