#include "codec/checked_rows.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "codec/csv_grammar.h"
#include "codec/json_escape_loop.h"
#include "codec/json_text.h"
#include "codec/number_text.h"
#include "codec/record_reader.h"
#include "codec/reject_record.h"
#include "codec/utf8.h"
#include "codec/value_checks.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dsfill::codec::detail {
namespace {

constexpr std::size_t kWholeRecord = static_cast<std::size_t>(-1);

// A record's first fault, kept small until it becomes an error or a reject.
struct Problem {
  bool found = false;
  RejectReason reason = RejectReason::kRaggedRow;
  std::size_t column = 0;            // the output column
  std::size_t field = kWholeRecord;  // the 0-based file field
  const char* at = nullptr;          // the byte the error names
  std::size_t bytes = 0;             // kValueTooLong: the value's text bytes
};

// What output column j writes.
struct Column {
  std::uint32_t field;  // the record's field it takes; kNoField (or one the record lacks): null
  ValueKind kind;
  bool plain_text;         // a text column whose values are never null (no markers, no
                           // empty_as_null): a plain value is copied as it is
  const DateFormat* date;  // kDate: the format its values must match
};

// Fixed facts of one call.
struct Plan {
  const char* begin;
  const char* end;
  std::int64_t base;  // file offset of begin
  const CsvGrammar* grammar;
  const RowsJsonOptions* options;
  // Per output column. Without a mapping (`identity`) column j takes field j, and there are as
  // many columns as the record has fields: columns are added for wider records.
  std::vector<Column> columns;
  bool identity;
  const HighByteTable* table;  // a single-byte encoding's; null for UTF-8
  bool replace;
  bool strict_utf8;              // UTF-8 input under kStrict: invalid bytes are faults
  bool plain_numbers;            // default NumberRules: a number is written as it is
  bool plain_text;               // no null markers, no empty_as_null: text values are never null
  std::uint64_t marker_lengths;  // bit min(n, 63) set: some null marker has n bytes
  std::size_t max_value;         // max_value_bytes
  std::size_t max_raw;  // a value no longer than this is within max_value whatever its bytes
  std::int64_t offset_of(const char* at) const { return base + (at - begin); }
};

// Writes [p, ve) JSON-escaped (no quotes); bytes up to `readable` may be read (16 at a time past
// ve, never used). The one escaper (put_json_escape) and high-byte writer (write_high_run).
// Under kStrict, stops at an invalid byte and sets `bad` to it. Out of line: plain values, most
// of them, are copied without it. (Two words back, so that they come back in registers.)
[[gnu::noinline]] OutSpan write_text(const char* p, const char* ve, const char* readable, char* o,
                                     char* lim, std::string& out, const PlainClasses& cls,
                                     const Plan& plan, const char*& bad) {
  for (;;) {
    DSFILL_RESERVE(16);
#if defined(__SSE2__)
    if (readable - p >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o), v);
      unsigned mask = cls.mask(v);
      const auto left = static_cast<std::size_t>(ve - p);
      if (left < 16) mask |= 1u << left;  // the value's end stops the copy too
      if (mask == 0) {
        p += 16;
        o += 16;
        continue;
      }
      const auto k = static_cast<unsigned>(__builtin_ctz(mask));
      p += k;
      o += k;
    } else
#endif
    {
      // At most 16 bytes a round: that is the room reserved.
      const char* const stop = ve - p > 16 ? p + 16 : ve;
      while (p < stop && !cls.special(*p)) *o++ = *p++;
      if (p == stop && p != ve) continue;
    }
    if (p == ve) return {o, lim};
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x80) {
      const HighRun h = write_high_run(p, ve, o, lim, out, plan.table, plan.replace);
      if (!h.ok) {
        bad = h.p;
        return {h.o, h.lim};
      }
      p = h.p;
      o = h.o;
      lim = h.lim;
    } else {
      DSFILL_RESERVE(6);
      o = put_json_escape(o, c);
      ++p;
    }
  }
}

// Copies the n bytes at p to o, 32 at once when n is at most 32 and 32 bytes from p are below
// `readable`. REQUIRES: o has n + 32 bytes of room.
inline void copy_plain_value(const char* p, std::size_t n, const char* readable, char* o) {
#if defined(__SSE2__)
  if (n <= 32 && readable - p >= 32) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o), a);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o + 16), b);
    return;
  }
