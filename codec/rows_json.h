// CSV records -> the JSON array of rows the dataset-fill API carries in insert-data.
//
// Output decodes (json.loads) to exactly the rows Python's csv module reads from the same bytes:
// compact `[["a","b"],["c","d"]]`, strings escaped per RFC 8259 (quote, backslash, control
// characters as \u00XX or the \b \f \n \r \t short forms), non-ASCII kept as UTF-8.
// Columns of kind kNumber are written as JSON numbers (after validation).
//
// Three paths write it, chosen per call (write_rows_json does; callers never pick):
// - the fast path (plain_records.h) for runs of records of string columns (plain ones, and with
//   AVX-512 quoted ones too);
// - the general path (rows_json.cpp) for the records the fast path leaves;
// - the checked path (checked_rows.h) when the options ask for what only it does: a `source`
//   mapping, kDate columns, null rules, number rules; and under keep_going, once the other two
//   have failed on a bad record (they are much faster, and bad records rare).
// Where more than one path can write an input they write the same bytes and fail with the same
// error; a test runs them side by side on random CSV (tests/codec/checked_rows_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "codec/csv_dialect.h"
#include "codec/date_format.h"
#include "codec/json_text.h"    // the escaper and number check the transcoder writes with
#include "codec/single_byte.h"  // InputEncoding

