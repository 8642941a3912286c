#include "codec/rows_json.h"

#include <algorithm>
#include <cstring>

#include "codec/plain_records.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dsfill::codec {
namespace {

// The output is written through a raw cursor (o, lim) held in locals, never in members: stores
// through char* may alias anything, so a cursor kept in memory would be reloaded after every byte.
struct OutSpan {
  char* o;
  char* lim;
};

// Grows `s` (whose bytes before `o` are written) to hold at least `k` more bytes.
[[gnu::noinline]] OutSpan grow_out(std::string& s, char* o, std::size_t k) {
  const std::size_t used = static_cast<std::size_t>(o - s.data());
  s.resize(std::max(s.size() * 2, used + k + 64));
  return {s.data() + used, s.data() + s.size()};
}

// Starts writing at s[used] with room for `hint` bytes; the caller trims at the end. A string
// that is large enough already is not resized (so a reused buffer is not zero-filled again).
inline OutSpan open_out(std::string& s, std::size_t used, std::size_t hint) {
  hint = std::max<std::size_t>(hint, 64);
  if (s.size() < used + hint) s.resize(used + hint);
  return {s.data() + used, s.data() + s.size()};
}

// Makes room for `k` more output bytes; expects locals `out` (the string), `o` and `lim`.
// A macro rather than a function so that o and lim never have their address taken.
#define DSFILL_RESERVE(k)                                       \
  do {                                                          \
    if (static_cast<std::size_t>(lim - o) < (k)) [[unlikely]] { \
      const OutSpan grown = grow_out(out, o, (k));              \
      o = grown.o;                                              \
      lim = grown.lim;                                          \
    }                                                           \
  } while (0)

constexpr char kHex[] = "0123456789abcdef";

// Writes the JSON escape of an ASCII byte that needs one (quote, backslash, control char) and
// returns the cursor past it. REQUIRES: 6 bytes of room.
inline char* put_escape(char* o, unsigned char c) {
  o[0] = '\\';
  switch (c) {
    case '"':
      o[1] = '"';
      return o + 2;
    case '\\':
      o[1] = '\\';
      return o + 2;
    case '\b':
      o[1] = 'b';
      return o + 2;
    case '\f':
      o[1] = 'f';
      return o + 2;
    case '\n':
      o[1] = 'n';
      return o + 2;
    case '\r':
      o[1] = 'r';
      return o + 2;
    case '\t':
      o[1] = 't';
      return o + 2;
    default:
      o[1] = 'u';
      o[2] = '0';
      o[3] = '0';
      o[4] = kHex[c >> 4];
      o[5] = kHex[c & 0xF];
      return o + 6;
  }
}

// The bytes a plain run stops at: control characters, '"', '\\', every byte >= 0x80 (they need
// escaping or UTF-8 attention), and the dialect's quote and (outside quotes) delimiter.
class PlainClasses {
 public:
  // Pass '"' as `delim` where the delimiter is data (inside quotes, plain JSON strings).
  PlainClasses(char quote, char delim) {
    for (int c = 0; c < 256; ++c) special_[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
    special_[static_cast<unsigned char>(quote)] = true;
    special_[static_cast<unsigned char>(delim)] = true;
#if defined(__SSE2__)
    q_ = _mm_set1_epi8(quote);
    d_ = _mm_set1_epi8(delim);
#endif
  }
  bool special(char c) const { return special_[static_cast<unsigned char>(c)]; }
#if defined(__SSE2__)
  // Returns a mask of the special bytes among the 16 at v.
  unsigned mask(__m128i v) const {
    // Signed compare: bytes >= 0x80 are negative, so one compare catches control and high bytes.
    const __m128i low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
    const __m128i json =
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    const __m128i csv = _mm_or_si128(_mm_cmpeq_epi8(v, q_), _mm_cmpeq_epi8(v, d_));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(low, _mm_or_si128(json, csv))));
  }
#endif

 private:
  bool special_[256];
#if defined(__SSE2__)
  __m128i q_;
  __m128i d_;
#endif
};

