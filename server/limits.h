// The reference server's request limits. Every limit is a flag of `dsfill serve`; a request over
// a limit is answered with a 4xx JSON error (413 for sizes and counts, 429 for concurrency,
// 431 for headers) and nothing of it is stored.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dsfill::server {

struct Limits {
  // Bytes of one request body (Content-Length or the sum of its chunks).
  std::uint64_t max_body_bytes = 64ull << 20;
  // Bytes of the rows JSON after base64 and gunzip (or of the uncompressed insert-data).
  std::uint64_t max_decoded_bytes = 256ull << 20;
  // Decompressed / compressed bytes of the gzip member: ordinary CSV JSON compresses 5-30x,
  // a gzip bomb about 1000x, so 200 leaves ample room for real data.
  double max_ratio = 200.0;
  // Rows in one request.
  std::uint64_t max_rows = 1'000'000;
  // Bytes of one value (after JSON unescaping).
  std::uint64_t max_field_bytes = 1ull << 20;
  // Bytes of the request line and header fields.
  std::size_t max_header_bytes = 16 * 1024;
  // Requests being handled at once (decoding, validating or waiting for the store).
  unsigned max_concurrent = 16;
};

}  // namespace dsfill::server
