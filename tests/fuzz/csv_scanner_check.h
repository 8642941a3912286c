// The differential check behind csv_scanner_fuzz: CsvScanner fed the whole input at once must
// report the same records (fields, row, byte offset) and the same error (code, message, row,
// byte) as when fed the same bytes in arbitrary chunks; and batches cut by find_record_cut and
// scanned separately must give the same records as the whole (or, for input the scanner rejects,
// fail too rather than cut silently).
//
// Input layout: [dialect][dialect extra][8 chunk-size bytes][4 cut bytes][CSV bytes...].
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/row_boundary.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/oracle/csv_scanner.h"

namespace dsfill::fuzz {

// What a scan produced: complete records with their positions, and the error if any.
struct ScanOutcome {
  std::vector<codec::Record> records;
  std::vector<std::pair<std::int64_t, std::int64_t>> positions;  // (row, byte) of each record
  std::optional<Error> error;
};

// Collects records, checking the sink contract: pieces are non-empty and lie in the fed chunk.
class CheckingCollector final : public codec::CsvSink {
 public:
  explicit CheckingCollector(ScanOutcome& out) : out_(out) {}
  void set_chunk(std::string_view chunk) { chunk_ = chunk; }
  void on_field_data(std::string_view piece) override {
    FUZZ_CHECK(!piece.empty(), "empty piece");
    // The one exception to "points into the chunk": a doubled quote split across chunks is
    // reported as a one-byte piece of the scanner's own quote character.
    const bool in_chunk = piece.data() >= chunk_.data() &&
                          piece.data() + piece.size() <= chunk_.data() + chunk_.size();
    FUZZ_CHECK(in_chunk || piece.size() == 1, "piece outside the fed chunk: " + show(piece));
    field_.append(piece);
  }
  void on_field_end() override {
    record_.push_back(std::move(field_));
    field_.clear();
  }
  void on_record_end(std::int64_t row, std::int64_t byte) override {
    out_.records.push_back(std::move(record_));
    out_.positions.emplace_back(row, byte);
    record_.clear();
  }

 private:
  ScanOutcome& out_;
  std::string_view chunk_;
  codec::Record record_;
  std::string field_;
};

// Scans `input` fed in chunks whose sizes cycle through `sizes` (0 is an empty feed).
inline ScanOutcome scan_in_chunks(std::string_view input, const codec::CsvDialect& dialect,
                                  codec::InputPosition start,
                                  const std::vector<std::size_t>& sizes) {
  ScanOutcome out;
  CheckingCollector sink(out);
  codec::CsvScanner scanner(dialect, start);
  std::size_t k = 0;
  while (!input.empty() || k == 0) {
    const std::size_t n = std::min(sizes[k++ % sizes.size()], input.size());
    const std::string_view chunk = input.substr(0, n);
    input.remove_prefix(n);
    sink.set_chunk(chunk);
    if (auto r = scanner.feed(chunk, sink); !r) {
      out.error = r.error();
      // A spent scanner refuses further input.
      FUZZ_CHECK(!scanner.feed("x", sink) && !scanner.finish(sink), "scanner not spent");
      return out;
    }
    if (input.empty()) break;
  }
  sink.set_chunk({});
  if (auto r = scanner.finish(sink); !r) out.error = r.error();
  return out;
}

inline std::string describe(const ScanOutcome& s) {
  std::string out = std::to_string(s.records.size()) + " records";
  if (s.error) out += ", error " + describe(*s.error);
  return out;
}

inline bool same_error(const std::optional<Error>& a, const std::optional<Error>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->code == b->code && a->message == b->message && a->row == b->row &&
         a->byte_offset == b->byte_offset;
}

// Returns the first position where two record lists differ, or -1.
inline long first_difference(const ScanOutcome& a, const ScanOutcome& b) {
  const std::size_t n = std::min(a.records.size(), b.records.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a.records[i] != b.records[i] || a.positions[i] != b.positions[i]) {
      return static_cast<long>(i);
    }
  }
  return a.records.size() == b.records.size() ? -1 : static_cast<long>(n);
}

inline std::size_t chunk_size(std::uint8_t b) {
  // Mostly tiny chunks (0-7 bytes, where state crosses chunk ends), sometimes larger ones.
  return b < 160 ? std::size_t{b} % 8 : (std::size_t{b} - 159) * 3;
}

