// Where a load keeps its default checkpoint and lock (README "Nothing lost, nothing doubled"):
// the state directory, and the names a load's identity gives its files there.
#pragma once

#include <string>
#include <vector>

namespace dsfill::cli {

// Returns the state directory: $STATE_DIRECTORY (systemd's StateDirectory=; its first entry when
// it lists several), else $XDG_STATE_HOME/dsfill, else ~/.local/state/dsfill. Creates it (and
// missing parents) with mode 0700. Throws UsageError (exit 2) naming the path and the reason
// when it cannot be found or created.
std::string state_directory();

// What names a load's state files: the URL, user and dataset codes, the shard ("I/N") and the
// absolute paths of its input files, in order.
struct LoadKey {
  std::string url;
  std::string user_code;
  std::string dataset_code;
  std::string shard;
  std::vector<std::string> paths;
};

// Returns "<slug>-<hash16>": the dataset code made safe for a file name (letters, digits, '-',
// '_', '.'; at most 40 bytes) and 16 hex digits of the SHA-256 of everything in `key`, so two
// different loads never share a name and the same load always gets the same one.
std::string state_name(const LoadKey& key);

}  // namespace dsfill::cli
