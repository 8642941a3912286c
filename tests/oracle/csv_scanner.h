// A test oracle: an incremental RFC 4180 scanner, written apart from the production grammar
// (codec/csv_grammar.h), that the tests and fuzz checks compare the transcoder and parse_csv
// against. Not linked into any production target.
//
// Feed it bytes in chunks of any size, it emits the same records.
//
// The scanner never copies fields: a sink receives each field's unescaped value in pieces that
// point into the fed chunk. Within one chunk an unquoted field is one piece and a quoted field is
// one piece per run between doubled quotes (each such piece ends with the one quote it stands
// for); a field spanning chunks adds a piece per chunk. Pieces are never empty.
// See codec/csv_dialect.h for the dialect and its errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "codec/csv_dialect.h"
#include "codec/csv_records.h"

namespace dsfill::codec {

// Receives what the scanner finds. Pieces of one field arrive in order; on_field_end follows the
// last piece (an empty field gets no piece, only on_field_end).
class CsvSink {
 public:
  virtual ~CsvSink() = default;
  virtual void on_field_data(std::string_view piece) = 0;
  virtual void on_field_end() = 0;
  // Called at each record end (blank lines are not records and are not reported).
  // `row` is the record's 1-based physical row, `byte_offset` its first byte.
  virtual void on_record_end(std::int64_t row, std::int64_t byte_offset) = 0;
};

class CsvScanner {
 public:
  // `start` names the row and byte offset of the first byte that will be fed.
  explicit CsvScanner(const CsvDialect& dialect, InputPosition start = {});

  // Scans `chunk`, reporting fields and records to `sink`.
  // Returns an Error (row and byte set) at the first malformed byte; the scanner is then spent.
  Result<void> feed(std::string_view chunk, CsvSink& sink);

  // Ends the input: completes a final record without terminator, or reports an open quote.
  Result<void> finish(CsvSink& sink);

 private:
  // Implementation state lives in the .cpp's view of these members.
  CsvDialect dialect_;
  InputPosition pos_;               // row and byte offset of the next byte
  std::int64_t record_row_ = 1;     // row of the record being scanned
  std::int64_t record_offset_ = 0;  // byte offset of its first byte
  std::int64_t quote_offset_ = -1;  // where the currently open quoted field began
  int state_ = 0;                   // a State of the .cpp, kept across feed() calls
  bool spent_ = false;              // set by an error: later calls fail
};

}  // namespace dsfill::codec
