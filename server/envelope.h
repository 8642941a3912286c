// The JSON envelope of every answer:
//   success: {"data":{"status":"success","details":{...}}}
//   error:   {"data":{"status":"error","message":"..."}}
// A tiny writer (off the hot path) that never emits invalid JSON whatever bytes it is given.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dsfill::server {

// Appends `text` as a JSON string literal; invalid UTF-8 becomes U+FFFD (codec::append_json_text).
void append_json_text(std::string_view text, std::string& out);

// Returns `text` shortened to at most `max_bytes` on a UTF-8 boundary, with "..." when cut.
std::string excerpt(std::string_view text, std::size_t max_bytes = 64);

// Returns {"data":{"status":"error","message":MESSAGE}}.
std::string error_envelope(std::string_view message);

// Returns {"data":{"status":"success","details":DETAILS}}; DETAILS is a JSON object text.
std::string success_envelope(std::string_view details_json);

// Returns the details of a fill: {"dataset-code":D,"rows-count":TOTAL,"rows-inserted":N}.
std::string fill_details(std::string_view dataset_code, std::uint64_t rows_count,
                         std::uint64_t rows_inserted);

}  // namespace dsfill::server
