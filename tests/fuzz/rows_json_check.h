// The check behind rows_json_fuzz: append_rows_json must agree with CsvScanner.
//
// On success its output (appended after what `out` held) must parse with simdjson as an array of
// arrays, and each value must be the scanner's field: a string (transcoded from Latin-1, or with
// invalid UTF-8 replaced by U+FFFD per maximal subpart, or verbatim), or for numeric columns the
// number's literal text (null for an empty value). It fails exactly when the reference finds a
// problem, and names the same one: the scanner's CSV error (code, message, row, byte), a ragged
// row (row and byte of the record), invalid UTF-8 under the strict policy, or a non-number (or a
// number beyond double's range) in a numeric column (row).
//
// Then the same input through the checked path (codec/checked_rows.h), which must give the same
// JSON or the same error (code, message, row, byte); and under keep_going, which must succeed:
// with no rejects and the same JSON where the plain call succeeded, else with a first reject that
// names the plain call's error, every reject's bytes at its offset, in order, not overlapping.
//
// Input layout: [dialect][dialect extra][options][kinds mask][start][CSV bytes...].
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "codec/checked_rows.h"
#include "codec/rows_json.h"
#include "tests/fuzz/csv_scanner_check.h"
#include "tests/fuzz/fuzz_input.h"

namespace dsfill::fuzz {

// Returns the length of the well-formed UTF-8 sequence at s[i] (Unicode table 3-7), or 0 and
// in `bad` the length of its maximal subpart (at least 1).
inline std::size_t reference_utf8_sequence(std::string_view s, std::size_t i, std::size_t& bad) {
  const auto at = [&](std::size_t k) -> int {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : -1;
  };
  const int c0 = at(0);
  int n = 0;
  int lo = 0x80;
  int hi = 0xBF;
  if (c0 < 0x80) return 1;
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    n = 2;
  } else if (c0 >= 0xE0 && c0 <= 0xEF) {
    n = 3;
    if (c0 == 0xE0) lo = 0xA0;
    if (c0 == 0xED) hi = 0x9F;
  } else if (c0 >= 0xF0 && c0 <= 0xF4) {
    n = 4;
    if (c0 == 0xF0) lo = 0x90;
    if (c0 == 0xF4) hi = 0x8F;
  } else {
    bad = 1;
    return 0;
  }
  bad = 1;
  for (int k = 1; k < n; ++k) {
    const int c = at(k);
    const int l = k == 1 ? lo : 0x80;
    const int h = k == 1 ? hi : 0xBF;
    if (c < l || c > h) return 0;
    bad = static_cast<std::size_t>(k) + 1;
  }
  return static_cast<std::size_t>(n);
}

inline bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t bad = 1;
    const std::size_t n = reference_utf8_sequence(s, i, bad);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// Returns the field as the transcoder must write it (UTF-8), under `encoding` and kReplace.
inline std::string reference_text(std::string_view s, codec::InputEncoding encoding) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (encoding == codec::InputEncoding::kLatin1) {
      if (c < 0x80) {
        out += static_cast<char>(c);
      } else {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
      }
      ++i;
      continue;
    }
    std::size_t bad = 1;
    const std::size_t n = reference_utf8_sequence(s, i, bad);
    if (n != 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      i += bad;
    }
  }
  return out;
}

// Collects the fields the scanner completed in the record it failed in.
struct ScanWithPartial {
  ScanOutcome scan;
  codec::Record partial;
};

class PartialCollector final : public codec::CsvSink {
 public:
  explicit PartialCollector(ScanWithPartial& out) : out_(out) {}
  void on_field_data(std::string_view piece) override { field_.append(piece); }
  void on_field_end() override {
    out_.partial.push_back(std::move(field_));
    field_.clear();
  }
  void on_record_end(std::int64_t row, std::int64_t byte) override {
    out_.scan.records.push_back(std::move(out_.partial));
    out_.scan.positions.emplace_back(row, byte);
    out_.partial.clear();
  }

 private:
  ScanWithPartial& out_;
  std::string field_;
};

