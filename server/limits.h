// The reference server's request limits. Every limit is a flag of `dsfill serve`; a request over
// a limit is answered with a JSON error (413 for sizes and counts, 429 for concurrency, 431 for
// headers, 503 with Retry-After for the in-flight body budget and the connection cap) and
// nothing of it is stored.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace dsfill::server {

struct Limits {
  // Bytes of one request body (Content-Length or the sum of its chunks).
  std::uint64_t max_body_bytes = 64ull << 20;
  // Bytes of the rows JSON after base64 and gunzip (or of the uncompressed insert-data).
  std::uint64_t max_decoded_bytes = 256ull << 20;
  // Decompressed / compressed bytes of the gzip member; 0 (the default): no ratio limit. The
  // defence against gzip bombs is max_decoded_bytes (decoding never holds more than it), since
  // legitimate repetitive data (a 5 MB field of one character) compresses about 1000x too.
  double max_ratio = 0;
  // Rows in one request.
  std::uint64_t max_rows = 1'000'000;
  // Bytes of one value (after JSON unescaping).
  std::uint64_t max_field_bytes = 1ull << 20;
  // Bytes of the request line and header fields.
  std::size_t max_header_bytes = 16 * 1024;
  // Requests being handled at once (decoding, validating or waiting for the store).
  unsigned max_concurrent = 16;
  // Request-body bytes held in memory by all connections together; a read past it is 503.
  std::uint64_t max_inflight_bytes = 512ull << 20;
  // Connections open at once; one more is answered 503 and closed.
  std::size_t max_connections = 1024;
  // How long a kept-alive connection may wait for the first byte of its next request.
  std::chrono::milliseconds idle_timeout{60'000};
  // How long a request's header may take to arrive (from accept, or from its first byte).
  std::chrono::milliseconds header_timeout{30'000};
  // The body's progress deadline: each body_window must bring min_body_rate x body_window bytes.
  std::chrono::milliseconds body_window{10'000};
  std::uint64_t min_body_rate = 1024;  // bytes per second
};

}  // namespace dsfill::server
