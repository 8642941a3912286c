// Parsing of the JSON request bodies (simdjson On-Demand, fields in any order, unknown fields
// ignored, duplicated fields refused).
//
//   POST /dataset-fill {"user-code","dataset-code","columns","insert-data","append","compressed"}
//                          all required; append and compressed are booleans
//   POST /dataset-complete {"user-code","dataset-code"}
//   POST /datasets         {"user-code","dataset-code","columns"}
//
// user-code and dataset-code: 1-128 characters from [A-Za-z0-9._~-] (they also appear in URLs).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <simdjson.h>
#include "codec/columns.h"

#include "base/error.h"

namespace dsfill::server {

struct FillRequest {
  std::string user_code;
  std::string dataset_code;
  codec::Columns columns;
  // The string's text: points into the body when it has no escapes (base64 never needs any),
  // else into the parser's string buffer.
  std::string_view insert_data;
  bool append = false;
  bool compressed = false;
};

struct DatasetRequest {  // /dataset-complete and /datasets (columns only for the latter)
  std::string user_code;
  std::string dataset_code;
  codec::Columns columns;
};

// Parses a /dataset-fill body. `body` capacity is grown for simdjson's padding; `body` and
// `parser` must outlive the returned insert_data view.
Result<FillRequest> parse_fill_request(simdjson::ondemand::parser& parser, std::string& body);

// Parses a /dataset-complete (`with_columns` false) or /datasets (true) body.
Result<DatasetRequest> parse_dataset_request(simdjson::ondemand::parser& parser, std::string& body,
                                             bool with_columns);

// Returns true if `code` is a valid user-code or dataset-code: 1-128 characters from
// A-Z a-z 0-9 . _ ~ -, and neither "." nor "..".
bool is_valid_code(std::string_view code);

// Returns true if `s` holds a backslash. REQUIRES: 8 readable bytes after `s` (inside a
// simdjson-padded buffer they always are); they never change the answer. Inline and word-at-a-
// time for short strings, because the row validator asks this of every value.
inline bool has_backslash(std::string_view s) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  // Returns true if a byte of `word` is a backslash.
  const auto any = [](std::uint64_t word) {
    word ^= kOnes * '\\';  // a backslash becomes a zero byte
    return ((word - kOnes) & ~word & (kOnes << 7)) != 0;
  };
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t word;
  if (n < 8) {
    std::memcpy(&word, p, 8);
    return any(word | (~0ull << (8 * n)));  // bytes past the end become 0xFF, never a match
  }
  if (n > 32) return std::memchr(p, '\\', n) != nullptr;
  for (std::size_t i = 0; i + 8 < n; i += 8) {
    std::memcpy(&word, p + i, 8);
    if (any(word)) return true;
  }
  std::memcpy(&word, p + n - 8, 8);  // the last 8 bytes, overlapping the words before
  return any(word);
}

// Sets `text` to the text of the JSON string `token` and returns true when the string holds no
// escape; returns false otherwise (then unescape it with simdjson). `token` is a simdjson raw
// token from a padded buffer: the string with its quotes, maybe followed by whitespace. Without
// a backslash the content cannot hold a quote either (stage 1 ends a string at its first
// unescaped quote, and anything but whitespace after it starts another token), so the content
// is exactly the text, and stage 1 has already checked that it is UTF-8. Pass
// `may_have_escapes` false only when the whole document holds no backslash: the per-string
// check is then skipped.
inline bool unescaped_string_text(std::string_view token, std::string_view& text,
                                  bool may_have_escapes = true) {
  while (token.size() > 1 && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' ||
                              token.back() == '\r')) {
    token.remove_suffix(1);
  }
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') return false;
  const std::string_view content = token.substr(1, token.size() - 2);
  if (may_have_escapes && has_backslash(content)) return false;
  text = content;
  return true;
}

}  // namespace dsfill::server
