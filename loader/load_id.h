// Names a load and its batches so that a retried or resumed batch carries the same
// Idempotency-Key, and a server that honours it stores the batch once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "loader/file_list.h"
#include "loader/load_options.h"

namespace dsfill::loader {

// Returns a fresh load id (32 hex digits): a hash of what identifies the load (the input's
// absolute path, size and modification time, the URL, user and dataset codes, the mode and the
// batch settings) and 128 random bits. The random part matters: a deliberate second run of the
// same file must append again (and a second replace must truncate again) instead of being
// answered from the server's idempotency records of the first run. Retries within a load and
// a resume (which passes the recorded id in LoadOptions::load_id) reuse the id.
Result<std::string> make_load_id(const LoadOptions& options);

// Returns the Idempotency-Key of the batch covering input bytes [byte_begin, byte_end):
// 32 hex digits, a hash of the load id and the byte range. Stable across runs and resumes.
std::string idempotency_key(std::string_view load_id, std::int64_t byte_begin,
                            std::int64_t byte_end);

// Returns what names the Idempotency-Keys of file `index` of a load of several files in place
// of the load id: 32 hex digits, a hash of the load id, the place and the file's identity
// (path, size, mtime). So equal byte ranges of two files never share a key, while a retry or
// a resume of the same file re-sends the same keys. A one-file load keys by its load id alone.
std::string file_key_id(std::string_view load_id, std::size_t index, const FileIdentity& file);

// Returns the hex SHA-256 of `data`, cut to `hex_digits`.
std::string sha256_hex(std::string_view data, std::size_t hex_digits = 64);

}  // namespace dsfill::loader
