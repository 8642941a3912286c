// Names a load and its batches so that a retried or resumed batch carries the same
// Idempotency-Key, and a server that honours it stores the batch once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "codec/error.h"
#include "loader/load_options.h"

namespace dsfill::loader {

// Returns the load id (32 hex digits): a hash of what identifies the load (the input's absolute
// path, size and modification time, the URL, user and dataset codes, the mode and the batch
// settings). Standard input cannot be identified, so its load id is random.
Result<std::string> make_load_id(const LoadOptions& options);

// Returns the Idempotency-Key of the batch covering input bytes [byte_begin, byte_end):
// 32 hex digits, a hash of the load id and the byte range. Stable across runs and resumes.
std::string idempotency_key(std::string_view load_id, std::int64_t byte_begin,
                            std::int64_t byte_end);

// Returns the hex SHA-256 of `data`, cut to `hex_digits`.
std::string sha256_hex(std::string_view data, std::size_t hex_digits = 64);

}  // namespace dsfill::loader
