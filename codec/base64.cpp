#include "codec/base64.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "codec/simd_dispatch.h"

namespace dsfill::codec {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Maps 12 input bits to their two output characters, so each 3-byte group costs two lookups.
constexpr std::array<char, 8192> make_pair_table() {
  std::array<char, 8192> t{};
  for (int i = 0; i < 4096; ++i) {
    t[2 * i] = kAlphabet[i >> 6];
    t[2 * i + 1] = kAlphabet[i & 63];
  }
  return t;
}
constexpr std::array<char, 8192> kPairs = make_pair_table();

// Bit 24 marks a byte outside the alphabet; valid entries use bits 0..23 only, so OR-ing the four
// lookups of a quad both assembles its 24 bits and flags any invalid byte with one test.
constexpr std::uint32_t kInvalid = 1u << 24;

constexpr std::array<std::uint32_t, 256> make_decode_table(int shift) {
  std::array<std::uint32_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (std::uint32_t i = 0; i < 64; ++i) {
    t[static_cast<unsigned char>(kAlphabet[i])] = i << shift;
  }
  return t;
}
constexpr auto kDec0 = make_decode_table(18);
constexpr auto kDec1 = make_decode_table(12);
constexpr auto kDec2 = make_decode_table(6);
constexpr auto kDec3 = make_decode_table(0);

inline void put_pair(char* d, std::uint32_t bits12) { std::memcpy(d, &kPairs[2 * bits12], 2); }

inline std::uint64_t load_be64(const unsigned char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
  return w;
}

Error invalid_char(std::string_view in, std::size_t pos) {
  const auto c = static_cast<unsigned char>(in[pos]);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string msg;
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
    msg = "whitespace in base64 data";
  } else if (c == '=') {
    msg = "misplaced base64 padding '='";
  } else {
    msg = "invalid base64 character 0x";
    msg += kHex[c >> 4];
    msg += kHex[c & 15];
  }
  return make_error(ErrorCode::kBadBase64, std::move(msg), -1, static_cast<std::int64_t>(pos));
}

// Returns the position of the first byte of in[pos, pos+4) outside the alphabet.
std::size_t first_invalid(std::string_view in, std::size_t pos) {
  while (kDec3[static_cast<unsigned char>(in[pos])] != kInvalid) ++pos;
  return pos;
}

}  // namespace

std::size_t base64_encode_into(std::string_view in, char* out) {
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  char* d = out;
  std::size_t i = 0;
  // The kernel set's bulk loop takes whole steps; the scalar loops below finish the tail (the
  // input is compressor output, not a padded buffer: see base64.h).
  const Base64EncodeKernel bulk = active_kernels().base64_encode;
  if (n >= 64 && bulk != nullptr) {
    i = bulk(s, n, d);
    d += i / 3 * 4;
  }
  // Take 12 bytes per step through two 8-byte loads (each uses its top 6 bytes); the second load
  // reads s[i+6, i+14), hence the bound.
  while (i + 14 <= n) {
    const std::uint64_t a = load_be64(s + i);
    const std::uint64_t b = load_be64(s + i + 6);
    put_pair(d + 0, static_cast<std::uint32_t>(a >> 52) & 0xFFF);
    put_pair(d + 2, static_cast<std::uint32_t>(a >> 40) & 0xFFF);
    put_pair(d + 4, static_cast<std::uint32_t>(a >> 28) & 0xFFF);
    put_pair(d + 6, static_cast<std::uint32_t>(a >> 16) & 0xFFF);
    put_pair(d + 8, static_cast<std::uint32_t>(b >> 52) & 0xFFF);
    put_pair(d + 10, static_cast<std::uint32_t>(b >> 40) & 0xFFF);
    put_pair(d + 12, static_cast<std::uint32_t>(b >> 28) & 0xFFF);
    put_pair(d + 14, static_cast<std::uint32_t>(b >> 16) & 0xFFF);
    i += 12;
    d += 16;
  }
  while (i + 3 <= n) {
    const std::uint32_t v = std::uint32_t{s[i]} << 16 | std::uint32_t{s[i + 1]} << 8 | s[i + 2];
    put_pair(d, v >> 12);
    put_pair(d + 2, v & 0xFFF);
    i += 3;
    d += 4;
  }
  if (i + 1 == n) {
    const std::uint32_t v = std::uint32_t{s[i]} << 16;
    put_pair(d, v >> 12);
    d[2] = '=';
    d[3] = '=';
    d += 4;
  } else if (i + 2 == n) {
    const std::uint32_t v = std::uint32_t{s[i]} << 16 | std::uint32_t{s[i + 1]} << 8;
    put_pair(d, v >> 12);
    d[2] = kAlphabet[(v >> 6) & 63];
    d[3] = '=';
    d += 4;
  }
  return static_cast<std::size_t>(d - out);
}