// The checked path and keep_going against the plain call's result `got` (and its JSON).
inline void check_other_paths(std::string_view csv, const codec::RowsJsonOptions& options,
                              codec::InputPosition start, const Result<codec::RowsJsonStats>& got,
                              std::string_view json, const std::string& context) {
  std::string checked = "XY";  // write_checked_rows writes from out[begin]: here 0
  std::size_t length = 0;
  const auto c = codec::detail::write_checked_rows(csv, options, start, checked, 0, length);
  FUZZ_CHECK(c.has_value() == got.has_value(), "checked path: another outcome; " + context);
  if (got) {
    FUZZ_CHECK(std::string_view(checked).substr(0, length) == json,
               "checked path: other JSON " + show(checked.substr(0, length)) + "; " + context);
    FUZZ_CHECK(c->rows == got->rows && c->physical_rows == got->physical_rows,
               "checked path: other counts; " + context);
  } else {
    const Error& a = got.error();
    const Error& b = c.error();
    FUZZ_CHECK(a.code == b.code && a.message == b.message && a.row == b.row &&
                   a.byte_offset == b.byte_offset,
               "checked path: other error " + describe(b) + "; " + context);
  }

  codec::RowsJsonOptions keep = options;
  keep.keep_going = true;
  std::string kept;
  const auto k = codec::append_rows_json(csv, keep, start, kept);
  FUZZ_CHECK(k.has_value(),
             "keep_going failed: " + (k ? "" : describe(k.error())) + "; " + context);
  if (got) {
    FUZZ_CHECK(k->rejects.empty() && kept == json, "keep_going differs on good input; " + context);
    return;
  }
  FUZZ_CHECK(!k->rejects.empty(), "keep_going rejected nothing; " + context);
  const codec::RowReject& first = k->rejects.front();
  FUZZ_CHECK(first.message == got.error().message && first.row == got.error().row,
             "first reject is not the error: " + show(first.message) + "; " + context);
  std::int64_t from = start.byte_offset;
  std::uint64_t rows = 0;
  for (const codec::RowReject& r : k->rejects) {
    FUZZ_CHECK(r.byte_offset >= from, "rejects overlap or are out of order; " + context);
    const auto at = static_cast<std::size_t>(r.byte_offset - start.byte_offset);
    FUZZ_CHECK(at < csv.size() && csv.substr(at, r.record.size()) == r.record,
               "reject's bytes are not at its offset; " + context);
    FUZZ_CHECK(r.value.size() <= 200 && is_valid_utf8(r.value),
               "reject's value is not short valid UTF-8; " + context);
    from = r.byte_offset + static_cast<std::int64_t>(r.record.size());
    ++rows;
  }
  FUZZ_CHECK(k->physical_rows >= k->rows + rows, "keep_going's row counts; " + context);
  FUZZ_CHECK(simdjson::validate_utf8(kept.data(), kept.size()), "keep_going's JSON; " + context);
}

struct ExpectedFailure {
  ErrorCode code;
  std::int64_t row;
  std::int64_t byte;         // -1: not compared
  std::optional<Error> csv;  // the scanner's error, compared exactly
};