// Copies bytes from p to o while none is special; stops at the first special byte or at end.
// Inlined so that p, o and lim stay in registers.
[[gnu::always_inline]] inline void copy_plain(const char*& p, const char* end, char*& o, char*& lim,
                                              std::string& out, const PlainClasses& cls) {
#if defined(__SSE2__)
  while (end - p >= 16) {
    DSFILL_RESERVE(16);
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Store all 16 bytes first; the cursor then advances only over the plain ones.
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o), v);
    const unsigned mask = cls.mask(v);
    if (mask != 0) {
      const unsigned k = static_cast<unsigned>(__builtin_ctz(mask));
      p += k;
      o += k;
      return;
    }
    p += 16;
    o += 16;
  }
#endif
  for (;;) {
    DSFILL_RESERVE(16);
    for (int i = 0; i < 16; ++i) {
      if (p == end || cls.special(*p)) return;
      *o++ = *p++;
    }
  }
}

inline bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

// Returns the length of the valid UTF-8 sequence at p (2..4), or 0 if it is invalid; then
// `bad` is the length of its maximal valid prefix (at least 1), which one U+FFFD replaces.
// REQUIRES: p < end and *p >= 0x80.
inline std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end,
                                 std::size_t& bad) {
  const std::size_t avail = static_cast<std::size_t>(end - p);
  const unsigned char c0 = p[0];
  bad = 1;
  if (c0 < 0xC2) return 0;  // a continuation byte, or an overlong 2-byte lead
  if (c0 < 0xE0) return avail >= 2 && is_cont(p[1]) ? 2 : 0;
  if (c0 < 0xF0) {
    const unsigned char lo = c0 == 0xE0 ? 0xA0 : 0x80;  // E0: overlong below A0
    const unsigned char hi = c0 == 0xED ? 0x9F : 0xBF;  // ED: surrogates above 9F
    if (avail < 2 || p[1] < lo || p[1] > hi) return 0;
    bad = 2;
    if (avail < 3 || !is_cont(p[2])) return 0;
    return 3;
  }
  if (c0 < 0xF5) {
    const unsigned char lo = c0 == 0xF0 ? 0x90 : 0x80;  // F0: overlong below 90
    const unsigned char hi = c0 == 0xF4 ? 0x8F : 0xBF;  // F4: above U+10FFFF past 8F
    if (avail < 2 || p[1] < lo || p[1] > hi) return 0;
    bad = 2;
    if (avail < 3 || !is_cont(p[2])) return 0;
    bad = 3;
    if (avail < 4 || !is_cont(p[3])) return 0;
    return 4;
  }
  return 0;
}

// Returns `value` made safe to quote in a message: at most ~40 bytes, valid UTF-8, no controls.
std::string message_value(std::string_view value, InputEncoding encoding) {
  constexpr std::size_t kCap = 40;
  std::string shown;
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  const auto* end = p + value.size();
  while (p < end && shown.size() < kCap) {
    const unsigned char c = *p;
    if (c < 0x80) {
      shown += c < 0x20 || c == 0x7F ? '?' : static_cast<char>(c);
      ++p;
    } else if (encoding == InputEncoding::kLatin1) {
      shown += static_cast<char>(0xC0 | (c >> 6));
      shown += static_cast<char>(0x80 | (c & 0x3F));
      ++p;
    } else {
      std::size_t bad = 1;
      const std::size_t n = utf8_sequence(p, end, bad);
      if (n != 0) {
        shown.append(reinterpret_cast<const char*>(p), n);
        p += n;
      } else {
        shown += "\xEF\xBF\xBD";
        p += bad;
      }
    }
  }
  if (p < end) shown += "...";
  return shown;
}

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
  char delim;
  char quote;
  InputEncoding encoding;
  Utf8Policy utf8;
  std::int64_t offset_of(const char* at) const { return base + (at - begin); }
};

