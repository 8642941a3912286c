// Reads the answers of the Dataset API: a request counts as done only when its answer is the
// API's success envelope, {"data":{"status":"success","details":{...}}}. A 2xx alone proves
// nothing: proxies, captive portals and catch-all routes answer 200 with HTML, and a server may
// answer 200 with {"data":{"status":"error"}}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/error.h"
#include "net/http_client.h"

namespace dsfill::loader {

// What a success envelope's details say about the dataset.
struct ApiAnswer {
  std::optional<std::int64_t> rows_count;     // "rows-count": the dataset's rows after the request
  std::optional<std::int64_t> rows_inserted;  // "rows-inserted": the rows this request stored
};

// Returns the details of `response` when it is the success envelope; otherwise an error (kBadJson,
// or kTooLarge for an answer too large to read whole) saying what it is instead ("not JSON",
// "data.status is \"error\"", ...). Counts that are present but not non-negative integers are
// errors too. Does not look at the status code.
Result<ApiAnswer> read_success_envelope(const net::Response& response);

// Returns one line that sums up `response` for a message, at most about 200 characters:
// "HTTP 200 (text/html): Welcome to nginx!". The text is the envelope's "message" for the API's
// JSON, the <title> (or else the first text) of HTML, otherwise the body's first line; an empty
// body says "empty body". Control characters and invalid UTF-8 never reach the line.
std::string describe_answer(const net::Response& response);

// Returns what to do about an answer of `status` 401 or 403 (the token is missing, wrong or not
// allowed this dataset), saying whether `token_sent`; "" for any other status. Never the token.
std::string auth_hint(unsigned status, bool token_sent);

}  // namespace dsfill::loader
