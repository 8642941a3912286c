// The errors of failures that are not the client's fault, named so that the status says what a
// retry can achieve (server/http_mapping.h): running out of memory is kUnavailable (503, the
// same request can succeed once other requests finish), never a 400 "not JSON".
#pragma once

#include <string_view>

#include <simdjson.h>

#include "base/error.h"

namespace dsfill::server {

// Returns kUnavailable saying the server ran out of memory while doing `what`; retry later.
Error out_of_memory(std::string_view what);

// Returns the error of a simdjson parse that failed with `err`: out_of_memory for
// simdjson::MEMALLOC, else kBadJson with `message` followed by simdjson's reason
// ("request body is not JSON: " + "TAPE_ERROR: ...").
Error json_parse_error(std::string_view message, simdjson::error_code err);

}  // namespace dsfill::server
