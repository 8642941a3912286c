#include "cli/state_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "cli/input_flags.h"
#include "loader/load_id.h"

namespace dsfill::cli {

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

}  // namespace

std::string state_directory() {
  std::string dir = env("STATE_DIRECTORY");
  // systemd joins several StateDirectory= entries with ':'.
  if (const auto colon = dir.find(':'); colon != std::string::npos) dir.resize(colon);
  if (dir.empty()) {
    if (const std::string xdg = env("XDG_STATE_HOME"); !xdg.empty()) {
      dir = xdg + "/dsfill";
    } else if (const std::string home = env("HOME"); !home.empty()) {
      dir = home + "/.local/state/dsfill";
    } else {
      throw UsageError(
          "no state directory for the load's checkpoint and lock: set STATE_DIRECTORY (or "
          "XDG_STATE_HOME or HOME), give --checkpoint FILE, or pass --no-checkpoint");
    }
  }
  std::error_code ec;
  std::filesystem::path path(dir);
  if (!std::filesystem::is_directory(path, ec)) {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    // Only this load's user may read its checkpoints (they name files and datasets).
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      throw UsageError("cannot create the state directory " + dir + ": " + std::strerror(errno) +
                       " (set STATE_DIRECTORY to a writable directory, give --checkpoint FILE, "
                       "or pass --no-checkpoint)");
    }
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    throw UsageError("cannot write in the state directory " + dir + ": " + std::strerror(errno) +
                     " (set STATE_DIRECTORY to a writable directory, give --checkpoint FILE, "
                     "or pass --no-checkpoint)");
  }
  return dir;
}

std::string state_name(const LoadKey& key) {
  std::string slug;
  for (char c : key.dataset_code) {
    const bool safe =
        std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    if (slug.size() < 40) slug += safe ? c : '_';
  }
  if (slug.empty() || slug.front() == '.') slug = "load" + slug;
  // Fields end in '\0': no two different keys join to the same text.
  std::string text = "dsfill-state-v1";
  for (const std::string* field : {&key.url, &key.user_code, &key.dataset_code, &key.shard}) {
    text += '\0' + *field;
  }
  for (const std::string& path : key.paths) text += '\0' + path;
  return slug + "-" + loader::sha256_hex(text, 16);
}

}  // namespace dsfill::cli
