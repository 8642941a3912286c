// The AVX-512 VBMI kernels of base64 (base64.h). Encoding: 48 input bytes to 64 characters per
// step, with two byte permutes and one multishift; decoding: 64 characters to 48 bytes, with a
// two-table permute that also flags bad characters, two multiply-adds and one permute (after
// Muła and Lemire, "Base64 encoding and decoding at almost the speed of a memory copy", 2019).
//
// Internal to codec/.
#pragma once

#include <cstddef>

namespace dsfill::codec::detail {

// True when this build has the kernels at all. They are the avx512 kernel set's base64 loops
// (simd_dispatch.h); base64.cpp calls them through the set in use.
bool base64_avx512_built();

// Encodes the longest prefix of `in` made of whole 48-byte steps that leaves at least 16 bytes
// after it (each step loads 64 bytes), writing 64 characters per step at `out`; returns the
// number of input bytes it took. REQUIRES: the CPU runs the avx512 kernel set.
std::size_t base64_encode_avx512(const unsigned char* in, std::size_t n, char* out);

// Decodes whole 64-character steps of `in` (no padding in them) into 48 bytes each at `out`,
// stopping before the first step that holds a character outside the alphabet (the caller's
// scalar decoder then names it); returns the number of characters it took (a multiple of 64).
// Writes nothing past the bytes it decodes. REQUIRES: the CPU runs the avx512 kernel set.
std::size_t base64_decode_avx512(const unsigned char* in, std::size_t n, unsigned char* out);

}  // namespace dsfill::codec::detail
