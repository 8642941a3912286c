#include "codec/payload_decoder.h"

#include "codec/base64.h"

namespace dsfill::codec {

Result<void> decode_insert_data(std::string_view insert_data, bool compressed,
                                const GunzipLimits& limits, std::string& json) {
  if (!compressed) {
    json.assign(insert_data);
    return {};
  }
  // Reuse one scratch buffer per thread: the server decodes a request per call on each thread.
  thread_local std::string gz;
  if (auto r = base64_decode(insert_data, gz); !r) {
    Error e = r.error();
    e.message = "insert-data: " + e.message;
    return e;
  }
  if (auto r = gunzip(gz, limits, json); !r) {
    Error e = r.error();
    e.message = "insert-data: " + e.message;
    return e;
  }
  return {};
}

}  // namespace dsfill::codec
