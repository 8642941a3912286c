// Reads one CSV record into its fields, for the transcoder's checked path (codec/checked_rows.h):
// a walker of the one grammar (codec/csv_grammar.h) that hands back every field of the record at
// once, so that columns can take them in any order.
//
// Most records are read 64 bytes at a time: bit masks of the block's delimiters, quotes and line
// ends give the fields' bounds without a step per byte, and a quoted field without doubled quotes
// is its bytes between the quotes; the masks also tell which unquoted fields are plain (nothing in
// them that JSON escapes or UTF-8 checks), which a writer may copy as they are. A record that holds
// anything else (a doubled quote, a quote inside an unquoted field, a byte after a closing quote,
// an open quote, fewer than 64 bytes left in the input) is read again field by field with
// read_field, which decides it as the grammar does. Both give the same fields, the same end and the
// same faults.
//
// Internal to codec/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codec/csv_grammar.h"

namespace dsfill::codec::detail {

// One field of the record read.
struct FieldRead {
  const char* begin;       // its first byte (a quoted field's opening quote)
  std::string_view value;  // CSV quotes undone: into the input, or into the field's scratch
  bool in_scratch;         // the value is in scratch (it had doubled quotes)
  bool plain;              // known to be printable ASCII other than '"' and '\\': JSON as it is
};

// What reading a record found: how many fields, where it stopped, and any malformed CSV.
struct RecordRead {
  std::size_t fields = 0;  // complete fields (a malformed one, if any, is the next)
  const char* stop;        // the terminator or end after the last field, or the malformed byte
  CsvFieldEnd fault = CsvFieldEnd::kTerminator;  // kBareQuote, kAfterQuote, kUnterminated: bad
  bool malformed() const {
    return fault == CsvFieldEnd::kBareQuote || fault == CsvFieldEnd::kAfterQuote ||
           fault == CsvFieldEnd::kUnterminated;
  }
};

// The bytes of a 64-byte block that can end or open a field, one bit per byte (bit i: byte i).
struct BlockMasks {
  std::uint64_t delims;
  std::uint64_t quotes;
  std::uint64_t line_ends;  // LF or CR
  std::uint64_t odd;        // other bytes that make a field not plain: controls, '"', '\\', >= 0x80
};

class RecordReader {
 public:
  // Reads records of an input that ends at `end` by `grammar`. REQUIRES: both outlive the reader.
  RecordReader(const CsvGrammar& grammar, const char* end);

  // Reads the record that starts at p (a byte that begins a field, not a blank line's) into
  // `rec`. fields()[0..rec.fields) are its fields, and fields()[rec.fields] the malformed one if
  // there is one (its value then is undefined); they stay valid until the next call.
  // (An out-parameter: a returned struct would be copied whole right after its fields were
  // stored one by one, which stalls the copy.)
  void read(const char* p, RecordRead& rec);

  const FieldRead* fields() const { return fields_.data(); }

 private:
  bool read_plain(const char* p, RecordRead& rec);
  void read_by_grammar(const char* p, RecordRead& rec);

  const CsvGrammar& grammar_;
  const char* end_;
  const char* last_q_;  // the block the last record read by masks ended in (end_: none)
  BlockMasks last_{};
  std::vector<FieldRead> fields_;     // grown to the widest record, reused
  std::vector<std::string> scratch_;  // one per field: read_field's doubled quotes undone
};

}  // namespace dsfill::codec::detail
