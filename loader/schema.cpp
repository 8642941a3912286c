#include "loader/schema.h"

#include <fstream>
#include <sstream>

#include "codec/column_inference.h"
#include "codec/column_names.h"
#include "codec/csv_records.h"
#include "loader/input_reader.h"
#include "loader/log.h"

namespace dsfill::loader {

namespace {

// Parses one record (the header, or the first data record) into its fields.
Result<codec::Record> parse_one(std::string_view record, const Chunker& chunker,
                                const codec::RowsJsonOptions& rows) {
  auto records = codec::parse_csv(record, rows.dialect, 1);
  if (!records) {
    Error e = records.error();
    if (e.byte_offset >= 0) e.byte_offset += chunker.offset();
    return e;
  }
  if (records->empty()) return codec::Record{};
  return std::move(records->front());
}

// Header names become column names in JSON, so they must be UTF-8 whatever the input encoding.
void to_utf8(codec::Record& record, codec::InputEncoding encoding) {
  const codec::HighByteTable* table = codec::high_byte_table(encoding);
  if (table == nullptr) return;
  for (std::string& field : record) {
    std::string out;
    codec::append_single_byte(field, *table, out);
    field = std::move(out);
  }
}

}  // namespace

Result<Schema> read_schema(Chunker& chunker, const SchemaOptions& options) {
  Schema schema;
  schema.rows = options.rows;
  std::size_t fields = 0;
  if (options.has_header) {
    auto batch = chunker.next(1);
    if (!batch) return batch.error();
    if (*batch) {
      auto header = parse_one((*batch)->records, chunker, options.rows);
      if (!header) return header.error();
      schema.header = std::move(*header);
      schema.header_record = std::string((*batch)->records);
      to_utf8(schema.header, options.rows.encoding);
      fields = schema.header.size();
    }
  } else {
    auto first = chunker.peek_record();
    if (!first) return first.error();
    auto record = parse_one(*first, chunker, options.rows);
    if (!record) return record.error();
    fields = record->size();
  }

  if (options.columns) {
    schema.columns = *options.columns;
    if (options.spec_from_header && schema.header.size() == schema.columns.size()) {
      // The spec's names are this header's made usable: field i is column i.
    } else if (!schema.header.empty()) {
      auto source = match_columns(schema.header, schema.columns, options.match);
      if (!source) return source.error();
      schema.rows.source = std::move(*source);
    } else if (fields != 0 && schema.columns.size() != fields) {
      return make_error(ErrorCode::kBadCsv,
                        "the columns spec has " + std::to_string(schema.columns.size()) +
                            " columns but the " + (options.has_header ? "header" : "first record") +
                            " has " + std::to_string(fields) + " fields",
                        options.has_header ? 1 : -1);
    }
  } else if (options.has_header) {
    // The header names the columns, made names the server accepts (as `dsfill infer` does).
    codec::UsableNames names = codec::usable_column_names(schema.header);
    schema.columns = codec::columns_from_header(names.names);
    schema.name_notes = std::move(names.notes);
  } else {
    std::vector<std::string> names;
    for (std::size_t i = 1; i <= fields; ++i) names.push_back("column_" + std::to_string(i));
    schema.columns = codec::columns_from_header(names);
  }
  schema.rows.kinds = codec::value_kinds(schema.columns);
  auto dates = codec::date_formats(schema.columns);
  if (!dates) return dates.error();
  schema.rows.dates = std::move(*dates);
  // With a header, every record has the header's fields, mapped or not.
  schema.rows.expected_fields =
      schema.header.empty() ? schema.columns.size() : schema.header.size();
  return schema;
}

Result<codec::InferredColumns> sample_and_infer(Chunker& chunker, SchemaOptions options,
                                                std::size_t sample_rows) {
  options.columns.reset();
  auto schema = read_schema(chunker, options);
  if (!schema) return schema.error();
  if (schema->columns.empty()) {
    return make_error(ErrorCode::kBadCsv, "empty file: no header and no rows to infer from");
  }
  std::vector<std::string> names;
  for (const auto& c : schema->columns) names.push_back(c.name);
  std::vector<codec::Record> sample;
  while (sample.size() < sample_rows) {
    auto batch = chunker.next(sample_rows - sample.size());
    if (!batch) return batch.error();
    if (!*batch) break;
    auto records = codec::parse_csv((*batch)->records, options.rows.dialect);
    if (!records) {
      Error e = records.error();
      if (e.row >= 0) e.row += (*batch)->first_row - 1;
      if (e.byte_offset >= 0) e.byte_offset += (*batch)->byte_begin;
      return e;
    }
    for (auto& r : *records) sample.push_back(std::move(r));
  }
  codec::InferredColumns inferred =
      codec::infer_columns(names, sample, options.rows.nulls, options.rows.numbers);
  inferred.notes.insert(inferred.notes.begin(), schema->name_notes.begin(),
                        schema->name_notes.end());
  return inferred;
}

Result<codec::Columns> infer_file_columns(const std::string& path, const ChunkerOptions& chunking,
                                          SchemaOptions options, std::size_t sample_rows) {
  if (path == "-") {
    return make_error(ErrorCode::kBadArgument,
                      "--infer needs a file: it reads a sample, then loads from the start");
  }
  auto reader = InputReader::open(path);
  if (!reader) return reader.error();
  Chunker chunker(*reader, chunking);
  auto inferred = sample_and_infer(chunker, std::move(options), sample_rows);
  if (!inferred) return inferred.error();
  for (const std::string& note : inferred->notes) log(LogLevel::kInfo, "--infer: " + note);
  return std::move(inferred->columns);
}

Result<codec::Columns> load_columns_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot open columns spec " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto columns = codec::parse_columns_json(text.str());
  if (!columns) {
    Error e = columns.error();
    e.message = "columns spec " + path + ": " + e.message;
    return e;
  }
  return columns;
}

}  // namespace dsfill::loader