#else
  (void)readable;
#endif
  std::memcpy(o, p, n);
}

bool is_marker(std::string_view value, const std::vector<std::string>& markers) {
  for (const std::string& m : markers) {
    if (m.size() == value.size() &&
        (m.empty() || (m[0] == value[0] && std::memcmp(m.data(), value.data(), m.size()) == 0))) {
      return true;
    }
  }
  return false;
}

// Returns whether `value` is a null marker (the length test first: most values are not).
inline bool is_null_marker(const Plan& plan, std::string_view value) {
  const std::size_t n = std::min<std::size_t>(value.size(), 63);
  return ((plan.marker_lengths >> n) & 1) != 0 && is_marker(value, plan.options->nulls.markers);
}

// Writes output column j's value from field f, all but a plain text value (write_columns copies
// those): nulls, numbers, dates, and text that needs escaping or checking. On a fault sets
// `fault` and returns a null lim.
[[gnu::noinline]] OutSpan write_value(const Plan& plan, const Column& c, std::size_t j,
                                      const FieldRead& f, char* o, char* lim, std::string& out,
                                      const PlainClasses& cls, Problem& fault) {
  const RowsJsonOptions& options = *plan.options;
  const std::string_view value = f.value;
  const auto fail = [&](RejectReason reason, const char* at) {
    fault = {true, reason, j, c.field, at, 0};
    return OutSpan{o, nullptr};
  };
  if (c.kind != ValueKind::kString || !plan.plain_text) {
    const bool empty_null = c.kind != ValueKind::kString || options.nulls.empty_as_null;
    if ((value.empty() && empty_null) || is_null_marker(plan, value)) {
      DSFILL_RESERVE(4);
      std::memcpy(o, "null", 4);
      return {o + 4, lim};
    }
    if (c.kind == ValueKind::kNumber) {
      DSFILL_RESERVE(value.size());
      std::size_t n = value.size();
      if (plan.plain_numbers) {
        std::memcpy(o, value.data(), n);
      } else {
        n = write_number_text(value, options.numbers, o);
        if (n == kMisplacedSeparator) return fail(RejectReason::kNotANumber, f.begin);
      }
      const JsonNumberCheck number = check_json_number(std::string_view(o, n));
      if (number == JsonNumberCheck::kNotANumber) return fail(RejectReason::kNotANumber, f.begin);
      if (number == JsonNumberCheck::kOutOfRange) {
        return fail(RejectReason::kNumberOutOfRange, f.begin);
      }
      return {o + n, lim};
    }
    if (c.kind == ValueKind::kDate && !c.date->matches(value)) {
      return fail(RejectReason::kBadDate, f.begin);
    }
  }
  DSFILL_RESERVE(1);
  *o++ = '"';
  // A value in the input may be read past its end; one in scratch only up to it.
  const char* const ve = value.data() + value.size();
  const char* bad = nullptr;
  const OutSpan t =
      write_text(value.data(), ve, f.in_scratch ? ve : plan.end, o, lim, out, cls, plan, bad);
  o = t.o;
  lim = t.lim;
  if (bad != nullptr) return fail(RejectReason::kInvalidUtf8, bad);
  DSFILL_RESERVE(1);
  *o++ = '"';
  return {o, lim};
}

// Sets `too_long` for output column j's value from field f when its text is over the limit.
[[gnu::noinline]] void check_length(const Plan& plan, std::size_t j, std::uint32_t field,
                                    const FieldRead& f, Problem& too_long) {
  const std::size_t bytes = text_bytes(f.value, plan.options->encoding, plan.options->utf8);
  if (bytes > plan.max_value)
    too_long = {true, RejectReason::kValueTooLong, j, field, f.begin, bytes};
}

