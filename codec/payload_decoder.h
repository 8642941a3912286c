// The receiving side of insert-data: base64 -> gunzip (capped) -> JSON rows.
// Used by the reference server and by tests that check what the encoder wrote.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "codec/error.h"
#include "codec/gzip.h"

namespace dsfill::codec {

// Replaces `json` with the rows JSON text carried by `insert_data` (the already-unescaped JSON
// string value): base64-decoded and gunzipped under `limits` when `compressed`, else as is.
// Errors keep the code and byte offset of the failing step (kBadBase64, kBadGzip, kTooLarge).
// Thread-safe; keeps one scratch buffer per thread, as large as the largest payload decoded.
Result<void> decode_insert_data(std::string_view insert_data, bool compressed,
                                const GunzipLimits& limits, std::string& json);

// A decoded value: JSON strings as their text, numbers as their literal text, null as is_null.
struct JsonValue {
  std::string text;
  bool is_string = true;
  bool is_null = false;
  bool operator==(const JsonValue&) const = default;
};
using JsonRow = std::vector<JsonValue>;

// Parses a rows JSON text (an array of arrays of strings, numbers or null) with simdjson.
// For tests and tools; the server validates rows as it streams them.
Result<std::vector<JsonRow>> parse_rows_json(std::string_view json);

}  // namespace dsfill::codec
