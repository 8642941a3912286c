// The first bytes of an input as the loader will read them (decompressed, UTF-16 transcoded),
// for the guesses made before a load starts: the delimiter (codec/delimiter_sniff.h) and the
// encoding checks of the CLI.
#pragma once

#include <cstddef>
#include <string>

#include "base/error.h"
#include "loader/decompressor.h"

namespace dsfill::loader {

struct InputHead {
  std::string bytes;        // the first decoded bytes, at most the number asked for
  bool whole = false;       // `bytes` is all of the input
  Compression compression;  // how the file is stored (kUtf16Le/kUtf16Be: UTF-16 text)
};

// Reads the first `max_bytes` decoded bytes of the file at `path`, and closes it.
// REQUIRES: path is not "-" (standard input cannot be read twice). Fails as InputReader does.
Result<InputHead> read_input_head(const std::string& path, std::size_t max_bytes);

}  // namespace dsfill::loader