// Writes the run of high (>= 0x80) bytes at p: validated UTF-8, replaced, or converted from
// Latin-1. Fails (p at the bad byte) under kStrict for invalid UTF-8.
[[gnu::noinline]] Step write_high(const char* p, char* o, char* lim, std::string& out,
                                  const Context& ctx) {
  const char* const end = ctx.end;
  if (ctx.encoding == InputEncoding::kLatin1) {
    do {
      const auto c = static_cast<unsigned char>(*p++);
      DSFILL_RESERVE(2);
      *o++ = static_cast<char>(0xC0 | (c >> 6));
      *o++ = static_cast<char>(0x80 | (c & 0x3F));
    } while (p < end && static_cast<unsigned char>(*p) >= 0x80);
    return {p, o, lim, true};
  }
  do {
    std::size_t bad = 1;
    const std::size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(p),
                                        reinterpret_cast<const unsigned char*>(end), bad);
    DSFILL_RESERVE(4);
    if (n != 0) {
      std::memcpy(o, p, n);
      o += n;
      p += n;
    } else if (ctx.utf8 == Utf8Policy::kReplace) {
      std::memcpy(o, "\xEF\xBF\xBD", 3);
      o += 3;
      p += bad;
    } else {
      return {p, o, lim, false};
    }
  } while (p < end && static_cast<unsigned char>(*p) >= 0x80);
  return {p, o, lim, true};
}