// Cuts `input` into batches with find_record_cut (block sizes and record caps from `cut_bytes`)
// and scans each batch with a fresh scanner, as the loader's chunker and encoders do.
inline ScanOutcome scan_in_batches(std::string_view input, const codec::CsvDialect& dialect,
                                   const std::array<std::uint8_t, 4>& cut_bytes) {
  ScanOutcome out;
  std::size_t pos = 0;
  std::int64_t row = 1;
  std::size_t grow = 0;  // extra block bytes after a cut that took nothing
  for (std::size_t k = 0; pos < input.size(); ++k) {
    const std::uint8_t b = cut_bytes[k % cut_bytes.size()];
    const std::size_t block_len = std::size_t{1} + (b & 0x3f) * 2 + grow;
    const std::size_t max_records = (b & 0xc0) == 0xc0 ? SIZE_MAX : std::size_t{1} + (b >> 6);
    const std::string_view block = input.substr(pos, block_len);
    const bool at_eof = pos + block.size() == input.size();
    const codec::RecordCut cut = codec::find_record_cut(block, max_records, at_eof, dialect);
    FUZZ_CHECK(cut.end <= block.size() && cut.records <= max_records,
               "cut out of range: end " + std::to_string(cut.end) + " records " +
                   std::to_string(cut.records));
    FUZZ_CHECK((cut.end == 0) == (cut.records == 0), "cut end and record count disagree");
    std::string_view batch = block.substr(0, cut.end);
    if (cut.end == 0) {
      if (!at_eof) {
        grow = grow * 2 + 16;
        continue;
      }
      // Nothing complete at the end of input: the rest is an open quote; the encoder reports it.
      FUZZ_CHECK(cut.in_quotes, "nothing taken at end of input without an open quote");
      batch = block;
    }
    grow = 0;
    ScanOutcome part = scan_in_chunks(
        batch, dialect, codec::InputPosition{row, static_cast<std::int64_t>(pos)}, {SIZE_MAX});
    for (std::size_t i = 0; i < part.records.size(); ++i) {
      out.records.push_back(std::move(part.records[i]));
      out.positions.push_back(part.positions[i]);
    }
    if (part.error) {
      out.error = part.error;
      return out;
    }
    // Blank lines count as physical records in the cut, so rows stay the file's rows.
    row += static_cast<std::int64_t>(cut.records);
    pos += batch.size();
  }
  return out;
}

inline void check_csv_scanner(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const std::uint8_t d0 = in.byte();
  const std::uint8_t d1 = in.byte();
  const codec::CsvDialect dialect = pick_dialect(d0, d1, /*ascii_only=*/false);
  std::vector<std::size_t> sizes;
  for (int i = 0; i < 8; ++i) sizes.push_back(chunk_size(in.byte()));
  if (std::all_of(sizes.begin(), sizes.end(), [](std::size_t s) { return s == 0; })) sizes[0] = 1;
  std::array<std::uint8_t, 4> cut_bytes{};
  for (auto& b : cut_bytes) b = in.byte();
  const std::string_view csv = in.rest();

  const ScanOutcome whole = scan_in_chunks(csv, dialect, {}, {SIZE_MAX});
  const ScanOutcome chunked = scan_in_chunks(csv, dialect, {}, sizes);
  const std::string context = "dialect " + show(std::string{dialect.delimiter, dialect.quote}) +
                              " input " + show(csv) + "\nwhole: " + describe(whole) +
                              "\nchunked: " + describe(chunked);
  FUZZ_CHECK(
      first_difference(whole, chunked) == -1,
      "records differ at " + std::to_string(first_difference(whole, chunked)) + "; " + context);
  FUZZ_CHECK(same_error(whole.error, chunked.error), "errors differ; " + context);

  const ScanOutcome batched = scan_in_batches(csv, dialect, cut_bytes);
  const std::string batch_context = context + "\nbatched: " + describe(batched);
  if (!whole.error) {
    FUZZ_CHECK(!batched.error && first_difference(whole, batched) == -1,
               "batches cut by find_record_cut differ from the whole; " + batch_context);
  } else {
    // Rejected input must not be cut into batches that all scan cleanly.
    FUZZ_CHECK(batched.error.has_value(),
               "rejected input scans cleanly in batches; " + batch_context);
    FUZZ_CHECK(
        batched.records.size() <= whole.records.size() &&
            std::equal(batched.records.begin(), batched.records.end(), whole.records.begin()),
        "batches before the error differ from the whole; " + batch_context);
  }
}

}  // namespace dsfill::fuzz
