// Finds record boundaries in raw CSV bytes without parsing fields: the chunker's hot path.
//
// The quote state is tracked by quote parity, which is exact for every input the scanner accepts
// (a bare or misplaced quote is an error there, so a batch cut from such input fails to encode
// rather than being cut silently in the wrong place).
#pragma once

#include <cstddef>
#include <string_view>

#include "codec/csv_dialect.h"
#include "codec/padded.h"

namespace dsfill::codec {

struct RecordCut {
  std::size_t end = 0;      // offset just past the terminator of the last record taken (0: none)
  std::size_t records = 0;  // physical records taken (blank lines count: they are terminators)
  // True when the bytes after `end` (to the end of the block) leave a quoted field open: at the
  // end of input they are an unterminated quoted field. False when max_records stopped the scan.
  bool in_quotes = false;
};

// Scans `block`, which starts at a record boundary, and takes up to `max_records` complete records.
// A record is complete when its terminator (LF, CRLF or bare CR outside quotes) is in the block;
// a CR that is the block's last byte is not taken unless `at_eof`, since an LF may follow it.
// When `at_eof` is true, a final record without terminator is taken too (end == block.size()),
// unless it sits inside an open quote (then it is left for the scanner to report).
// Runs 64 bytes at a time on the kernel set in use (simd_dispatch.h); never reads outside
// `block` (its last partial block is copied first).
RecordCut find_record_cut(std::string_view block, std::size_t max_records, bool at_eof,
                          const CsvDialect& dialect);

// The same for a padded buffer (padded.h), such as the chunker's: no copy of the last block, which
// is read in place, padding included.
RecordCut find_record_cut(PaddedView block, std::size_t max_records, bool at_eof,
                          const CsvDialect& dialect);

}  // namespace dsfill::codec