// Writes the body of the unquoted field at p (JSON-escaped); leaves p at the delimiter,
// terminator or end after it. On failure sets `error`. Kept out of line so that its loop has
// the registers to itself.
[[gnu::noinline]] Step write_unquoted(const char* p, char* o, char* lim, std::string& out,
                                      const Context& ctx, const PlainClasses& cls, std::int64_t row,
                                      Error& error, std::size_t field, std::size_t nkinds,
                                      const ValueKind* kinds) {
  const char* const end = ctx.end;
  std::size_t extra = 0;
  for (;;) {
    copy_plain(p, end, o, lim, out, cls);
    if (p == end) break;
    const auto c = static_cast<unsigned char>(*p);
    if (c == static_cast<unsigned char>(ctx.delim)) {
      // Short fields make the per-field call the main cost: run straight on into the next
      // field when it is an unquoted string too.
      const std::size_t next = field + extra + 1;
      if ((next >= nkinds || kinds[next] == ValueKind::kString) &&
          (p + 1 == end || p[1] != ctx.quote)) {
        DSFILL_RESERVE(3);
        std::memcpy(o, "\",\"", 3);
        o += 3;
        ++p;
        ++extra;
        continue;
      }
      break;
    }
    if (c == '\n' || c == '\r') break;
    if (c == static_cast<unsigned char>(ctx.quote)) {
      error = make_error(ErrorCode::kBadCsv, "bare quote in unquoted field", row, ctx.offset_of(p));
      return {p, o, lim, false};
    }
    if (c >= 0x80) {
      const Step s = write_high(p, o, lim, out, ctx);
      if (!s.ok) {
        error = make_error(ErrorCode::kBadEncoding, "invalid UTF-8", row, ctx.offset_of(s.p));
        return s;
      }
      p = s.p;
      o = s.o;
      lim = s.lim;
      continue;
    }
    DSFILL_RESERVE(6);
    o = put_escape(o, c);
    ++p;
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
  const char quote = ctx.quote;
  const char* const open = p++;
  for (;;) {
    copy_plain(p, end, o, lim, out, cls);
    if (p == end) {
      error = make_error(ErrorCode::kBadCsv, "unterminated quoted field", row, ctx.offset_of(open));
      return {p, o, lim, false};
    }
    const auto c = static_cast<unsigned char>(*p);
    if (c == static_cast<unsigned char>(quote)) {
      if (p + 1 < end && p[1] == quote) {
        // The quote char itself may need escaping: '"', '\\', or a control char (--quote $'\t').
        DSFILL_RESERVE(6);
        const auto q = static_cast<unsigned char>(quote);
        if (q < 0x20 || q == '"' || q == '\\') {
          o = put_escape(o, q);
        } else {
          *o++ = quote;
        }
        p += 2;
        continue;
      }
      ++p;
      break;
    }
    if (c >= 0x80) {
      const Step s = write_high(p, o, lim, out, ctx);
      if (!s.ok) {
        error = make_error(ErrorCode::kBadEncoding, "invalid UTF-8", row, ctx.offset_of(s.p));
        return s;
      }
      p = s.p;
      o = s.o;
      lim = s.lim;
      continue;
    }
    DSFILL_RESERVE(6);
    o = put_escape(o, c);
    ++p;
  }
  if (p < end && *p != ctx.delim && *p != '\n' && *p != '\r') {
    error = make_error(ErrorCode::kBadCsv, "unexpected character after closing quote", row,
                       ctx.offset_of(p));
    return {p, o, lim, false};
  }
  return {p, o, lim, true};
}

// Writes the kNumber field at p as a bare JSON number (empty: null); leaves p at the delimiter,
// terminator or end after it. On failure sets `error` (row `row`).
[[gnu::noinline]] Step write_number(const char* p, char* o, char* lim, std::string& out,
                                    const Context& ctx, std::size_t field, std::int64_t row,
                                    std::string& scratch, Error& error) {
  const char* const end = ctx.end;
  const char* const field_start = p;
  std::string_view value;
  if (p < end && *p == ctx.quote) {
    const char* open = p++;
    scratch.clear();
    for (;;) {
      const char* run = p;
      while (p < end && *p != ctx.quote) ++p;
      scratch.append(run, static_cast<std::size_t>(p - run));
      if (p == end) {
        error =
            make_error(ErrorCode::kBadCsv, "unterminated quoted field", row, ctx.offset_of(open));
        return {p, o, lim, false};
      }
      if (p + 1 < end && p[1] == ctx.quote) {
        scratch += ctx.quote;
        p += 2;
        continue;
      }
      ++p;
      break;
    }
    if (p < end && *p != ctx.delim && *p != '\n' && *p != '\r') {
      error = make_error(ErrorCode::kBadCsv, "unexpected character after closing quote", row,
                         ctx.offset_of(p));
      return {p, o, lim, false};
    }
    value = scratch;
  } else {
    while (p < end && *p != ctx.delim && *p != '\n' && *p != '\r') {
      if (*p == ctx.quote) {
        error =
            make_error(ErrorCode::kBadCsv, "bare quote in unquoted field", row, ctx.offset_of(p));
        return {p, o, lim, false};
      }
      ++p;
    }
    value = std::string_view(field_start, static_cast<std::size_t>(p - field_start));
  }
  if (value.empty()) {
    DSFILL_RESERVE(4);
    std::memcpy(o, "null", 4);
    return {p, o + 4, lim, true};
  }
  if (!is_json_number(value)) {
    error = make_error(ErrorCode::kBadNumber,
                       "column " + std::to_string(field + 1) + " is numeric but holds \"" +
                           message_value(value, ctx.encoding) + "\"",
                       row, ctx.offset_of(field_start));
    return {p, o, lim, false};
  }
  DSFILL_RESERVE(value.size());
  std::memcpy(o, value.data(), value.size());
  return {p, o + value.size(), lim, true};
}

}  // namespace