// Writes the record's output columns, `[` to `]` exclusive, stopping at the first value fault,
// which it sets in `fault`; sets `too_long` for the first value over the limit (a later fault:
// the caller decides which one the record gets). Columns whose field the record does not have
// (it is ragged or malformed there) are null. The loop itself only copies plain text values (the
// most of most files), numbers and dates that are good as they are, and leaves the rest to
// write_value.
[[gnu::noinline]] OutSpan write_columns(const Plan& plan, const FieldRead* fields,
                                        std::size_t nfields, char* o, char* lim, std::string& out,
                                        const PlainClasses& cls, Problem& fault,
                                        Problem& too_long) {
  const std::size_t ncols = plan.identity ? nfields : plan.columns.size();
  const Column* const columns = plan.columns.data();
  const char* const readable = plan.end;
  for (std::size_t j = 0; j < ncols; ++j) {
    const Column& c = columns[j];
    if (c.field >= nfields) {  // kNoField too
      DSFILL_RESERVE(5);
      *o = ',';
      o += j != 0;
      std::memcpy(o, "null", 4);
      o += 4;
      continue;
    }
    const FieldRead& f = fields[c.field];
    const std::size_t n = f.value.size();
    if (n > plan.max_raw && !too_long.found) check_length(plan, j, c.field, f, too_long);
    DSFILL_RESERVE(n + 36);
    *o = ',';
    o += j != 0;
    if (f.plain) {
      // Nothing to escape or check in the bytes: they go as they are once the column's rules
      // pass (copy_plain_value may read the input past the value and write 32 bytes; the room
      // is there).
      const bool text_or_date = c.kind != ValueKind::kNumber;
      const bool maybe_null = !c.plain_text && (n == 0 ? c.kind != ValueKind::kString ||
                                                             plan.options->nulls.empty_as_null
                                                       : is_null_marker(plan, f.value));
      const bool good = !maybe_null && (c.kind == ValueKind::kString ||
                                        (c.kind == ValueKind::kDate && c.date->matches(f.value)) ||
                                        (c.kind == ValueKind::kNumber && plan.plain_numbers &&
                                         check_json_number(f.value) == JsonNumberCheck::kGood));
      if (good) {
        *o = '"';
        o += text_or_date;
        copy_plain_value(f.value.data(), n, readable, o);
        o[n] = '"';
        o += n + text_or_date;
        continue;
      }
    }
    const OutSpan v = write_value(plan, c, j, f, o, lim, out, cls, fault);
    o = v.o;
    if (v.lim == nullptr) {
      lim = out.data() + out.size();
      break;
    }
    lim = v.lim;
  }
  return {o, lim};
}

// Returns where in the input the byte `at` of field f's value lies: the value may be in scratch,
// where each doubled quote of the input is one byte.
const char* input_position(const Plan& plan, const FieldRead& f, const char* at) {
  if (!f.in_scratch) return at;
  const char quote = plan.grammar->dialect().quote;
  const char* raw = f.begin + 1;
  for (const char* u = f.value.data(); u < at; ++u) raw += *raw == quote ? 2 : 1;
  return raw;
}

// Returns whether field `field` is written as text by some output column (so a malformed CSV
// there is preceded by its UTF-8 check, as in the general path).
bool field_is_text(const Plan& plan, std::size_t field) {
  if (plan.identity) {
    return field >= plan.columns.size() || plan.columns[field].kind == ValueKind::kString;
  }
  for (const Column& c : plan.columns) {
    if (c.field == field && c.kind == ValueKind::kString) return true;
  }
  return false;
}

// Returns the first fault of the record after its values: invalid UTF-8 before the malformed
// byte of a text field, the malformed CSV, a value over the limit, the field count.
Problem record_problem(const Plan& plan, const RecordRead& rec, const FieldRead* fields,
                       const Problem& too_long, std::size_t expected, const char* record) {
  if (rec.malformed()) {
    const std::size_t g = rec.fields;
    const FieldRead& f = fields[g];
    if (plan.strict_utf8 && field_is_text(plan, g)) {
      const char* from = f.begin + (rec.fault == CsvFieldEnd::kBareQuote ? 0 : 1);
      const char* to = rec.fault == CsvFieldEnd::kUnterminated ? plan.end : rec.stop;
      const std::string_view raw(from, static_cast<std::size_t>(to - from));
      const std::size_t bad = utf8_valid(raw) ? raw.size() : utf8_first_invalid(raw);
      if (bad < raw.size()) return {true, RejectReason::kInvalidUtf8, g, g, from + bad, 0};
    }
    const RejectReason reason = rec.fault == CsvFieldEnd::kBareQuote ? RejectReason::kBareQuote
                                : rec.fault == CsvFieldEnd::kAfterQuote
                                    ? RejectReason::kAfterQuote
                                    : RejectReason::kUnterminatedQuote;
    return {true, reason, g, g, rec.stop, 0};
  }
  if (too_long.found) return too_long;
  if (rec.fields != expected) {
    return {true, RejectReason::kRaggedRow, 0, kWholeRecord, record, 0};
  }
  return {};
}

