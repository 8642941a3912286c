#include "loader/load_input.h"

#include <string>

#include "loader/log.h"
#include "loader/shard.h"

namespace dsfill::loader {

namespace {

// Returns `e` with its whole text as the message (row and byte included), of kind `code`.
Error flattened(const Error& e, ErrorCode code, const std::string& prefix = "") {
  return make_error(code, prefix + e.describe());
}

struct Tail {
  InputReader reader;
  codec::InputPosition start;
};

// Opens the part of the input this run reads when it is not simply "after the header": a
// shard's byte range, and/or the unacknowledged rest of a resumed load.
Result<Tail> open_tail(const LoadOptions& o, std::int64_t data_start, const Plan& plan) {
  std::int64_t begin = plan.start_offset;
  std::int64_t row = plan.start_row;
  std::int64_t end = -1;
  if (o.cuts_file()) {
    auto shard = open_shard(o.input, data_start, o.shard, o.chunker.dialect);
    if (!shard) return shard.error();
    end = shard->range.end;
    if (!plan.resumed) {
      // A shard does not know its first row number; rows count from 1 within it.
      return Tail{std::move(shard->reader), codec::InputPosition{1, shard->range.begin}};
    }
  }
  auto reader = InputReader::open(o.input, begin);
  if (!reader) return reader.error();
  if (end >= 0) reader->set_end(end);
  return Tail{std::move(*reader), codec::InputPosition{row, begin}};
}

}  // namespace

Result<std::unique_ptr<LoadInput>> open_input(const LoadOptions& o) {
  auto in = std::make_unique<LoadInput>();
  auto reader = InputReader::open(o.input);
  if (!reader) return flattened(reader.error(), ErrorCode::kIo);
  in->reader_ = std::make_unique<InputReader>(std::move(*reader));
  in->size = in->reader_->size();
  const Compression compression = in->reader_->compression();
  if (compression != Compression::kNone && o.cuts_file()) {
    return make_error(ErrorCode::kBadArgument,
                      o.input + " is " + compression_name(compression) +
                          (is_utf16(compression) ? " text" : "-compressed") +
                          ": --shard cannot cut it, because no byte range of a "
                          "decoded stream can be read without decoding all that comes "
                          "before it. Split it into several files (e.g. decompress it and "
                          "`split --line-bytes`, keeping the header) or decompress it and shard "
                          "the plain file");
  }
  if (o.chunker.comment != '\0' && o.cuts_file()) {
    // A shard's boundary is found from the bytes after its cut as if they were all CSV: a quote
    // in a comment line would mislead it, and a row would go to two shards or none.
    return make_error(ErrorCode::kBadArgument,
                      "--shard cannot be combined with --comment: shard boundaries are found "
                      "from the bytes after each cut, and a quote in a comment line would "
                      "mislead them. Strip the comment lines first (e.g. grep -v '^#') and "
                      "shard the result");
  }
  ChunkerOptions chunking = o.chunker;
  chunking.resync_long_records = o.bad_rows.any() || o.target == Target::kCheck;
  in->head_ = std::make_unique<Chunker>(*in->reader_, chunking);
  const std::string name = (o.input == "-" ? std::string("standard input") : o.input) + ": ";
  auto schema = read_schema(*in->head_, o.schema);
  if (!schema) {
    const bool usage = schema.error().code == ErrorCode::kBadArgument;
    return flattened(schema.error(), usage ? ErrorCode::kBadArgument : ErrorCode::kBadCsv, name);
  }
  in->schema = std::move(*schema);
  for (const std::string& note : in->schema.name_notes) log(LogLevel::kWarn, name + note);
  // Bad records are left out and counted only where some may be; otherwise the first one stops.
  in->schema.rows.keep_going = o.bad_rows.any() || o.target == Target::kCheck;
  in->body = codec::make_body_template(o.user_code, o.dataset_code, in->schema.columns, o.compress);
  const std::int64_t data_start = in->head_->offset();
  // The header's row, and any --skip-lines or --comment lines before it, are behind the chunker.
  const std::int64_t first_data_row = in->head_->row();
  auto plan = plan_load(o, in->body, in->schema.rows, data_start, first_data_row);
  if (!plan) {
    const bool io = plan.error().code == ErrorCode::kIo;
    return flattened(plan.error(), io ? ErrorCode::kIo : ErrorCode::kBadArgument);
  }
  in->plan = std::move(*plan);
  in->first_data_row = first_data_row;
  if (in->plan.already_finished) return in;
  // A shard or a resume reads from its own offset; the header above came from byte 0.
  if (o.cuts_file() || in->plan.start_offset != data_start) {
    auto tail = open_tail(o, data_start, in->plan);
    if (!tail) return flattened(tail.error(), ErrorCode::kIo);
    in->tail_reader_ = std::make_unique<InputReader>(std::move(tail->reader));
    in->tail_ = std::make_unique<Chunker>(*in->tail_reader_, chunking, tail->start);
  }
  if (o.chunker.limit_records > 0) {
    // Records before plan.start_row were read by earlier runs of this load.
    const auto done = static_cast<std::uint64_t>(in->plan.start_row - first_data_row);
    const std::uint64_t limit = o.chunker.limit_records;
    in->batches().set_limit(limit > done ? limit - done : 0);
  }
  if (compression != Compression::kNone) {
    in->compressed_read = (in->tail_reader_ ? in->tail_reader_ : in->reader_)->file_bytes_read();
  }
  return in;
}

}  // namespace dsfill::loader
