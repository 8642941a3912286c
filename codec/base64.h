// Base64 (RFC 4648, standard alphabet, '=' padding, no line breaks), faster than the compressor.
//
// The kernel set in use (simd_dispatch.h) supplies a bulk loop for whole steps (avx512 only); one
// scalar loop, shared by every set, does the rest. That tail stays because the input is the
// compressor's output or a request's text, neither of them a padded buffer (padded.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/error.h"

namespace dsfill::codec {

// Returns the encoded size of `n` bytes.
constexpr std::size_t base64_encoded_size(std::size_t n) { return (n + 2) / 3 * 4; }

// Writes the encoding of `in` to `out`, which must hold base64_encoded_size(in.size()) bytes.
// Returns the bytes written.
std::size_t base64_encode_into(std::string_view in, char* out);

// Appends the encoding of `in` to `out`.
void base64_encode(std::string_view in, std::string& out);

// Replaces `out` with the decoding of `in`. Rejects (kBadBase64, byte_offset set to the position
// in `in`) characters outside the alphabet, whitespace, bad padding and lengths not a multiple
// of 4.
Result<void> base64_decode(std::string_view in, std::string& out);

}  // namespace dsfill::codec
