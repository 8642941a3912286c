#include "codec/rows_json.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dsfill::codec {
namespace {

// An output cursor over a std::string: callers reserve room, then write through the raw pointer,
// so the hot loop never pays push_back's per-byte bookkeeping.
class OutBuf {
 public:
  OutBuf(std::string& s, std::size_t hint) : s_(s) {
    const std::size_t used = s_.size();
    s_.resize(used + std::max<std::size_t>(hint, 64));
    p_ = s_.data() + used;
    lim_ = s_.data() + s_.size();
  }
  // Makes room for `k` more bytes.
  void reserve(std::size_t k) {
    if (static_cast<std::size_t>(lim_ - p_) < k) grow(k);
  }
  void put(char c) { *p_++ = c; }
  void put(const char* data, std::size_t n) {
    std::memcpy(p_, data, n);
    p_ += n;
  }
  char*& cursor() { return p_; }
  // Trims the string to what was written.
  void finish() { s_.resize(static_cast<std::size_t>(p_ - s_.data())); }

 private:
  void grow(std::size_t k) {
    const std::size_t used = static_cast<std::size_t>(p_ - s_.data());
    s_.resize(std::max(s_.size() * 2, used + k + 64));
    p_ = s_.data() + used;
    lim_ = s_.data() + s_.size();
  }
  std::string& s_;
  char* p_;
  char* lim_;
};

constexpr char kHex[] = "0123456789abcdef";

// Writes the JSON escape of an ASCII byte that needs one (quote, backslash, control char).
// REQUIRES: 6 bytes reserved.
inline void put_escape(OutBuf& out, unsigned char c) {
  char* o = out.cursor();
  o[0] = '\\';
  switch (c) {
    case '"': o[1] = '"'; out.cursor() += 2; return;
    case '\\': o[1] = '\\'; out.cursor() += 2; return;
    case '\b': o[1] = 'b'; out.cursor() += 2; return;
    case '\f': o[1] = 'f'; out.cursor() += 2; return;
    case '\n': o[1] = 'n'; out.cursor() += 2; return;
    case '\r': o[1] = 'r'; out.cursor() += 2; return;
    case '\t': o[1] = 't'; out.cursor() += 2; return;
    default:
      o[1] = 'u';
      o[2] = '0';
      o[3] = '0';
      o[4] = kHex[c >> 4];
      o[5] = kHex[c & 0xF];
      out.cursor() += 6;
      return;
  }
}

// Returns true for bytes the JSON string needs escaped or that need UTF-8 attention: control
// characters, '"', '\\' and every byte >= 0x80.
inline bool needs_care(unsigned char c) { return c < 0x20 || c >= 0x80 || c == '"' || c == '\\'; }

// Copies bytes from p while none is special (needs_care, `quote` or `delim`); stops at the first
// special byte or at end. Pass quote/delim as '"' to ignore them.
inline void copy_plain(const char*& p, const char* end, OutBuf& out, char quote, char delim) {
#if defined(__SSE2__)
  const __m128i ctl = _mm_set1_epi8(0x20);
  const __m128i dq = _mm_set1_epi8('"');
  const __m128i bs = _mm_set1_epi8('\\');
  const __m128i q = _mm_set1_epi8(quote);
  const __m128i d = _mm_set1_epi8(delim);
  while (end - p >= 16) {
    out.reserve(16);
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: bytes >= 0x80 are negative, so one compare catches control and high bytes.
    const __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, ctl), _mm_cmpeq_epi8(v, dq)),
                     _mm_or_si128(_mm_cmpeq_epi8(v, bs),
                                  _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, d))));
    // Store all 16 bytes first; the cursor then advances only over the plain ones.
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out.cursor()), v);
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    if (mask != 0) {
      const unsigned k = static_cast<unsigned>(__builtin_ctz(mask));
      p += k;
      out.cursor() += k;
      return;
    }
    p += 16;
    out.cursor() += 16;
  }
#endif
  const char* start = p;
  while (p < end) {
    const char c = *p;
    if (needs_care(static_cast<unsigned char>(c)) || c == quote || c == delim) break;
    ++p;
  }
  out.reserve(static_cast<std::size_t>(p - start));
  out.put(start, static_cast<std::size_t>(p - start));
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

