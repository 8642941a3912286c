// Helpers shared by the fuzz checks: carving parameters out of the fuzz input, and failing loudly.
//
// A check function takes the raw fuzz bytes, derives its parameters (dialect, chunk sizes, ...)
// from a few leading bytes, runs the code under test and aborts through FUZZ_CHECK when an
// invariant does not hold. The same check runs in the libFuzzer targets (clang) and in the
// regression runner (gcc, ctest), so a crash input replays identically in both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/error.h"
#include "codec/csv_dialect.h"

namespace dsfill::fuzz {

// Prints what failed and aborts: libFuzzer records the input as a crash, the runner fails.
[[noreturn]] inline void check_failed(const char* expr, const char* file, int line,
                                      const std::string& detail) {
  std::fprintf(stderr, "FUZZ CHECK FAILED: %s at %s:%d\n%s\n", expr, file, line, detail.c_str());
  std::abort();
}

#define FUZZ_CHECK(cond, detail)                                                    \
  do {                                                                              \
    if (!(cond)) ::dsfill::fuzz::check_failed(#cond, __FILE__, __LINE__, (detail)); \
  } while (0)

// Reads parameters from the front of the input; what is left is the payload. Reading past the
// end yields zeros, so every input is usable.
class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size)
      : p_(reinterpret_cast<const char*>(data)), n_(size) {}

  std::uint8_t byte() {
    if (n_ == 0) return 0;
    --n_;
    return static_cast<std::uint8_t>(*p_++);
  }
  std::string_view rest() const { return {p_, n_}; }

 private:
  const char* p_;
  std::size_t n_;
};

// Picks a dialect from one byte: mostly the common ones, sometimes any byte pair the CLI accepts
// (distinct, neither CR nor LF). `ascii_only` restricts both characters to 7-bit ASCII.
inline codec::CsvDialect pick_dialect(std::uint8_t b, std::uint8_t extra, bool ascii_only) {
  static constexpr char kDelims[] = {',', ';', '\t', '|'};
  static constexpr char kQuotes[] = {'"', '\''};
  codec::CsvDialect d;
  if (b < 0xE0) {
    d.delimiter = kDelims[b & 3];
    d.quote = kQuotes[(b >> 2) & 1];
    return d;
  }
  const auto usable = [&](char c) {
    return c != '\n' && c != '\r' && (!ascii_only || static_cast<unsigned char>(c) < 0x80);
  };
  char delim = static_cast<char>(extra);
  if (!usable(delim)) delim = ',';
  char quote = (b & 0x10) != 0 ? '"' : static_cast<char>(extra ^ (b | 1));
  if (!usable(quote) || quote == delim) quote = delim == '"' ? '\'' : '"';
  d.delimiter = delim;
  d.quote = quote;
  return d;
}

// Describes an error for a failure message.
inline std::string describe(const Error& e) {
  return std::string(error_code_name(e.code)) + ": " + e.describe();
}

// Describes bytes for a failure message (escaped, shortened).
inline std::string show(std::string_view s, std::size_t cap = 200) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < cap; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (s.size() > cap) out += "...";
  return out + "\"";
}

}  // namespace dsfill::fuzz
