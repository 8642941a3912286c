#include "codec/rows_json.h"

#include <algorithm>
#include <cstring>

#include "codec/checked_rows.h"
#include "codec/csv_grammar.h"
#include "codec/json_escape_loop.h"
#include "codec/json_text.h"
#include "codec/plain_records.h"
#include "codec/utf8.h"
#include "codec/value_checks.h"

namespace dsfill::codec {
namespace {

using detail::copy_plain;
using detail::grow_out;
using detail::open_out;
using detail::OutSpan;
using detail::PlainClasses;
using detail::put_json_escape;

// What a transcoder helper hands back: where input and output stand, and whether it failed.
struct Step {
  const char* p;
  char* o;
  char* lim;
  bool ok;
  std::size_t extra_fields = 0;  // write_unquoted: further fields it wrote after the first
};

// Fixed facts of one append_rows_json call.
struct Context {
  const char* begin;
  const char* end;
  std::int64_t base;  // file offset of begin
  const CsvGrammar* grammar;
  InputEncoding encoding;
  Utf8Policy utf8;
  std::int64_t offset_of(const char* at) const { return base + (at - begin); }
};

// Writes the run of high (>= 0x80) bytes at p (detail::write_high_run). Fails (p at the bad byte)
// under kStrict for invalid UTF-8.
inline Step write_high(const char* p, char* o, char* lim, std::string& out, const Context& ctx) {
  const detail::HighRun h = detail::write_high_run(
      p, ctx.end, o, lim, out, high_byte_table(ctx.encoding), ctx.utf8 == Utf8Policy::kReplace);
  return {h.p, h.o, h.lim, h.ok};
}

// Runs write_high at p and moves p, o and lim past what it wrote. Returns false, with p at the
// bad byte and `error` naming it, for invalid UTF-8.
inline bool copy_high(const char*& p, char*& o, char*& lim, std::string& out, const Context& ctx,
                      std::int64_t row, Error& error) {
  const Step h = write_high(p, o, lim, out, ctx);
  p = h.p;
  o = h.o;
  lim = h.lim;
  if (!h.ok) error = detail::invalid_text_error(ctx.encoding, row, ctx.offset_of(p));
  return h.ok;
}

// Writes the data byte at p that the copy loop stopped at: a run of high bytes (copy_high), or
// an ASCII byte that JSON escapes. Returns false as copy_high does.
inline bool copy_stop_byte(const char*& p, char*& o, char*& lim, std::string& out,
                           const Context& ctx, std::int64_t row, Error& error) {
  const auto c = static_cast<unsigned char>(*p);
  if (c >= 0x80) return copy_high(p, o, lim, out, ctx, row, error);
  DSFILL_RESERVE(6);
  o = put_json_escape(o, c);
  ++p;
  return true;
}

// Writes the body of the unquoted field at p (JSON-escaped); leaves p at the delimiter,
// terminator or end after it. On failure sets `error`. Kept out of line so that its loop has
// the registers to itself. The grammar decides at each byte the copy loop stops at; the bytes
// it skips are data in kUnquoted by construction (PlainClasses stops at every CSV class).
[[gnu::noinline]] Step write_unquoted(const char* p, char* o, char* lim, std::string& out,
                                      const Context& ctx, const PlainClasses& cls, std::int64_t row,
                                      Error& error, std::size_t field, std::size_t nkinds,
                                      const ValueKind* kinds) {
  const char* const end = ctx.end;
  const CsvGrammar& grammar = *ctx.grammar;
  std::size_t extra = 0;
  for (;;) {
    copy_plain(p, end, o, lim, out, cls);
    if (p == end) break;
    const CsvState s = grammar.next(CsvState::kUnquoted, *p);
    if (s == CsvState::kDelimiter) {
      // Short fields make the per-field call the main cost: run straight on into the next
      // field when it is an unquoted string too.
      const std::size_t next = field + extra + 1;
      if ((next >= nkinds || kinds[next] == ValueKind::kString) &&
          (p + 1 == end || grammar.next(CsvState::kDelimiter, p[1]) != CsvState::kQuoted)) {
        DSFILL_RESERVE(3);
        std::memcpy(o, "\",\"", 3);
        o += 3;
        ++p;
        ++extra;
        continue;
      }
      break;
    }
    if (s != CsvState::kUnquoted) {
      if (s == CsvState::kBareQuote) {
        error = csv_field_error(CsvFieldEnd::kBareQuote, row, ctx.offset_of(p));
        return {p, o, lim, false};
      }
      break;  // kRecordEndLf, kRecordEndCr
    }
    if (!copy_stop_byte(p, o, lim, out, ctx, row, error)) return {p, o, lim, false};
  }
  return {p, o, lim, true, extra};
}

// Writes the body of the quoted field whose opening quote is at p (JSON-escaped, doubled quotes
// undone); leaves p after the closing quote, checked to be followed by a delimiter, terminator
// or the end. On failure sets `error`.
[[gnu::noinline]] Step write_quoted(const char* p, char* o, char* lim, std::string& out,
                                    const Context& ctx, const PlainClasses& cls, std::int64_t row,
                                    Error& error) {
  const char* const end = ctx.end;
  const CsvGrammar& grammar = *ctx.grammar;
  const char* const open = p++;
  for (;;) {
    copy_plain(p, end, o, lim, out, cls);
    if (p == end) {
      error = csv_field_error(CsvFieldEnd::kUnterminated, row, ctx.offset_of(open));
      return {p, o, lim, false};
    }
    const auto c = static_cast<unsigned char>(*p);
    if (grammar.next(CsvState::kQuoted, *p) == CsvState::kQuote) {
      if (p + 1 == end) {
        ++p;
        break;
      }
      const CsvState s = grammar.next(CsvState::kQuote, p[1]);
      if (s == CsvState::kEscapedQuote) {
        // The quote char itself may need escaping: '"', '\\', or a control char (--quote $'\t').
        DSFILL_RESERVE(6);
        if (detail::needs_json_escape(c)) {
          o = put_json_escape(o, c);
        } else {
          *o++ = static_cast<char>(c);
        }
        p += 2;
        continue;
      }
      ++p;
      if (s == CsvState::kAfterQuote) {
        error = csv_field_error(CsvFieldEnd::kAfterQuote, row, ctx.offset_of(p));
        return {p, o, lim, false};
      }
      break;
    }
    if (!copy_stop_byte(p, o, lim, out, ctx, row, error)) return {p, o, lim, false};
  }
  return {p, o, lim, true};
}

// Writes the kNumber field at p as a bare JSON number (empty: null); leaves p at the delimiter,
// terminator or end after it. On failure sets `error` (row `row`).
[[gnu::noinline]] Step write_number(const char* p, char* o, char* lim, std::string& out,
                                    const Context& ctx, std::size_t field, std::int64_t row,
                                    std::string& scratch, Error& error) {
  const CsvField f = read_field(*ctx.grammar, p, ctx.end, scratch);
  if (f.end == CsvFieldEnd::kBareQuote || f.end == CsvFieldEnd::kAfterQuote ||
      f.end == CsvFieldEnd::kUnterminated) {
    error = csv_field_error(f.end, row, ctx.offset_of(f.at));
    return {f.at, o, lim, false};
  }
  const std::string_view value = f.value;
  if (value.empty()) {
    DSFILL_RESERVE(4);
    std::memcpy(o, "null", 4);
    return {f.at, o + 4, lim, true};
  }
  const JsonNumberCheck number = check_json_number(value);
  if (number == JsonNumberCheck::kNotANumber) {
    error = detail::not_a_number_error({field, field, row, ctx.offset_of(p)}, value, ctx.encoding);
    return {f.at, o, lim, false};
  }
  if (number == JsonNumberCheck::kOutOfRange) {
    error = detail::number_out_of_range_error({field, field, row, ctx.offset_of(p)}, value,
                                              ctx.encoding);
    return {f.at, o, lim, false};
  }
  DSFILL_RESERVE(value.size());
  std::memcpy(o, value.data(), value.size());
  return {f.at, o + value.size(), lim, true};
}

// Finds the first field of the record at `record` whose text is longer than max_value_bytes and
// sets `error` for it; returns whether there is one. Called only for records long enough to hold
// one, after they are written (so their CSV is known to be well formed).
[[gnu::noinline]] bool first_too_long_value(const char* record, const Context& ctx,
                                            const RowsJsonOptions& options, std::int64_t row,
                                            std::string& scratch, Error& error) {
  const char* p = record;
  for (std::size_t field = 0;; ++field) {
    const CsvField f = read_field(*ctx.grammar, p, ctx.end, scratch);
    const std::size_t bytes = detail::text_bytes(f.value, ctx.encoding, ctx.utf8);
    if (bytes > options.max_value_bytes) {
      error = detail::value_too_long_error({field, field, row, ctx.offset_of(p)}, bytes,
                                           options.max_value_bytes);
      return true;
    }
    if (f.end != CsvFieldEnd::kDelimiter) return false;
    p = f.at + 1;
  }
}

}  // namespace

namespace {

// Writes the JSON array of `records` into `out` from out[begin] (growing `out` when needed,
// never shrinking it) and sets `length` to where it ends, on success and on failure.
Result<RowsJsonStats> write_rows(std::string_view records, const RowsJsonOptions& options,
                                 InputPosition start, std::string& out, std::size_t begin,
                                 std::size_t& length) {
  const CsvGrammar grammar(options.dialect);
  const Context ctx{records.data(),    records.data() + records.size(),
                    start.byte_offset, &grammar,
                    options.encoding,  options.utf8};
  const char delim = options.dialect.delimiter;
  const char quote = options.dialect.quote;
  const char* const end = ctx.end;
  const PlainClasses unquoted(quote, delim);
  const PlainClasses quoted(quote, '"');
  const std::size_t nkinds = options.kinds.size();
  const ValueKind* const kinds = options.kinds.data();
  const bool all_strings =
      std::all_of(kinds, kinds + nkinds, [](ValueKind k) { return k == ValueKind::kString; });
  // Runs of records of string columns take the fast path (plain_records.h); it checks UTF-8
  // itself.
  const bool fast = all_strings && detail::plain_records_supported();
  const bool utf8 = ctx.encoding == InputEncoding::kUtf8;
  // A record no longer than this holds no value over the limit, whatever its bytes become.
  const std::size_t max_record =
      options.max_value_bytes / detail::max_text_growth(options.encoding, options.utf8);

  RowsJsonStats stats;
  std::size_t expected = options.expected_fields;
  std::int64_t row = start.row;
  std::string scratch;  // a quoted number's unescaped value
  Error error;
  bool ok = true;

  OutSpan span = open_out(out, begin, records.size() + records.size() / 5 + 64);
  char* o = span.o;
  char* lim = span.lim;
  const char* p = ctx.begin;
  *o++ = '[';
  // After kFastPatience tries in a row in which the fast path took no record, the next
  // `fast_skip` records go the general way before it is tried again, 1 and doubling with each
  // further miss (up to 64). Where the fast path takes no quoted fields (the SSSE3 kernel), on
  // input that quotes every field each try costs only a block's classification, but it is made
  // before every record: skipping it measured +7-15% on fully quoted rows. Data where quoted and
  // plain records alternate rarely misses 8 times in a row; skipping after every miss cost it 5%,
  // as plain records then went the slower way.
  constexpr std::size_t kFastPatience = 8;
  std::size_t fast_skip = 0;
  std::size_t fast_misses = 0;
  while (p < end) {
    if (fast_skip > 0) {
      --fast_skip;
    } else if (fast && end - p >= static_cast<std::ptrdiff_t>(detail::kPlainMinInput)) {
      const std::uint64_t rows_before = stats.rows;
      for (;;) {
        DSFILL_RESERVE(detail::kPlainBlockRoom);
        const detail::PlainRun run = detail::write_plain_records(
            p, end, o, lim, stats.rows == 0, expected, max_record, delim, quote, utf8);
        stats.rows += run.rows;
        row += static_cast<std::int64_t>(run.physical);
        if (!run.need_room) break;
        const OutSpan grown = grow_out(out, o, 2 * static_cast<std::size_t>(lim - o));
        o = grown.o;
        lim = grown.lim;
      }
      if (p == end) break;
      if (stats.rows == rows_before) {
        fast_misses = std::min<std::size_t>(fast_misses + 1, kFastPatience + 6);
        if (fast_misses >= kFastPatience)
          fast_skip = std::size_t{1} << (fast_misses - kFastPatience);
      } else {
        fast_misses = 0;
      }
    }
    // One record (or blank line) the general way; then the fast path tries again.
    if (const char* after = grammar.after_blank_line(p, end)) {
      p = after;  // a blank line: counted as a physical row, no record
      ++row;
      continue;
    }
    const char* const record_start = p;
    DSFILL_RESERVE(2);
    if (stats.rows != 0) *o++ = ',';
    *o++ = '[';
    std::size_t field = 0;
    for (;;) {
      if (field < nkinds && kinds[field] == ValueKind::kNumber) {
        const Step s = write_number(p, o, lim, out, ctx, field, row, scratch, error);
        p = s.p;
        o = s.o;
        lim = s.lim;
        if (!s.ok) {
          ok = false;
          break;
        }
      } else {
        DSFILL_RESERVE(1);
        *o++ = '"';
        if (p < end && grammar.next(CsvState::kDelimiter, *p) == CsvState::kQuoted) {
          const Step s = write_quoted(p, o, lim, out, ctx, quoted, row, error);
          p = s.p;
          o = s.o;
          lim = s.lim;
          ok = s.ok;
        } else {
          const Step s =
              write_unquoted(p, o, lim, out, ctx, unquoted, row, error, field, nkinds, kinds);
          p = s.p;
          o = s.o;
          lim = s.lim;
          ok = s.ok;
          field += s.extra_fields;
        }
        if (!ok) break;
        DSFILL_RESERVE(1);
        *o++ = '"';
      }
      ++field;
      // p is at a delimiter, a terminator or the end.
      if (p < end && grammar.next(CsvState::kUnquoted, *p) == CsvState::kDelimiter) {
        ++p;
        DSFILL_RESERVE(1);
        *o++ = ',';
        continue;
      }
      break;
    }
    if (!ok) break;
    if (static_cast<std::size_t>(p - record_start) > max_record) {
      ok = !first_too_long_value(record_start, ctx, options, row, scratch, error);
      if (!ok) break;
    }
    if (expected == 0) expected = field;
    if (field != expected) {
      error = ragged_row_error(expected, field, row, ctx.offset_of(record_start));
      ok = false;
      break;
    }
    DSFILL_RESERVE(1);
    *o++ = ']';
    ++stats.rows;
    ++row;
    p = grammar.after_terminator(p, end);
  }
  if (ok) {
    DSFILL_RESERVE(1);
    *o++ = ']';
  }
  length = static_cast<std::size_t>(o - out.data());
  if (!ok) return error;
  stats.physical_rows = static_cast<std::uint64_t>(row - start.row);
  stats.fields_per_row = expected;
  return stats;
}

// Writes by the path the options need: the checked path for what only it does; otherwise the
// fast and general paths, and under keep_going the checked path again only when they fail (bad
// records are rare, and the fast path is much faster).
Result<RowsJsonStats> write_by_options(std::string_view records, const RowsJsonOptions& options,
                                       InputPosition start, std::string& out, std::size_t begin,
                                       std::size_t& length) {
  if (detail::needs_checked_rows(options)) {
    return detail::write_checked_rows(records, options, start, out, begin, length);
  }
  auto stats = write_rows(records, options, start, out, begin, length);
  if (stats || !options.keep_going) return stats;
  return detail::write_checked_rows(records, options, start, out, begin, length);
}

}  // namespace

const char* reject_reason_name(RejectReason reason) {
  switch (reason) {
    case RejectReason::kRaggedRow:
      return "ragged_row";
    case RejectReason::kBareQuote:
      return "bare_quote";
    case RejectReason::kAfterQuote:
      return "after_quote";
    case RejectReason::kUnterminatedQuote:
      return "unterminated_quote";
    case RejectReason::kInvalidUtf8:
      return "invalid_utf8";
    case RejectReason::kNotANumber:
      return "not_a_number";
    case RejectReason::kNumberOutOfRange:
      return "number_out_of_range";
    case RejectReason::kBadDate:
      return "bad_date";
    case RejectReason::kValueTooLong:
      return "value_too_long";
    case RejectReason::kRefusedByServer:
      return "refused_by_server";
  }
  return "unknown";
}

Result<RowsJsonStats> append_rows_json(std::string_view records, const RowsJsonOptions& options,
                                       InputPosition start, std::string& out) {
  std::size_t length = 0;
  auto stats = write_by_options(records, options, start, out, out.size(), length);
  out.resize(length);
  return stats;
}

Result<RowsJsonStats> write_rows_json(std::string_view records, const RowsJsonOptions& options,
                                      InputPosition start, std::string& out, std::size_t& length) {
  return write_by_options(records, options, start, out, 0, length);
}

#undef DSFILL_RESERVE

}  // namespace dsfill::codec
