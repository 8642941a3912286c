// CSV records -> the JSON array of rows the dataset-fill API carries in insert-data.
//
// Output decodes (json.loads) to exactly the rows Python's csv module reads from the same bytes:
// compact `[["a","b"],["c","d"]]`, strings escaped per RFC 8259 (quote, backslash, control
// characters as \u00XX or the \b \f \n \r \t short forms), non-ASCII kept as UTF-8.
// Columns of kind kNumber are written as JSON numbers (after validation).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "codec/csv_dialect.h"
#include "codec/json_text.h"  // the escaper and number check the transcoder writes with

namespace dsfill::codec {

enum class InputEncoding : std::uint8_t { kUtf8, kLatin1 };
enum class Utf8Policy : std::uint8_t { kStrict, kReplace };  // kReplace: invalid bytes -> U+FFFD
enum class ValueKind : std::uint8_t { kString, kNumber };

struct RowsJsonOptions {
  CsvDialect dialect;
  InputEncoding encoding = InputEncoding::kUtf8;
  Utf8Policy utf8 = Utf8Policy::kStrict;
  // One entry per column; empty means every value is a string.
  std::vector<ValueKind> kinds;
  // Fields every record must have; 0 means "as many as the first record of this call".
  std::size_t expected_fields = 0;
};

struct RowsJsonStats {
  std::uint64_t rows = 0;           // records written (blank lines are skipped)
  std::uint64_t physical_rows = 0;  // terminators consumed, blank lines included
  std::size_t fields_per_row = 0;
};

// Appends to `out` the JSON array of the records in `records`, which holds whole records
// (a final one may lack its terminator). `start` names the file position of records[0].
// A BOM is data here: the caller skips it (the chunker does). Reads the CSV by the one grammar
// (codec/csv_grammar.h), as parse_csv does (same records, same CSV errors, same row and byte).
// Errors name the file row and byte offset: malformed CSV, ragged rows, invalid UTF-8 under
// kStrict, and non-numbers in kNumber columns (the message names the column index and value;
// an empty value in a kNumber column is written as null).
// On error `out` holds a partial array; discard it.
Result<RowsJsonStats> append_rows_json(std::string_view records, const RowsJsonOptions& options,
                                       InputPosition start, std::string& out);

// Like append_rows_json, but writes from out[0] and sets `length` to the JSON's length, leaving
// out.size() >= length (bytes past it are unspecified). For hot loops: a buffer reused this way
// is never zero-filled again, where resizing a std::string would fill it on every call.
Result<RowsJsonStats> write_rows_json(std::string_view records, const RowsJsonOptions& options,
                                      InputPosition start, std::string& out, std::size_t& length);

}  // namespace dsfill::codec
