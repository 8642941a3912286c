#include "tests/oracle/csv_scanner.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dsfill::codec {
namespace {

// Scanner states; CsvScanner::state_ holds one of these between feed() calls.
enum State : int {
  kRecordStart = 0,  // before the first byte of a record (or between blank lines)
  kAfterCr,          // just after a CR terminator: an LF here completes a CRLF
  kFieldStart,       // after a delimiter (or at a record's first byte): a field begins
  kUnquoted,         // inside an unquoted field
  kQuoted,           // inside a quoted field
  kQuoteInQuoted,    // after a quote inside a quoted field: closing, or the first of a pair
};

inline bool is_special_unquoted(char c, char delim, char quote) {
  return c == delim || c == quote || c == '\n' || c == '\r';
}

// Returns the first byte in [p, end) that ends or breaks an unquoted field (delimiter, quote,
// CR, LF), or end.
inline const char* find_unquoted_special(const char* p, const char* end, char delim, char quote) {
#if defined(__SSE2__)
  const __m128i d = _mm_set1_epi8(delim);
  const __m128i q = _mm_set1_epi8(quote);
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, q)),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && !is_special_unquoted(*p, delim, quote)) ++p;
  return p;
}

Error csv_error(const char* message, std::int64_t row, std::int64_t byte_offset) {
  return make_error(ErrorCode::kBadCsv, message, row, byte_offset);
}

}  // namespace

CsvScanner::CsvScanner(const CsvDialect& dialect, InputPosition start)
    : dialect_(dialect), pos_(start), record_row_(start.row), record_offset_(start.byte_offset) {}

Result<void> CsvScanner::feed(std::string_view chunk, CsvSink& sink) {
  if (spent_) {
    return make_error(ErrorCode::kBadArgument, "CSV scanner fed after an error", pos_.row,
                      pos_.byte_offset);
  }
  const char delim = dialect_.delimiter;
  const char quote = dialect_.quote;
  const char* const begin = chunk.data();
  const char* const end = begin + chunk.size();
  const std::int64_t base = pos_.byte_offset;
  const auto offset_of = [&](const char* at) { return base + (at - begin); };
  const char* p = begin;
  const char* piece = begin;  // first byte of the current field's pending piece
  int st = state_;

  // Ends the record whose terminator sits at `at` and moves past the terminator's first byte.
  const auto end_record = [&](const char* at) {
    sink.on_record_end(record_row_, record_offset_);
    ++pos_.row;
    st = *at == '\r' ? kAfterCr : kRecordStart;
    p = at + 1;
  };
  const auto fail = [&](const char* message, std::int64_t row, std::int64_t offset) {
    spent_ = true;
    state_ = st;
    return csv_error(message, row, offset);
  };

  while (p < end) {
    switch (st) {
      case kAfterCr:
        if (*p == '\n') ++p;
        st = kRecordStart;
        break;
      case kRecordStart: {
        const char c = *p;
        if (c == '\n' || c == '\r') {
          // A blank line: no record, but it is a physical row.
          ++pos_.row;
          ++p;
          st = c == '\r' ? kAfterCr : kRecordStart;
          break;
        }
        record_row_ = pos_.row;
        record_offset_ = offset_of(p);
        st = kFieldStart;
        break;
      }
      case kFieldStart: {
        const char c = *p;
        if (c == quote) {
          quote_offset_ = offset_of(p);
          ++p;
          piece = p;
          st = kQuoted;
        } else if (c == delim) {
          sink.on_field_end();
          ++p;
        } else if (c == '\n' || c == '\r') {
          sink.on_field_end();
          end_record(p);
        } else {
          piece = p;
          st = kUnquoted;
        }
        break;
      }
      case kUnquoted: {
        const char* at = find_unquoted_special(p, end, delim, quote);
        if (at == end) {
          p = end;
          break;
        }
        const char c = *at;
        if (c == quote) return fail("bare quote in unquoted field", record_row_, offset_of(at));
        if (at > piece) sink.on_field_data(std::string_view(piece, at - piece));
        sink.on_field_end();
        if (c == delim) {
          p = at + 1;
          st = kFieldStart;
        } else {
          end_record(at);
        }
        break;
      }
      case kQuoted: {
        const void* at = std::memchr(p, quote, end - p);
        if (at == nullptr) {
          p = end;
          break;
        }
        p = static_cast<const char*>(at) + 1;
        st = kQuoteInQuoted;
        break;
      }
      case kQuoteInQuoted: {
        // p > begin: the first quote (at p - 1) is in this chunk and [piece, p - 1) is pending;
        // otherwise the previous chunk already emitted everything before it.
        const bool quote_here = p > begin;
        const char c = *p;
        if (c == quote) {
          if (quote_here) {
            sink.on_field_data(std::string_view(piece, p - piece));  // includes one quote
          } else {
            sink.on_field_data(std::string_view(&dialect_.quote, 1));
          }
          ++p;
          piece = p;
          st = kQuoted;
          break;
        }
        if (c != delim && c != '\n' && c != '\r') {
          return fail("unexpected character after closing quote", record_row_, offset_of(p));
        }
        if (quote_here && p - 1 > piece) sink.on_field_data(std::string_view(piece, p - 1 - piece));
        sink.on_field_end();
        if (c == delim) {
          ++p;
          st = kFieldStart;
        } else {
          end_record(p);
        }
        break;
      }
      default:
        spent_ = true;
        return make_error(ErrorCode::kInternal, "CSV scanner in an unknown state");
    }
  }

  // Emit what the chunk holds of an open field; the rest comes with the next chunk.
  if ((st == kUnquoted || st == kQuoted) && end > piece) {
    sink.on_field_data(std::string_view(piece, end - piece));
  } else if (st == kQuoteInQuoted && begin != end && end - 1 > piece) {
    sink.on_field_data(std::string_view(piece, end - 1 - piece));
  }
  state_ = st;
  pos_.byte_offset = base + static_cast<std::int64_t>(chunk.size());
  return {};
}

Result<void> CsvScanner::finish(CsvSink& sink) {
  if (spent_) {
    return make_error(ErrorCode::kBadArgument, "CSV scanner finished after an error", pos_.row,
                      pos_.byte_offset);
  }
  switch (state_) {
    case kRecordStart:
    case kAfterCr:
      break;
    case kQuoted:
      spent_ = true;
      return csv_error("unterminated quoted field", record_row_, quote_offset_);
    case kFieldStart:
    case kUnquoted:
    case kQuoteInQuoted:
      sink.on_field_end();
      sink.on_record_end(record_row_, record_offset_);
      ++pos_.row;
      break;
    default:
      spent_ = true;
      return make_error(ErrorCode::kInternal, "CSV scanner in an unknown state");
  }
  state_ = kRecordStart;
  return {};
}

}  // namespace dsfill::codec