void base64_encode(std::string_view in, std::string& out) {
  const std::size_t old = out.size();
  out.resize(old + base64_encoded_size(in.size()));
  base64_encode_into(in, out.data() + old);
}

Result<void> base64_decode(std::string_view in, std::string& out) {
  // Clear `out` only on failure: resizing a reused buffer keeps its old bytes (no zero-fill of
  // the whole output, only of any growth), and the decoder overwrites them all.
  const std::size_t n = in.size();
  if (n % 4 != 0) {
    out.clear();
    // Name a bad character (a line break, say) before blaming the length it causes.
    for (std::size_t i = 0; i < n; ++i) {
      if (kDec3[static_cast<unsigned char>(in[i])] == kInvalid && in[i] != '=') {
        return invalid_char(in, i);
      }
    }
    return make_error(ErrorCode::kBadBase64,
                      "base64 length " + std::to_string(n) + " is not a multiple of 4", -1,
                      static_cast<std::int64_t>(n));
  }
  if (n == 0) {
    out.clear();
    return {};
  }
  const std::size_t pad = in[n - 1] != '=' ? 0 : in[n - 2] != '=' ? 1 : 2;
  out.resize(n / 4 * 3 - pad);
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  auto* d = reinterpret_cast<unsigned char*>(out.data());
  // Every quad but the last is full; the last one is decoded apart because it may hold padding.
  const std::size_t full = n - 4;
  std::size_t i = 0;
  const Base64DecodeKernel bulk = active_kernels().base64_decode;
  if (full >= 64 && bulk != nullptr) {
    i = bulk(s, full, d);
    d += i / 4 * 3;
  }
  for (; i < full; i += 4, d += 3) {
    const std::uint32_t v = kDec0[s[i]] | kDec1[s[i + 1]] | kDec2[s[i + 2]] | kDec3[s[i + 3]];
    if (v & kInvalid) {
      out.clear();
      return invalid_char(in, first_invalid(in, i));
    }
    d[0] = static_cast<unsigned char>(v >> 16);
    d[1] = static_cast<unsigned char>(v >> 8);
    d[2] = static_cast<unsigned char>(v);
  }
  // The last quad: "xxxx", "xxx=" or "xx==". The padded characters must decode to zero bits,
  // so each byte string has exactly one accepted encoding.
  const std::uint32_t c2 = pad == 2 ? 0 : kDec2[s[i + 2]];
  const std::uint32_t c3 = pad >= 1 ? 0 : kDec3[s[i + 3]];
  const std::uint32_t v = kDec0[s[i]] | kDec1[s[i + 1]] | c2 | c3;
  if (v & kInvalid) {
    out.clear();
    return invalid_char(in, first_invalid(in, i));
  }
  if ((pad == 1 && (v & 0xFF) != 0) || (pad == 2 && (v & 0xFFFF) != 0)) {
    out.clear();
    return make_error(ErrorCode::kBadBase64, "non-zero bits before base64 padding", -1,
                      static_cast<std::int64_t>(n - pad - 1));
  }
  d[0] = static_cast<unsigned char>(v >> 16);
  if (pad < 2) d[1] = static_cast<unsigned char>(v >> 8);
  if (pad < 1) d[2] = static_cast<unsigned char>(v);
  return {};
}

}  // namespace dsfill::codec
