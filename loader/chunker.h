// Cuts row-aligned batches out of the input: whichever of `batch_rows` records or `batch_bytes`
// bytes comes first. Quote-aware (codec::find_record_cut), so a quoted newline never splits a row.
//
// Batches are not copied out: each one views the read buffer (a segment of batch_bytes + one read)
// it was cut from and shares its ownership, so a segment lives until its last batch is gone.
// Starting a new segment copies only the bytes read but not yet cut (about two batches at most);
// segments come from a pool (segment_pool.h), so their pages are faulted in once, not per batch.
// Every segment has codec::kKernelPadding readable bytes past its capacity, so every batch's
// records are a padded buffer (codec/padded.h) for the SIMD kernels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "codec/csv_dialect.h"
#include "codec/padded.h"
#include "loader/input_reader.h"
#include "loader/segment_pool.h"

namespace dsfill::loader {

struct Batch {
  std::uint64_t seq = 0;       // 0, 1, 2, ... in input order
  std::int64_t first_row = 1;  // physical row (1-based, header included) of its first record
  std::uint64_t physical_rows = 0;
  std::int64_t byte_begin = 0;  // file offsets [byte_begin, byte_end)
  std::int64_t byte_end = 0;
  // The raw CSV bytes of whole records, followed by at least codec::kKernelPadding readable bytes.
  std::string_view records;
  std::shared_ptr<const char[]> storage;  // keeps `records` alive
};

struct ChunkerOptions {
  std::size_t batch_rows = 10000;
  std::size_t batch_bytes = 8u << 20;
  std::size_t max_record_bytes = 64u << 20;  // a longer record is a kBadCsv error
  std::size_t read_size = 1u << 20;
  codec::CsvDialect dialect;
  // When bad rows may be left out: a "record" longer than max_record_bytes is taken to be a bare
  // quote's doing (it flips the quote parity the cut relies on, so every later newline looks
  // quoted), and the batch is cut at the last newline within batch_bytes instead of failing.
  // The encoder then rejects the record with the quote, and the next batch starts in step.
  bool resync_long_records = false;
  // --limit N: load only the first N data records (0: all). Applied by open_input (load_input.h)
  // through Chunker::set_limit, after the header and net of what a resumed load already read.
  std::uint64_t limit_records = 0;
  // --skip-lines N: physical lines (up to each LF, quotes not considered) dropped before the
  // first record, as report exports have a preamble. Applied only by a chunker that starts at
  // byte 0, after a BOM; each still counts as a row, so later rows keep their line numbers.
  std::uint64_t skip_lines = 0;
  // --comment CHAR: a record that begins with this byte is a comment line (up to its LF, quotes
  // not considered) and is dropped, counted as a row. Only at record starts: inside a quoted
  // field it is data. '\0': none. A batch never holds a comment line; it ends before one.
  char comment = '\0';
};

class Chunker {
 public:
  // `start` names the file position the reader is at (0 and row 1 for a fresh load). A UTF-8
  // BOM at byte 0 is skipped (it still counts in byte offsets).
  Chunker(InputReader& reader, ChunkerOptions options, codec::InputPosition start = {});

  // Returns the next batch of at most `max_rows` records (0: the configured batch_rows), or
  // nullopt at the end of input. At the end an unterminated quoted field comes back as a final
  // batch so that the encoder reports it with its row and byte.
  Result<std::optional<Batch>> next(std::size_t max_rows = 0);

  // Returns the next record (terminator included) without consuming it; empty at end of input.
  // The view stays valid until the next call on this chunker.
  Result<std::string_view> peek_record();

  // Makes next() end the input after `records` more records (a trial load's --limit).
  void set_limit(std::uint64_t records) { left_ = records; }

  // Bytes consumed from the input so far (the end of the last batch returned).
  std::int64_t offset() const { return pos_.byte_offset; }

  // The physical row (1-based) of the next record: after the header, the first data row.
  std::int64_t row() const { return pos_.row; }

  // Bytes the boundary finder has scanned so far, rescans included (for tests and benchmarks).
  std::uint64_t scanned_bytes() const { return scanned_; }

  // Segments mapped so far; the rest were reused (for tests and benchmarks).
  std::uint64_t segments_mapped() const { return pool_.mapped(); }

 private:
  Result<bool> fill();  // reads more; false at end of input
  // Buffers enough input and returns the length of the next cut of at most `max_rows` records
  // (0 at end of input), setting `records`; consumes nothing.
  Result<std::size_t> cut(std::size_t max_rows, std::size_t& records);
  // Drops the lines --skip-lines still owes and the comment lines at the next record start.
  Result<void> skip_lines();
  // Drops one physical line at the next record start; false at end of input.
  Result<bool> drop_line();
  // Shortens the cut [0, end) of `records` records to end before its first comment line.
  void stop_at_comment(std::size_t& end, std::size_t& records) const;

  InputReader& reader_;
  ChunkerOptions options_;
  SegmentPool pool_;  // where segments come from and go back to
  codec::InputPosition pos_;
  std::uint64_t next_seq_ = 0;
  // The segment being read into: bytes [begin_, size_) are read and not yet cut; it holds
  // capacity_ + codec::kKernelPadding bytes. A plain array, not a std::string: growing a string
  // zero-fills the bytes that read() then overwrites.
  std::shared_ptr<char[]> segment_;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
  std::size_t begin_ = 0;  // first unconsumed byte in segment_
  // Buffered bytes a cut waits for (short of the end of input): batch_bytes at first, then twice
  // the last batch, so a cut rarely scans bytes twice and the uncut tail stays small.
  std::size_t lookahead_ = 0;
  bool eof_ = false;
  bool bom_checked_ = false;
  std::uint64_t scanned_ = 0;
  std::uint64_t left_ = UINT64_MAX;  // records next() may still return
  std::uint64_t skip_left_ = 0;      // --skip-lines not yet dropped
};

}  // namespace dsfill::loader