namespace dsfill::codec {

enum class Utf8Policy : std::uint8_t { kStrict, kReplace };  // kReplace: invalid bytes -> U+FFFD
// kDate: a string checked against the column's DateFormat (RowsJsonOptions::dates).
enum class ValueKind : std::uint8_t { kString, kNumber, kDate };

// Cells that mean "no value": written as JSON null in any column. A marker is compared with the
// value once its CSV quotes are undone, so a quoted "NA" is null too (as DuckDB's CSV reader does
// by default, allow_quoted_nulls).
struct NullRules {
  std::vector<std::string> markers;  // exact, case-sensitive (--null-value NULL --null-value '\N')
  bool empty_as_null = false;        // empty text cells too (empty number and date cells always)
  bool operator==(const NullRules&) const = default;
};

// How numbers in kNumber columns are written in the file (codec/number_text.h reads them: groups
// of exactly three digits after the first 1-3; a number without separators is fine too).
struct NumberRules {
  bool decimal_comma = false;       // "3,14" is 3.14 (a '.' is then not a decimal point)
  char thousands_separator = '\0';  // e.g. ',' for "1,234.5": groups of three digits
  bool operator==(const NumberRules&) const = default;
};

// The field a column takes when the header lacks it: the column is null in every row.
inline constexpr std::uint32_t kNoField = UINT32_MAX;

struct RowsJsonOptions {
  CsvDialect dialect;
  InputEncoding encoding = InputEncoding::kUtf8;
  Utf8Policy utf8 = Utf8Policy::kStrict;
  // One entry per output column; empty means every value is a string.
  std::vector<ValueKind> kinds;
  // One entry per output column, used where kinds[j] is kDate; missing entries are ISO 8601.
  std::vector<DateFormat> dates;
  // Output column j takes the record's field source[j] (0-based; kNoField: null). Empty: the
  // identity (column j is field j), the fast path's case.
  std::vector<std::uint32_t> source;
  // Fields every record must have; 0 means "as many as the first record of this call".
  std::size_t expected_fields = 0;
  NullRules nulls;
  NumberRules numbers;
  // Longest value accepted, as the reference server's default limit: bytes of the value's text
  // as the JSON carries it (CSV quotes undone, in UTF-8: Latin-1 converted, U+FFFD replacements
  // counted). Every path checks it.
  std::size_t max_value_bytes = std::size_t{1} << 20;
  // true: a bad record is left out of the JSON and described in RowsJsonStats::rejects, and the
  // rest of the records are written; false: the first bad record fails the call.
  bool keep_going = false;
};

// Why a record was left out (a short stable name for each: reject_reason_name).
enum class RejectReason : std::uint8_t {
  kRaggedRow,          // a field count other than the header's
  kBareQuote,          // a quote inside an unquoted field
  kAfterQuote,         // something other than a delimiter or terminator after a closing quote
  kUnterminatedQuote,  // a quoted field still open at the end of the input
  kInvalidUtf8,        // invalid UTF-8 under Utf8Policy::kStrict
  kNotANumber,         // a kNumber column's value is not a number
  kNumberOutOfRange,   // a number beyond double's range (1e999), which the server refuses
  kBadDate,            // a kDate column's value does not match the column's format
  kValueTooLong,       // a value longer than max_value_bytes
  kRefusedByServer,    // (the loader's: a row the server answered 400/422 for)
};
inline constexpr int kRejectReasonCount = 10;

// Returns "ragged_row", "bare_quote", ... for `reason`.
const char* reject_reason_name(RejectReason reason);

// One record left out under keep_going. The record ends where the grammar ends it, except after
// malformed CSV: after a bare quote or a byte after a closing quote it ends at the next LF, CR or
// CRLF after the fault (taken raw, whatever quotes follow); after an unterminated quote it is the
// rest of the input.
struct RowReject {
  std::int64_t row = 0;          // the file row of the record's first byte
  std::int64_t byte_offset = 0;  // the file offset of the record's first byte
  std::string record;            // the record's bytes as they are in the input, terminator included
  std::size_t field = 0;         // the 1-based field of the file's record at fault; 0: the record
  // That field's value (CSV quotes undone; for malformed CSV its raw bytes up to the fault), cut
  // to 200 bytes at a character boundary, as valid UTF-8 (Latin-1 converted, invalid bytes as
  // U+FFFD); empty for a ragged row.
  std::string value;
  RejectReason reason = RejectReason::kRaggedRow;
  std::string message;  // the same words the error would have had without keep_going
  std::string column;   // the field's header name: filled in by the loader, which knows it
};

struct RowsJsonStats {
  std::uint64_t rows = 0;           // records written (blank lines are skipped)
  std::uint64_t physical_rows = 0;  // terminators consumed, blank lines included
  std::size_t fields_per_row = 0;   // the file's (expected_fields), not the output's columns
  std::vector<RowReject> rejects;   // keep_going: the records left out, in file order
};

// Appends to `out` the JSON array of the records in `records`, which holds whole records
// (a final one may lack its terminator). `start` names the file position of records[0].
// A BOM is data here: the caller skips it (the chunker does). Reads the CSV by the one grammar
// (codec/csv_grammar.h), as parse_csv does (same records, same CSV errors, same row and byte).
// Errors name the file row and byte offset: malformed CSV and ragged rows (kBadCsv), invalid UTF-8
// under kStrict (kBadEncoding), non-numbers and numbers beyond double's range (1e999, 1e-400:
// json_number_in_range) in kNumber columns (kBadNumber), values that do not match their kDate
// column's format (kBadDate), values over max_value_bytes (kTooLarge). Value errors name the
// output column (1-based; and the field when a mapping moves it) and quote the value, and point
// at the field's first byte. An empty value in a kNumber or kDate column is written as null.
// kBadArgument: NumberRules that cannot be read (check_number_rules), a `source` field the
// records do not have. The first record's field count is the file's when expected_fields is 0.
// Under keep_going bad records are left out and described in RowsJsonStats::rejects instead.
// On error `out` holds a partial array; discard it.
Result<RowsJsonStats> append_rows_json(std::string_view records, const RowsJsonOptions& options,
                                       InputPosition start, std::string& out);

// Like append_rows_json, but writes from out[0] and sets `length` to the JSON's length, leaving
// out.size() >= length (bytes past it are unspecified). For hot loops: a buffer reused this way
// is never zero-filled again, where resizing a std::string would fill it on every call.
Result<RowsJsonStats> write_rows_json(std::string_view records, const RowsJsonOptions& options,
                                      InputPosition start, std::string& out, std::size_t& length);

}  // namespace dsfill::codec
