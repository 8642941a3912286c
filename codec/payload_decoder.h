// The receiving side of insert-data: base64 -> gunzip (capped) -> the rows JSON text.
// Used by the reference server and by tests that check what the encoder wrote
// (tests/oracle/rows_json_reader.h reads the rows).
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "codec/gzip.h"

namespace dsfill::codec {

// Replaces `json` with the rows JSON text carried by `insert_data` (the already-unescaped JSON
// string value): base64-decoded and gunzipped under `limits` when `compressed`, else as is.
// Errors keep the code and byte offset of the failing step (kBadBase64, kBadGzip, kTooLarge).
// Thread-safe; keeps one scratch buffer per thread, as large as the largest payload decoded.
Result<void> decode_insert_data(std::string_view insert_data, bool compressed,
                                const GunzipLimits& limits, std::string& json);

}  // namespace dsfill::codec