inline void check_rows_json(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const std::uint8_t d0 = in.byte();
  const std::uint8_t d1 = in.byte();
  const std::uint8_t opt = in.byte();
  const std::uint8_t kinds_mask = in.byte();
  const std::uint8_t start_byte = in.byte();
  const std::string_view csv = in.rest();

  codec::RowsJsonOptions options;
  options.dialect = pick_dialect(d0, d1, /*ascii_only=*/true);
  options.encoding = (opt & 1) != 0 ? codec::InputEncoding::kLatin1 : codec::InputEncoding::kUtf8;
  options.utf8 = (opt & 2) != 0 ? codec::Utf8Policy::kReplace : codec::Utf8Policy::kStrict;
  if ((opt & 4) != 0) {
    for (int i = 0; i < 8; ++i) {
      options.kinds.push_back((kinds_mask >> i) & 1 ? codec::ValueKind::kNumber
                                                    : codec::ValueKind::kString);
    }
    options.kinds.resize((opt >> 5) + 1);  // 1-8 declared columns
  }
  options.expected_fields = (opt & 8) != 0 ? ((opt >> 4) & 7) : 0;
  const codec::InputPosition start{1 + (start_byte & 15), (start_byte >> 4) * 1000};
  const bool strict =
      options.encoding == codec::InputEncoding::kUtf8 && options.utf8 == codec::Utf8Policy::kStrict;
  const auto is_number_column = [&](std::size_t j) {
    return j < options.kinds.size() && options.kinds[j] == codec::ValueKind::kNumber;
  };

  // The reference: the scanner's records (and the failing record's completed fields).
  ScanWithPartial ref;
  {
    PartialCollector sink(ref);
    codec::CsvScanner scanner(options.dialect, start);
    auto r = scanner.feed(csv, sink);
    if (r) r = scanner.finish(sink);
    if (!r) ref.scan.error = r.error();
  }

  // What must fail first, walking the records as the transcoder does: fields left to right, then
  // the record's width.
  std::optional<ExpectedFailure> expected;
  std::size_t width = options.expected_fields;
  const auto field_failure = [&](const codec::Record& rec,
                                 std::int64_t row) -> std::optional<ExpectedFailure> {
    for (std::size_t j = 0; j < rec.size(); ++j) {
      if (is_number_column(j)) {
        if (!rec[j].empty() &&
            (!codec::is_json_number(rec[j]) || !codec::json_number_in_range(rec[j]))) {
          return ExpectedFailure{ErrorCode::kBadNumber, row, -1, std::nullopt};
        }
      } else if (strict && !is_valid_utf8(rec[j])) {
        return ExpectedFailure{ErrorCode::kBadEncoding, row, -1, std::nullopt};
      }
    }
    return std::nullopt;
  };
  for (std::size_t i = 0; i < ref.scan.records.size() && !expected; ++i) {
    const codec::Record& rec = ref.scan.records[i];
    const auto [row, byte] = ref.scan.positions[i];
    expected = field_failure(rec, row);
    if (expected) break;
    if (width == 0) width = rec.size();
    if (rec.size() != width)
      expected = ExpectedFailure{ErrorCode::kBadCsv, row, byte, std::nullopt};
  }
  if (!expected && ref.scan.error) {
    expected = field_failure(ref.partial, ref.scan.error->row);
    if (!expected) {
      const Error& e = *ref.scan.error;
      expected = ExpectedFailure{e.code, e.row, e.byte_offset, e};
    }
  }

  const std::string prefix = "PREFIX";
  std::string out = prefix;
  const auto got = codec::append_rows_json(csv, options, start, out);
  const std::string context =
      "dialect " + show(std::string{options.dialect.delimiter, options.dialect.quote}) + " opt " +
      std::to_string(opt) + " input " + show(csv) + "\nscanner: " + describe(ref.scan) +
      "\ntranscoder: " + (got ? "ok" : describe(got.error()));
  FUZZ_CHECK(out.compare(0, prefix.size(), prefix) == 0,
             "append_rows_json overwrote out; " + context);
  check_other_paths(csv, options, start, got, std::string_view(out).substr(prefix.size()), context);

  if (expected) {
    FUZZ_CHECK(!got, "transcoder accepted what the reference rejects (" +
                         std::string(error_code_name(expected->code)) + " at row " +
                         std::to_string(expected->row) + "); " + context);
    const Error& e = got.error();
    if (expected->csv && strict && e.code == ErrorCode::kBadEncoding) {
      // Invalid UTF-8 in the failing record before the malformed byte is reported first; an
      // unterminated quoted field is named by its opening quote but found at the end of input.
      const bool at_end = expected->csv->message == "unterminated quoted field";
      FUZZ_CHECK(e.row == expected->row && (at_end || e.byte_offset < expected->byte),
                 "encoding error after the CSV error; " + context);
      return;
    }
    FUZZ_CHECK(e.code == expected->code && e.row == expected->row,
               "transcoder and reference name different errors; " + context);
    if (expected->byte >= 0)
      FUZZ_CHECK(e.byte_offset == expected->byte, "byte differs; " + context);
    if (expected->csv)
      FUZZ_CHECK(e.message == expected->csv->message, "message differs; " + context);
    return;
  }
  FUZZ_CHECK(got.has_value(), "transcoder rejected what the reference accepts; " + context);
  const auto& records = ref.scan.records;
  FUZZ_CHECK(got->rows == records.size(), "row count differs; " + context);
  if (!records.empty()) FUZZ_CHECK(got->fields_per_row == width, "width differs; " + context);

  const std::string_view json = std::string_view(out).substr(prefix.size());
  FUZZ_CHECK(simdjson::validate_utf8(json.data(), json.size()), "output is not UTF-8; " + context);
  simdjson::dom::parser dom;
  const auto parsed = dom.parse(json.data(), json.size()).error();
  // The DOM refuses numbers beyond 64 bits or double range, which RFC 8259 allows; the value
  // walk below checks those literals.
  FUZZ_CHECK(parsed == simdjson::SUCCESS || parsed == simdjson::NUMBER_ERROR ||
                 parsed == simdjson::NUMBER_OUT_OF_RANGE,
             "output is not JSON: " + show(json) + "; " + context);

  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(json);
  simdjson::ondemand::document doc = parser.iterate(padded);
  std::size_t i = 0;
  for (auto row_value : doc.get_array()) {
    FUZZ_CHECK(i < records.size(), "more rows than records; " + context);
    const codec::Record& rec = records[i];
    std::size_t j = 0;
    for (auto value : row_value.get_array()) {
      FUZZ_CHECK(j < rec.size(), "more values than fields; " + context);
      const std::string at = " at row " + std::to_string(i) + " field " + std::to_string(j) + "; ";
      if (is_number_column(j)) {
        if (rec[j].empty()) {
          FUZZ_CHECK(value.is_null().value(), "empty number not null" + at + context);
        } else {
          std::string_view raw = value.raw_json_token().value();
          while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n')) raw.remove_suffix(1);
          FUZZ_CHECK(raw == rec[j], "number differs" + at + show(raw) + "; " + context);
        }
      } else {
        const std::string_view text = value.get_string().value();
        const std::string want = strict ? rec[j] : reference_text(rec[j], options.encoding);
        FUZZ_CHECK(text == want, "value " + show(text) + " != " + show(want) + at + context);
      }
      ++j;
    }
    FUZZ_CHECK(j == rec.size(), "fewer values than fields; " + context);
    ++i;
  }
  FUZZ_CHECK(i == records.size(), "fewer rows than records; " + context);
}

}  // namespace dsfill::fuzz