// The single-pass CSV -> JSON rows transcoder over a buffer of whole records.
class Transcoder {
 public:
  Transcoder(std::string_view records, const RowsJsonOptions& options, InputPosition start,
             std::string& out)
      : begin_(records.data()),
        end_(records.data() + records.size()),
        opt_(options),
        delim_(options.dialect.delimiter),
        quote_(options.dialect.quote),
        base_(start.byte_offset),
        row_(start.row),
        out_(out, records.size() + records.size() / 5 + 64) {}

  Result<RowsJsonStats> run() {
    RowsJsonStats stats;
    const std::int64_t first_row = row_;
    std::size_t expected = opt_.expected_fields;
    const std::size_t nkinds = opt_.kinds.size();
    const char* p = begin_;
    out_.reserve(1);
    out_.put('[');
    while (p < end_) {
      const char c0 = *p;
      if (c0 == '\n' || c0 == '\r') {
        // A blank line: counted as a physical row, no record.
        ++p;
        if (c0 == '\r' && p < end_ && *p == '\n') ++p;
        ++row_;
        continue;
      }
      const char* record_start = p;
      out_.reserve(2);
      if (stats.rows != 0) out_.put(',');
      out_.put('[');
      std::size_t field = 0;
      for (;;) {
        if (field != 0) {
          out_.reserve(1);
          out_.put(',');
        }
        const bool number = field < nkinds && opt_.kinds[field] == ValueKind::kNumber;
        if (!(number ? write_number(p, field) : write_string(p))) return std::move(error_);
        ++field;
        // p is at a delimiter, a terminator or the end (write_* checked it).
        if (p < end_ && *p == delim_) {
          ++p;
          continue;
        }
        break;
      }
      if (expected == 0) expected = field;
      if (field != expected) {
        return make_error(ErrorCode::kBadCsv,
                          "ragged row: expected " + std::to_string(expected) + " fields, found " +
                              std::to_string(field),
                          row_, offset_of(record_start));
      }
      out_.reserve(1);
      out_.put(']');
      ++stats.rows;
      ++row_;
      if (p < end_) {
        const char t = *p++;
        if (t == '\r' && p < end_ && *p == '\n') ++p;
      }
    }
    out_.reserve(1);
    out_.put(']');
    out_.finish();
    stats.physical_rows = static_cast<std::uint64_t>(row_ - first_row);
    stats.fields_per_row = expected;
    return stats;
  }

  // Trims `out` to what was written before an error.
  void abandon() { out_.finish(); }

 private:
  std::int64_t offset_of(const char* at) const { return base_ + (at - begin_); }

  bool fail(ErrorCode code, std::string message, std::int64_t offset) {
    error_ = make_error(code, std::move(message), row_, offset);
    return false;
  }

  // Writes the bytes of a high (>= 0x80) byte run start at p: validated UTF-8, replaced, or
  // converted from Latin-1. Returns false (error set) under kStrict for invalid UTF-8.
  bool write_high(const char*& p) {
    if (opt_.encoding == InputEncoding::kLatin1) {
      do {
        const auto c = static_cast<unsigned char>(*p++);
        out_.reserve(2);
        out_.put(static_cast<char>(0xC0 | (c >> 6)));
        out_.put(static_cast<char>(0x80 | (c & 0x3F)));
      } while (p < end_ && static_cast<unsigned char>(*p) >= 0x80);
      return true;
    }
    do {
      std::size_t bad = 1;
      const auto* up = reinterpret_cast<const unsigned char*>(p);
      const std::size_t n =
          utf8_sequence(up, reinterpret_cast<const unsigned char*>(end_), bad);
      out_.reserve(4);
      if (n != 0) {
        out_.put(p, n);
        p += n;
      } else if (opt_.utf8 == Utf8Policy::kReplace) {
        out_.put("\xEF\xBF\xBD", 3);
        p += bad;
      } else {
        return fail(ErrorCode::kBadEncoding, "invalid UTF-8", offset_of(p));
      }
    } while (p < end_ && static_cast<unsigned char>(*p) >= 0x80);
    return true;
  }