// Returns the error `problem` stands for (the general path's words for the same fault).
Error error_of(const Plan& plan, const Problem& problem, const RecordRead& rec,
               const FieldRead* fields, std::size_t expected, std::int64_t row) {
  const InputEncoding encoding = plan.options->encoding;
  switch (problem.reason) {
    case RejectReason::kRaggedRow:
      return ragged_row_error(expected, rec.fields, row, plan.offset_of(problem.at));
    case RejectReason::kBareQuote:
    case RejectReason::kAfterQuote:
    case RejectReason::kUnterminatedQuote:
      return csv_field_error(rec.fault, row, plan.offset_of(problem.at));
    case RejectReason::kInvalidUtf8: {
      const char* at = problem.at;
      if (problem.field < rec.fields) at = input_position(plan, fields[problem.field], at);
      return invalid_text_error(encoding, row, plan.offset_of(at));
    }
    default:
      break;
  }
  const FieldRead& f = fields[problem.field];
  const ValueAt where{problem.column, problem.field, row, plan.offset_of(f.begin)};
  switch (problem.reason) {
    case RejectReason::kNumberOutOfRange:
      return number_out_of_range_error(where, f.value, encoding);
    case RejectReason::kBadDate:
      return bad_date_error(where, f.value, encoding, *plan.columns[problem.column].date);
    case RejectReason::kValueTooLong:
      return value_too_long_error(where, problem.bytes, plan.max_value);
    default:
      return not_a_number_error(where, f.value, encoding);
  }
}

// Returns the value a reject shows for `problem`.
std::string_view problem_value(const Plan& plan, const Problem& problem, const RecordRead& rec,
                               const FieldRead* fields) {
  if (problem.field == kWholeRecord) return {};
  const FieldRead& f = fields[problem.field];
  if (problem.field < rec.fields) return f.value;
  // The malformed field: its raw bytes up to the fault.
  const char* to = rec.fault == CsvFieldEnd::kUnterminated ? plan.end : rec.stop + 1;
  return {f.begin, static_cast<std::size_t>(to - f.begin)};
}

// Returns Plan::marker_lengths for `markers`.
std::uint64_t marker_lengths(const std::vector<std::string>& markers) {
  std::uint64_t bits = 0;
  for (const std::string& m : markers)
    bits |= std::uint64_t{1} << std::min<std::size_t>(m.size(), 63);
  return bits;
}

Result<void> check_source(const RowsJsonOptions& options, std::size_t fields) {
  for (std::size_t j = 0; j < options.source.size(); ++j) {
    const std::uint32_t k = options.source[j];
    if (k != kNoField && k >= fields) {
      return make_error(ErrorCode::kBadArgument,
                        "column " + std::to_string(j + 1) + " takes field " +
                            std::to_string(std::size_t{k} + 1) + ", but records have " +
                            std::to_string(fields) + " fields");
    }
  }
  return {};
}

}  // namespace

bool needs_checked_rows(const RowsJsonOptions& options) {
  if (!options.nulls.markers.empty() || options.nulls.empty_as_null) return true;
  if (options.numbers != NumberRules{}) return true;
  if (std::find(options.kinds.begin(), options.kinds.end(), ValueKind::kDate) !=
      options.kinds.end()) {
    return true;
  }
  const std::vector<std::uint32_t>& source = options.source;
  if (source.empty()) return false;
  if (source.size() != options.expected_fields) return true;
  for (std::size_t j = 0; j < source.size(); ++j) {
    if (source[j] != j) return true;
  }
  return false;
}

