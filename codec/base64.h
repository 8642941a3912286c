// Base64 (RFC 4648, standard alphabet, '=' padding, no line breaks), faster than the compressor.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "codec/error.h"

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

// The kernel base64 runs on this CPU (within DSFILL_SIMD): "avx512" or "portable".
const char* base64_kernel();

}  // namespace dsfill::codec
