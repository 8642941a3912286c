#include "server/failures.h"

#include <string>

namespace dsfill::server {

Error out_of_memory(std::string_view what) {
  return make_error(ErrorCode::kUnavailable,
                    "the server is out of memory (while " + std::string(what) + "); retry later");
}

Error json_parse_error(std::string_view message, simdjson::error_code err) {
  // simdjson grows its index to each document size it meets: a failed allocation says nothing
  // about the document, and the same request may parse once memory is free again.
  if (err == simdjson::MEMALLOC) return out_of_memory("parsing JSON");
  return make_error(ErrorCode::kBadJson, std::string(message) + simdjson::error_message(err));
}

}  // namespace dsfill::server
