// Settles what the rows of an input are: the header record, the columns spec and the options
// the encoders need (dialect, encoding, value kinds, field count).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "codec/column_inference.h"
#include "codec/columns.h"
#include "codec/rows_json.h"
#include "loader/chunker.h"
#include "loader/column_match.h"

namespace dsfill::loader {

struct SchemaOptions {
  bool has_header = true;
  // A columns spec given by the user (--columns); otherwise columns come from the header
  // (all dimension/text) or, without a header, are named column_1..column_N.
  std::optional<codec::Columns> columns;
  // dialect, encoding, UTF-8 policy, null and number rules, keep_going; the columns' kinds,
  // dates, field count and mapping are filled in
  codec::RowsJsonOptions rows;
  ColumnMatchOptions match;  // how header names map to a given spec's columns
  // `columns` was inferred from this input's header (--infer): its names are the header's made
  // usable (codec/column_names.h), so fields are taken by position, not matched by name.
  bool spec_from_header = false;
};

struct Schema {
  codec::Columns columns;
  std::vector<std::string> header;  // empty without a header row
  std::string header_record;        // the header's bytes as in the input, terminator included
  codec::RowsJsonOptions rows;      // ready for codec::BatchEncoder
  // How header names were changed to make the columns (codec::usable_column_names), one line
  // each; empty when a spec was given or the header was usable as it is.
  std::vector<std::string> name_notes;
};

// Consumes the header record from `chunker` when there is one and returns the schema.
// With a header and a given columns spec, header fields are matched to the spec's columns by
// name (column_match.h: kBadArgument for missing, extra or repeated names). Without a header,
// fields are taken by position, and it fails with kBadCsv when the spec does not have as many
// columns as the first record, naming both counts. A date column's bad format is kBadArgument.
// Without a spec, the columns are the header's names made usable (codec/column_names.h: empty,
// repeated or too long names renamed, name_notes saying how).
Result<Schema> read_schema(Chunker& chunker, const SchemaOptions& options);

// Reads the header (when there is one) and up to `sample_rows` data records from `chunker` and
// infers their columns (codec/column_inference.h), the header's names made usable first (their
// notes come first); `options.columns` is ignored. Fails with kBadCsv "empty file" when the
// input holds no record at all.
Result<codec::InferredColumns> sample_and_infer(Chunker& chunker, SchemaOptions options,
                                                std::size_t sample_rows);

// Infers a columns spec (codec/column_inference.h, as `dsfill infer` does) from the header and
// the first `sample_rows` data records of the file at `path`; `options.columns` is ignored.
// Its notes (renamed header names first) go to the log, one info line each.
// Fails with kBadArgument for standard input (the sample would be consumed) and with the
// CSV error, naming row and byte, when the sample is malformed.
Result<codec::Columns> infer_file_columns(const std::string& path, const ChunkerOptions& chunking,
                                          SchemaOptions options, std::size_t sample_rows);

// Reads and parses a columns spec file (a JSON array of column objects).
Result<codec::Columns> load_columns_file(const std::string& path);

}  // namespace dsfill::loader
