// Shared helpers for the CSV tests: a chunk-fed scan, the conformance cases and a random CSV
// generator whose quirks (quoted newlines, CRLF, bare CR, doubled quotes, blank lines) exercise
// every path of the scanner, the boundary finder and the transcoder.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "tests/oracle/csv_scanner.h"

namespace dsfill::codec::testing {

struct ScannedRecord {
  Record fields;
  std::int64_t row = 0;
  std::int64_t byte_offset = 0;
  bool operator==(const ScannedRecord&) const = default;
};

struct ScanResult {
  std::vector<ScannedRecord> records;
  std::optional<Error> error;
  std::size_t pieces = 0;
};

// Collects what a CsvScanner reports, checking the sink protocol as it goes.
class CollectingSink final : public CsvSink {
 public:
  explicit CollectingSink(ScanResult& out) : out_(out) {}
  void on_field_data(std::string_view piece) override {
    ++out_.pieces;
    if (piece.empty()) empty_piece_ = true;
    field_.append(piece);
  }
  void on_field_end() override {
    record_.push_back(std::move(field_));
    field_.clear();
  }
  void on_record_end(std::int64_t row, std::int64_t byte_offset) override {
    out_.records.push_back(ScannedRecord{std::move(record_), row, byte_offset});
    record_.clear();
  }
  // True if the scanner ever sent an empty piece (the contract says it never does).
  bool saw_empty_piece() const { return empty_piece_; }

 private:
  ScanResult& out_;
  Record record_;
  std::string field_;
  bool empty_piece_ = false;
};

// Scans `input` fed in chunks of `chunk` bytes (0: all at once), then finishes.
inline ScanResult scan_chunked(std::string_view input, std::size_t chunk,
                               const CsvDialect& dialect = {}, InputPosition start = {}) {
  ScanResult result;
  CollectingSink sink(result);
  CsvScanner scanner(dialect, start);
  if (chunk == 0) chunk = input.size() + 1;
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    auto fed = scanner.feed(input.substr(at, chunk), sink);
    if (!fed) {
      result.error = fed.error();
      return result;
    }
  }
  auto done = scanner.finish(sink);
  if (!done) result.error = done.error();
  if (sink.saw_empty_piece()) result.error = make_error(ErrorCode::kInternal, "empty piece");
  return result;
}

inline std::vector<Record> fields_of(const ScanResult& r) {
  std::vector<Record> out;
  for (const auto& rec : r.records) out.push_back(rec.fields);
  return out;
}

// Parses the transcoder's output back with simdjson (which also checks it is valid UTF-8).
// Strings come back as they are; numbers and null as "#<raw>" so a test can tell them apart.
inline std::vector<Record> parse_rows(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const auto err = parser.parse(json).get(doc);
  EXPECT_EQ(err, simdjson::SUCCESS) << simdjson::error_message(err) << " in " << json;
  std::vector<Record> rows;
  if (err != simdjson::SUCCESS) return rows;
  for (simdjson::dom::element row : doc.get_array()) {
    Record rec;
    for (simdjson::dom::element value : row.get_array()) {
      if (value.is_string()) {
        rec.emplace_back(std::string_view(value.get_string()));
      } else {
        std::string raw = "#";
        raw += simdjson::minify(value);
        rec.push_back(std::move(raw));
      }
    }
    rows.push_back(std::move(rec));
  }
  return rows;
}

// Options for random CSV generation.
struct GenOptions {
  std::size_t records = 50;
  std::size_t fields = 4;
  bool ragged = false;            // vary the field count
  bool embedded_newlines = true;  // quoted fields may hold LF, CR, CRLF
  bool mixed_terminators = true;  // LF, CRLF, CR; otherwise LF only
  bool blank_lines = true;
  bool non_ascii = true;  // valid UTF-8 only
  bool controls = true;   // tabs and other control chars in fields
  bool final_terminator_optional = true;
  char delimiter = ',';
};

// Returns a random field value (unescaped).
inline std::string random_value(std::mt19937& rng, const GenOptions& o) {
  static const char* const kPieces[] = {"a",
                                        "b",
                                        "xyz",
                                        "12",
                                        "3.5",
                                        " ",
                                        "\"",
                                        ",",
                                        ";",
                                        "\\",
                                        "2024-01-31",
                                        "-7",
                                        "\xC3\xA9",
                                        "\xE2\x82\xAC",
                                        "\xF0\x9F\x98\x80",
                                        "\t",
                                        "\x01",
                                        "\x7F",
                                        "\n",
                                        "\r",
                                        "\r\n",
                                        "|"};
  std::uniform_int_distribution<int> len(0, 6);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(kPieces) - 1);
  std::string v;
  for (int n = len(rng); n > 0; --n) {
    const std::string_view piece = kPieces[pick(rng)];
    const bool newline = piece.find_first_of("\r\n") != std::string_view::npos;
    const bool high = static_cast<unsigned char>(piece[0]) >= 0x80;
    const bool control = !newline && static_cast<unsigned char>(piece[0]) < 0x20;
    if (newline && !o.embedded_newlines) continue;
    if (high && !o.non_ascii) continue;
    if (control && !o.controls) continue;
    v += piece;
  }
  return v;
}

// Writes `value` as a CSV field, quoting it when needed (and sometimes when not).
inline void append_field(std::string& out, std::string_view value, std::mt19937& rng,
                         char delimiter) {
  const char specials[] = {'"', '\r', '\n', delimiter};
  const bool needs =
      value.find_first_of(std::string_view(specials, sizeof specials)) != std::string_view::npos;
  if (needs || rng() % 4 == 0) {
    out += '"';
    for (char c : value) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  } else {
    out += value;
  }
}

// Generates a random CSV and the records it holds.
inline std::string random_csv(std::mt19937& rng, const GenOptions& o,
                              std::vector<Record>* records = nullptr) {
  static const char* const kTerms[] = {"\n", "\r\n", "\r"};
  std::string out;
  for (std::size_t r = 0; r < o.records; ++r) {
    if (o.blank_lines && rng() % 8 == 0) out += o.mixed_terminators ? kTerms[rng() % 3] : "\n";
    // A record whose only field is empty would be a blank line: give single fields content.
    std::size_t nf = o.ragged ? 1 + rng() % (o.fields + 1) : o.fields;
    Record rec;
    for (std::size_t f = 0; f < nf; ++f) {
      std::string v = random_value(rng, o);
      if (nf == 1 && v.empty()) v.push_back('x');
      if (f != 0) out += o.delimiter;
      append_field(out, v, rng, o.delimiter);
      rec.push_back(std::move(v));
    }
    if (records != nullptr) records->push_back(std::move(rec));
    const bool last = r + 1 == o.records;
    if (!last || !o.final_terminator_optional || rng() % 2 == 0) {
      out += o.mixed_terminators ? kTerms[rng() % 3] : "\n";
    }
  }
  return out;
}

}  // namespace dsfill::codec::testing
