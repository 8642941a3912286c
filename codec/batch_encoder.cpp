#include "codec/batch_encoder.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "codec/base64.h"

namespace dsfill::codec {

BatchEncoder::BatchEncoder(BodyTemplate body, RowsJsonOptions rows, int level, GzipBackend backend)
    : body_(std::move(body)), rows_(std::move(rows)), gzip_(level, backend) {}

Result<BatchStats> BatchEncoder::encode(std::string_view records, InputPosition start, bool append,
                                        std::string& body) {
  // Write into the reused buffer without resizing it: a std::string resize would zero-fill
  // the whole JSON (more bytes than the CSV) on every batch.
  auto rows = write_rows_json(records, rows_, start, json_, json_size_);
  if (!rows) return rows.error();
  const std::string_view json(json_.data(), json_size_);

  BatchStats stats;
  stats.rows = rows->rows;
  stats.physical_rows = rows->physical_rows;
  stats.csv_bytes = records.size();
  stats.json_bytes = json.size();
  stats.rejects = std::move(rows->rejects);
  if (check_only_) {
    body.clear();
    return stats;
  }

  const std::string& prefix = body_.prefix;
  const std::string& suffix = append ? body_.suffix_append : body_.suffix_replace;
  if (body_.compressed) {
    // Keep gz_ at its largest size so steady-state batches neither allocate nor zero-fill.
    const std::size_t bound = gzip_.bound(json.size());
    if (gz_.size() < bound) gz_.resize(bound);
    const std::size_t gz_size = gzip_.compress_into(json, gz_.data(), gz_.size());
    if (gz_size == 0) {
      return make_error(ErrorCode::kInternal, "gzip output exceeded its bound");
    }
    stats.gzip_bytes = gz_size;
    // Reserve the body once and append the base64 in cache-sized pieces: resizing a fresh body
    // (the pipeline hands each batch a new one) would zero-fill it before it is written, so
    // every body byte would be written twice.
    const std::size_t b64_size = base64_encoded_size(gz_size);
    body.clear();
    body.reserve(prefix.size() + b64_size + suffix.size());
    body.append(prefix);
    constexpr std::size_t kPiece = 3 * 8192;  // input bytes per piece; a multiple of 3
    char piece[base64_encoded_size(kPiece)];
    for (std::size_t at = 0; at < gz_size; at += kPiece) {
      const std::size_t n = std::min(kPiece, gz_size - at);
      body.append(piece, base64_encode_into(std::string_view(gz_.data() + at, n), piece));
    }
    body.append(suffix);
  } else {
    // The rows JSON travels as a JSON string: append_json_string writes it with its quotes, so
    // take the template's quotes off the prefix's end and the suffix's start.
    // (Sizes are guarded only so a hand-made empty template cannot throw.)
    body.clear();
    body.append(prefix.data(), prefix.empty() ? 0 : prefix.size() - 1);
    append_json_string(json, body);
    if (!suffix.empty()) body.append(suffix, 1);
  }
  stats.body_bytes = body.size();
  return stats;
}

}  // namespace dsfill::codec