Result<RowsJsonStats> write_checked_rows(std::string_view records, const RowsJsonOptions& options,
                                         InputPosition start, std::string& out, std::size_t begin,
                                         std::size_t& length) {
  length = begin;
  if (auto rules = check_number_rules(options.numbers); !rules) return rules.error();
  std::size_t expected = options.expected_fields;
  if (expected != 0) {
    if (auto ok = check_source(options, expected); !ok) return ok.error();
  }
  const CsvGrammar grammar(options.dialect);
  const auto iso = DateFormat::compile("");
  const std::size_t growth = max_text_growth(options.encoding, options.utf8);
  Plan plan{records.data(),
            records.data() + records.size(),
            start.byte_offset,
            &grammar,
            &options,
            {},
            options.source.empty(),
            high_byte_table(options.encoding),
            options.utf8 == Utf8Policy::kReplace,
            options.encoding == InputEncoding::kUtf8 && options.utf8 == Utf8Policy::kStrict,
            options.numbers == NumberRules{},
            options.nulls.markers.empty() && !options.nulls.empty_as_null,
            marker_lengths(options.nulls.markers),
            options.max_value_bytes,
            options.max_value_bytes / growth};
  // The columns: one per source entry, or (identity) as many as kinds name, more added below.
  const std::size_t planned = plan.identity ? options.kinds.size() : options.source.size();
  for (std::size_t j = 0; j < planned; ++j) {
    const ValueKind kind = j < options.kinds.size() ? options.kinds[j] : ValueKind::kString;
    const DateFormat* date = j < options.dates.size() ? &options.dates[j] : &*iso;
    plan.columns.push_back({plan.identity ? static_cast<std::uint32_t>(j) : options.source[j], kind,
                            kind == ValueKind::kString && plan.plain_text, date});
  }
  const PlainClasses cls('"', '"');  // values have their CSV quotes undone: JSON's bytes only
  const char* const end = plan.end;

  RowsJsonStats stats;
  std::int64_t row = start.row;
  RecordReader reader(grammar, end);
  Problem fault;
  Problem too_long;

  OutSpan span = open_out(out, begin, records.size() + records.size() / 5 + 64);
  char* o = span.o;
  char* lim = span.lim;
  const char* p = plan.begin;
  *o++ = '[';
  while (p < end) {
    if (const char* after = grammar.after_blank_line(p, end)) {
      p = after;  // a blank line: counted as a physical row, no record
      ++row;
      continue;
    }
    const char* const record = p;
    RecordRead rec;
    reader.read(p, rec);
    const FieldRead* const fields = reader.fields();
    if (expected == 0 && !rec.malformed()) {
      expected = rec.fields;
      if (auto ok = check_source(options, expected); !ok) {
        length = static_cast<std::size_t>(o - out.data());
        return ok.error();
      }
    }
    while (plan.identity && plan.columns.size() < rec.fields) {
      const auto j = static_cast<std::uint32_t>(plan.columns.size());
      plan.columns.push_back({j, ValueKind::kString, plan.plain_text, &*iso});
    }
    // An offset, not a pointer: writing the record may move the buffer.
    const auto record_at = static_cast<std::size_t>(o - out.data());
    DSFILL_RESERVE(2);
    if (stats.rows != 0) *o++ = ',';
    *o++ = '[';
    fault.found = false;
    too_long.found = false;
    const OutSpan written =
        write_columns(plan, fields, rec.fields, o, lim, out, cls, fault, too_long);
    o = written.o;
    lim = written.lim;
    const bool good = !fault.found && !rec.malformed() && !too_long.found && rec.fields == expected;
    if (!good) {
      const Problem problem =
          fault.found ? fault : record_problem(plan, rec, fields, too_long, expected, record);
      const Error error = error_of(plan, problem, rec, fields, expected, row);
      if (!options.keep_going) {
        length = static_cast<std::size_t>(o - out.data());
        return error;
      }
      o = out.data() + record_at;
      const char* const after = reject_end(rec, end);
      RowReject& reject = stats.rejects.emplace_back();
      reject.row = row;
      reject.byte_offset = plan.offset_of(record);
      reject.record.assign(record, after);
      reject.field = problem.field == kWholeRecord ? 0 : problem.field + 1;
      reject.value = reject_value(problem_value(plan, problem, rec, fields), options.encoding);
      reject.reason = problem.reason;
      reject.message = error.message;
      p = after;
      ++row;
      continue;
    }
    DSFILL_RESERVE(1);
    *o++ = ']';
    ++stats.rows;
    ++row;
    p = grammar.after_terminator(rec.stop, end);
  }
  DSFILL_RESERVE(1);
  *o++ = ']';
  length = static_cast<std::size_t>(o - out.data());
  stats.physical_rows = static_cast<std::uint64_t>(row - start.row);
  stats.fields_per_row = expected;
  return stats;
}

#undef DSFILL_RESERVE

}  // namespace dsfill::codec::detail