  // Writes one string field starting at p as a JSON string; leaves p at the delimiter, the
  // terminator or the end that follows the field.
  bool write_string(const char*& p) {
    out_.reserve(1);
    out_.put('"');
    if (p < end_ && *p == quote_) {
      const char* open = p++;
      for (;;) {
        copy_plain(p, end_, out_, quote_, '"');
        if (p == end_) return fail(ErrorCode::kBadCsv, "unterminated quoted field", offset_of(open));
        const char c = *p;
        if (c == quote_) {
          if (p + 1 < end_ && p[1] == quote_) {
            out_.reserve(2);
            if (quote_ == '"' || quote_ == '\\') {
              out_.put('\\');
            }
            out_.put(quote_);
            p += 2;
            continue;
          }
          ++p;
          break;
        }
        const auto uc = static_cast<unsigned char>(c);
        if (uc >= 0x80) {
          if (!write_high(p)) return false;
          continue;
        }
        out_.reserve(6);
        put_escape(out_, uc);
        ++p;
      }
      if (p < end_ && *p != delim_ && *p != '\n' && *p != '\r') {
        return fail(ErrorCode::kBadCsv, "unexpected character after closing quote", offset_of(p));
      }
    } else {
      for (;;) {
        copy_plain(p, end_, out_, quote_, delim_);
        if (p == end_) break;
        const char c = *p;
        if (c == delim_ || c == '\n' || c == '\r') break;
        if (c == quote_) return fail(ErrorCode::kBadCsv, "bare quote in unquoted field", offset_of(p));
        const auto uc = static_cast<unsigned char>(c);
        if (uc >= 0x80) {
          if (!write_high(p)) return false;
          continue;
        }
        out_.reserve(6);
        put_escape(out_, uc);
        ++p;
      }
    }
    out_.reserve(1);
    out_.put('"');
    return true;
  }

  // Writes one kNumber field as a bare JSON number (empty: null); leaves p like write_string.
  bool write_number(const char*& p, std::size_t field) {
    const char* field_start = p;
    std::string_view value;
    if (p < end_ && *p == quote_) {
      const char* open = p++;
      scratch_.clear();
      for (;;) {
        const char* run = p;
        while (p < end_ && *p != quote_) ++p;
        scratch_.append(run, static_cast<std::size_t>(p - run));
        if (p == end_) return fail(ErrorCode::kBadCsv, "unterminated quoted field", offset_of(open));
        if (p + 1 < end_ && p[1] == quote_) {
          scratch_ += quote_;
          p += 2;
          continue;
        }
        ++p;
        break;
      }
      if (p < end_ && *p != delim_ && *p != '\n' && *p != '\r') {
        return fail(ErrorCode::kBadCsv, "unexpected character after closing quote", offset_of(p));
      }
      value = scratch_;
    } else {
      while (p < end_ && *p != delim_ && *p != '\n' && *p != '\r') {
        if (*p == quote_) {
          return fail(ErrorCode::kBadCsv, "bare quote in unquoted field", offset_of(p));
        }
        ++p;
      }
      value = std::string_view(field_start, static_cast<std::size_t>(p - field_start));
    }
    if (value.empty()) {
      out_.reserve(4);
      out_.put("null", 4);
      return true;
    }
    if (!is_json_number(value)) {
      return fail(ErrorCode::kBadNumber,
                  "column " + std::to_string(field + 1) + " is numeric but holds \"" +
                      message_value(value, opt_.encoding) + "\"",
                  offset_of(field_start));
    }
    out_.reserve(value.size());
    out_.put(value.data(), value.size());
    return true;
  }

  const char* begin_;
  const char* end_;
  const RowsJsonOptions& opt_;
  const char delim_;
  const char quote_;
  const std::int64_t base_;
  std::int64_t row_;
  OutBuf out_;
  std::string scratch_;  // a quoted number's unescaped value
  Error error_;
};

}  // namespace

Result<RowsJsonStats> append_rows_json(std::string_view records, const RowsJsonOptions& options,
                                       InputPosition start, std::string& out) {
  Transcoder transcoder(records, options, start, out);
  auto result = transcoder.run();
  if (!result) transcoder.abandon();
  return result;
}

void append_json_string(std::string_view value, std::string& out) {
  OutBuf buf(out, value.size() + value.size() / 8 + 2);
  const char* p = value.data();
  const char* end = p + value.size();
  buf.reserve(1);
  buf.put('"');
  for (;;) {
    copy_plain(p, end, buf, '"', '"');
    if (p == end) break;
    const auto c = static_cast<unsigned char>(*p);
    buf.reserve(6);
    if (c >= 0x80) {
      buf.put(*p);  // valid UTF-8 by contract: passes through
    } else {
      put_escape(buf, c);
    }
    ++p;
  }
  buf.reserve(1);
  buf.put('"');
  buf.finish();
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

}  // namespace dsfill::codec
