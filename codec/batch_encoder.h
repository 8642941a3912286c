// Turns one batch of whole CSV records into a complete dataset-fill request body:
// CSV -> JSON rows -> gzip -> base64 -> envelope (or, uncompressed, the rows as a JSON string).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codec/gzip.h"
#include "codec/request_body.h"
#include "codec/rows_json.h"

namespace dsfill::codec {

struct BatchStats {
  std::uint64_t rows = 0;
  std::uint64_t physical_rows = 0;
  std::size_t csv_bytes = 0;
  std::size_t json_bytes = 0;
  std::size_t gzip_bytes = 0;  // 0 when uncompressed
  std::size_t body_bytes = 0;
  std::vector<RowReject> rejects;  // RowsJsonOptions::keep_going: the records left out
};

// Owns the compressor and scratch buffers reused across batches: one per encoder thread.
class BatchEncoder {
 public:
  // `body` comes from make_body_template; `level` is the gzip level (0-12, unused uncompressed)
  // and `backend` the deflate implementation (see gzip.h).
  BatchEncoder(BodyTemplate body, RowsJsonOptions rows, int level,
               GzipBackend backend = GzipBackend::kLibdeflate);

  // Changes the gzip level for later batches (--level auto); allocates only on a level's first use.
  void set_level(int level) { gzip_.set_level(level); }
  int level() const { return gzip_.level(); }
  // Changes backend and level for later batches (--level auto with --codec auto).
  void set_gzip(GzipSetting setting) { gzip_.set_setting(setting); }
  // Checks only (`dsfill check`, --validate-first): encode() transcodes, to find every problem,
  // and leaves `body` empty; nothing is compressed.
  void set_check_only(bool check_only) { check_only_ = check_only; }

  // Replaces `body` with the request body for `records` (whole records, see append_rows_json).
  // `append` selects the append suffix (false: the truncating first request of replace mode).
  // After a warm-up batch at least as large, allocates nothing when `body` is reused.
  // On error `body` is left unspecified.
  Result<BatchStats> encode(std::string_view records, InputPosition start, bool append,
                            std::string& body);

  const RowsJsonOptions& rows_options() const { return rows_; }

 private:
  BodyTemplate body_;
  RowsJsonOptions rows_;
  GzipCompressor gzip_;
  std::string json_;  // reused per batch; only its first json_size_ bytes are this batch's
  std::size_t json_size_ = 0;
  std::string gz_;  // reused per batch
  bool check_only_ = false;
};

}  // namespace dsfill::codec
