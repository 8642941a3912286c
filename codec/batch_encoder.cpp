#include "codec/batch_encoder.h"

#include <cstring>
#include <utility>

#include "codec/base64.h"

namespace dsfill::codec {

BatchEncoder::BatchEncoder(BodyTemplate body, RowsJsonOptions rows, int level)
    : body_(std::move(body)), rows_(std::move(rows)), gzip_(level) {}

Result<BatchStats> BatchEncoder::encode(std::string_view records, InputPosition start, bool append,
                                        std::string& body) {
  json_.clear();
  auto rows = append_rows_json(records, rows_, start, json_);
  if (!rows) return rows.error();

  BatchStats stats;
  stats.rows = rows->rows;
  stats.physical_rows = rows->physical_rows;
  stats.csv_bytes = records.size();
  stats.json_bytes = json_.size();

  const std::string& prefix = body_.prefix;
  const std::string& suffix = append ? body_.suffix_append : body_.suffix_replace;
  if (body_.compressed) {
    // Keep gz_ at its largest size so steady-state batches neither allocate nor zero-fill.
    const std::size_t bound = gzip_.bound(json_.size());
    if (gz_.size() < bound) gz_.resize(bound);
    const std::size_t gz_size = gzip_.compress_into(json_, gz_.data(), gz_.size());
    if (gz_size == 0) {
      return make_error(ErrorCode::kInternal, "gzip output exceeded its bound");
    }
    stats.gzip_bytes = gz_size;
    // Size the body once and write every part in place; resizing a reused body without clearing
    // it first only touches bytes past its previous size.
    const std::size_t b64_size = base64_encoded_size(gz_size);
    body.resize(prefix.size() + b64_size + suffix.size());
    char* p = body.data();
    std::memcpy(p, prefix.data(), prefix.size());
    p += prefix.size();
    p += base64_encode_into(std::string_view(gz_.data(), gz_size), p);
    std::memcpy(p, suffix.data(), suffix.size());
  } else {
    // The rows JSON travels as a JSON string: append_json_string writes it with its quotes, so
    // take the template's quotes off the prefix's end and the suffix's start.
    // (Sizes are guarded only so a hand-made empty template cannot throw.)
    body.clear();
    body.append(prefix.data(), prefix.empty() ? 0 : prefix.size() - 1);
    append_json_string(json_, body);
    if (!suffix.empty()) body.append(suffix, 1);
  }
  stats.body_bytes = body.size();
  return stats;
}

}  // namespace dsfill::codec
