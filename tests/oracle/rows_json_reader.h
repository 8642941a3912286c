// A test oracle: reads a rows JSON text (what the transcoder writes, what insert-data carries)
// into values with simdjson, so tests can compare what was encoded with what was meant.
// Not linked into any production target; the server validates rows as it streams them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace dsfill::codec {

// A decoded value: JSON strings as their text, numbers as their literal text, null as is_null.
struct JsonValue {
  std::string text;
  bool is_string = true;
  bool is_null = false;
  bool operator==(const JsonValue&) const = default;
};
using JsonRow = std::vector<JsonValue>;

// Parses a rows JSON text (an array of arrays of strings, numbers or null) with simdjson.
Result<std::vector<JsonRow>> parse_rows_json(std::string_view json);

}  // namespace dsfill::codec
