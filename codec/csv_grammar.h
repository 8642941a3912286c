// The one CSV grammar: a state machine whose transition table is built once per dialect, and
// the field reader that walks it. Every reader of CSV fields in codec/ consumes this table (the
// model is DuckDB's csv_state_machine_cache): the transcoder's general path (codec/rows_json.cpp)
// at each byte its JSON copy loop stops at, the record reader behind headers, samples and infer
// (codec/csv_records.h), and the numeric-field reader of the transcoder (read_field below).
// The error messages live here too, so every walker reports a malformed field the same way.
// See codec/csv_dialect.h for the dialect and the corner cases it decides.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "codec/csv_dialect.h"

namespace dsfill::codec {

// A state names what the byte just consumed was. Walkers act on entering a state: a field ends
// on kDelimiter, kRecordEndLf and kRecordEndCr; a record ends on the last two; a blank line
// (a physical row that holds no record) is kBlankLf or kBlankCr.
enum class CsvState : std::uint8_t {
  kRecordStart,   // no record open: the input's start (or, below, a terminator just passed)
  kCrLf,          // the LF of a CRLF terminator: nothing happens
  kBlankLf,       // an LF with no record open: a blank line
  kBlankCr,       // a CR with no record open: a blank line (an LF next completes it)
  kRecordEndLf,   // an LF ending a record
  kRecordEndCr,   // a CR ending a record (an LF next completes it)
  kDelimiter,     // a delimiter: a field ended and the next begins
  kUnquoted,      // a byte of an unquoted field
  kQuoted,        // the opening quote or a data byte of a quoted field
  kQuote,         // a quote inside a quoted field: the closing one, or the first of a pair
  kEscapedQuote,  // the second quote of a pair: one quote of data
  kBareQuote,     // error: a quote inside an unquoted field
  kAfterQuote,    // error: something other than a delimiter or terminator after a closing quote
};
inline constexpr int kCsvStateCount = 13;

class CsvGrammar {
 public:
  explicit CsvGrammar(const CsvDialect& dialect);

  // Returns the state that byte `c` leads to from `from`. Error states are absorbing.
  CsvState next(CsvState from, char c) const {
    return next_[static_cast<int>(from)][static_cast<unsigned char>(c)];
  }

  // Returns what the end of the input means in state `s`: true if a record is open and ends
  // there (its last field too); false if none is open. REQUIRES: !unterminated_at_end(s).
  static bool record_open_at_end(CsvState s) {
    return s == CsvState::kDelimiter || s == CsvState::kUnquoted || s == CsvState::kQuote;
  }
  // Returns whether the input may not end in state `s` (a quoted field is open).
  static bool unterminated_at_end(CsvState s) {
    return s == CsvState::kQuoted || s == CsvState::kEscapedQuote;
  }
  // Returns whether `s` ends a record (or a blank line), so a CR's LF may follow.
  static bool ends_line(CsvState s) {
    return s == CsvState::kRecordEndLf || s == CsvState::kRecordEndCr || s == CsvState::kBlankLf ||
           s == CsvState::kBlankCr;
  }

  // Returns the byte after the blank line at p (LF, CR or CRLF), or nullptr when a record
  // starts at p. REQUIRES: p < end.
  const char* after_blank_line(const char* p, const char* end) const {
    const CsvState line = next(CsvState::kRecordStart, *p);
    if (line != CsvState::kBlankLf && line != CsvState::kBlankCr) return nullptr;
    return after_line_end(line, p + 1, end);
  }
  // Returns the byte after the terminator at p that ends a record (LF, CR or CRLF); `end` stays
  // `end`. REQUIRES: p <= end.
  const char* after_terminator(const char* p, const char* end) const {
    if (p == end) return p;
    return after_line_end(next(CsvState::kUnquoted, *p), p + 1, end);
  }

  const CsvDialect& dialect() const { return dialect_; }

 private:
  // p: the byte after the one that entered `s`; a CR's LF is part of its terminator.
  const char* after_line_end(CsvState s, const char* p, const char* end) const {
    const bool cr = s == CsvState::kBlankCr || s == CsvState::kRecordEndCr;
    return cr && p < end && next(s, *p) == CsvState::kCrLf ? p + 1 : p;
  }

  CsvDialect dialect_;
  CsvState next_[kCsvStateCount][256];
};

// How a field read by read_field ended.
enum class CsvFieldEnd : std::uint8_t {
  kDelimiter,     // at a delimiter: another field follows
  kTerminator,    // at a CR or LF: the record ends
  kInputEnd,      // at the end of the input: the record ends
  kBareQuote,     // error at `at`: "bare quote in unquoted field"
  kAfterQuote,    // error at `at`: "unexpected character after closing quote"
  kUnterminated,  // error at `at` (the opening quote): "unterminated quoted field"
};

struct CsvField {
  std::string_view value;  // unescaped: into the input, or into the scratch string
  const char* at;          // the byte that ended the field (end of input: `end`), or the error's
  CsvFieldEnd end;
};

// Reads the field that starts at `p` (a record's first byte or the byte after a delimiter).
// The value points into [p, end) unless a doubled quote had to be undone; then it is built in
// `scratch`. Never allocates for fields without doubled quotes.
CsvField read_field(const CsvGrammar& grammar, const char* p, const char* end,
                    std::string& scratch);

// Returns the error for a field that ended in error (`end` is kBareQuote, kAfterQuote or
// kUnterminated), naming `row` and the file offset `byte_offset` of the byte at fault.
Error csv_field_error(CsvFieldEnd end, std::int64_t row, std::int64_t byte_offset);

// Returns the error for a record of `found` fields where `expected` were due, naming the record's
// row and the file offset of its first byte.
Error ragged_row_error(std::size_t expected, std::size_t found, std::int64_t row,
                       std::int64_t byte_offset);

}  // namespace dsfill::codec
