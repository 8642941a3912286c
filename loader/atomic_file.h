// Replacing a small file so that readers (and a crash) see the old content or the new, never a
// torn mix: the checkpoint and the metrics file are written this way.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace dsfill::loader {

// Writes `text` to PATH.tmp, fsyncs it, renames it over `path` and fsyncs the directory, so the
// rename survives power loss. Fails with kIo naming the path and the system's reason.
Result<bool> write_file_atomically(const std::string& path, std::string_view text);

}  // namespace dsfill::loader