namespace {

// Writes the JSON array of `records` into `out` from out[begin] (growing `out` when needed,
// never shrinking it) and sets `length` to where it ends, on success and on failure.
Result<RowsJsonStats> write_rows(std::string_view records, const RowsJsonOptions& options,
                                 InputPosition start, std::string& out, std::size_t begin,
                                 std::size_t& length) {
  const Context ctx{records.data(),        records.data() + records.size(),
                    start.byte_offset,     options.dialect.delimiter,
                    options.dialect.quote, options.encoding,
                    options.utf8};
  const char delim = ctx.delim;
  const char quote = ctx.quote;
  const char* const end = ctx.end;
  const PlainClasses unquoted(quote, delim);
  const PlainClasses quoted(quote, '"');
  const std::size_t nkinds = options.kinds.size();
  const ValueKind* const kinds = options.kinds.data();
  const bool all_strings =
      std::all_of(kinds, kinds + nkinds, [](ValueKind k) { return k == ValueKind::kString; });
  // Runs of plain records take the fast path (plain_records.h); it checks UTF-8 itself.
  const bool fast = all_strings && detail::plain_records_supported();
  const bool utf8 = ctx.encoding == InputEncoding::kUtf8;

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
  while (p < end) {
    if (fast && end - p >= static_cast<std::ptrdiff_t>(detail::kPlainMinInput)) {
      for (;;) {
        DSFILL_RESERVE(detail::kPlainBlockRoom);
        const detail::PlainRun run = detail::write_plain_records(p, end, o, lim, stats.rows == 0,
                                                                 expected, delim, quote, utf8);
        stats.rows += run.rows;
        row += static_cast<std::int64_t>(run.physical);
        if (!run.need_room) break;
        const OutSpan grown = grow_out(out, o, 2 * static_cast<std::size_t>(lim - o));
        o = grown.o;
        lim = grown.lim;
      }
      if (p == end) break;
    }
    // One record (or blank line) the general way; then the fast path tries again.
    const char c0 = *p;
    if (c0 == '\n' || c0 == '\r') {
      // A blank line: counted as a physical row, no record.
      ++p;
      if (c0 == '\r' && p < end && *p == '\n') ++p;
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
        if (p < end && *p == quote) {
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
      if (p < end && *p == delim) {
        ++p;
        DSFILL_RESERVE(1);
        *o++ = ',';
        continue;
      }
      break;
    }
    if (!ok) break;
    if (expected == 0) expected = field;
    if (field != expected) {
      error = make_error(ErrorCode::kBadCsv,
                         "ragged row: expected " + std::to_string(expected) + " fields, found " +
                             std::to_string(field),
                         row, ctx.offset_of(record_start));
      ok = false;
      break;
    }
    DSFILL_RESERVE(1);
    *o++ = ']';
    ++stats.rows;
    ++row;
    if (p < end) {
      const char t = *p++;
      if (t == '\r' && p < end && *p == '\n') ++p;
    }
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

}  // namespace

Result<RowsJsonStats> append_rows_json(std::string_view records, const RowsJsonOptions& options,
                                       InputPosition start, std::string& out) {
  std::size_t length = 0;
  auto stats = write_rows(records, options, start, out, out.size(), length);
  out.resize(length);
  return stats;
}

Result<RowsJsonStats> write_rows_json(std::string_view records, const RowsJsonOptions& options,
                                      InputPosition start, std::string& out, std::size_t& length) {
  return write_rows(records, options, start, out, 0, length);
}

void append_json_string(std::string_view value, std::string& out) {
  const PlainClasses cls('"', '"');
  OutSpan span = open_out(out, out.size(), value.size() + value.size() / 8 + 2);
  char* o = span.o;
  char* lim = span.lim;
  const char* p = value.data();
  const char* const end = p + value.size();
  *o++ = '"';
  for (;;) {
    copy_plain(p, end, o, lim, out, cls);
    if (p == end) break;
    const auto c = static_cast<unsigned char>(*p++);
    DSFILL_RESERVE(6);
    if (c >= 0x80) {
      *o++ = static_cast<char>(c);  // valid UTF-8 by contract: passes through
    } else {
      o = put_escape(o, c);
    }
  }
  DSFILL_RESERVE(1);
  *o++ = '"';
  out.resize(static_cast<std::size_t>(o - out.data()));
}

bool is_json_number(std::string_view value) {
  const char* p = value.data();
  const char* end = p + value.size();
  const auto digit = [&](const char* at) { return at < end && *at >= '0' && *at <= '9'; };
  if (p < end && *p == '-') ++p;
  if (!digit(p)) return false;
  if (*p == '0') {
    ++p;
  } else {
    while (digit(p)) ++p;
  }
  if (p < end && *p == '.') {
    ++p;
    if (!digit(p)) return false;
    while (digit(p)) ++p;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (!digit(p)) return false;
    while (digit(p)) ++p;
  }
  return p == end;
}

#undef DSFILL_RESERVE

}  // namespace dsfill::codec
