#include "codec/csv_grammar.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dsfill::codec {
namespace {

// The byte classes of a dialect: the grammar only tells these apart.
enum Class : int { kData = 0, kDelim, kQuoteChar, kLf, kCr, kClassCount };

using S = CsvState;

// The transitions by class, the same for every dialect (the dialect only maps bytes to classes).
// Rows follow CsvState's order; columns are kData, kDelim, kQuoteChar, kLf, kCr.
constexpr S kTable[kCsvStateCount][kClassCount] = {
    // No record open: a field begins, or a blank line.
    /* kRecordStart */ {S::kUnquoted, S::kDelimiter, S::kQuoted, S::kBlankLf, S::kBlankCr},
    /* kCrLf        */ {S::kUnquoted, S::kDelimiter, S::kQuoted, S::kBlankLf, S::kBlankCr},
    /* kBlankLf     */ {S::kUnquoted, S::kDelimiter, S::kQuoted, S::kBlankLf, S::kBlankCr},
    /* kBlankCr     */ {S::kUnquoted, S::kDelimiter, S::kQuoted, S::kCrLf, S::kBlankCr},
    /* kRecordEndLf */ {S::kUnquoted, S::kDelimiter, S::kQuoted, S::kBlankLf, S::kBlankCr},
    /* kRecordEndCr */ {S::kUnquoted, S::kDelimiter, S::kQuoted, S::kCrLf, S::kBlankCr},
    // A field begins after a delimiter; a terminator right after one ends an empty last field.
    /* kDelimiter   */ {S::kUnquoted, S::kDelimiter, S::kQuoted, S::kRecordEndLf, S::kRecordEndCr},
    /* kUnquoted    */
    {S::kUnquoted, S::kDelimiter, S::kBareQuote, S::kRecordEndLf, S::kRecordEndCr},
    /* kQuoted      */ {S::kQuoted, S::kQuoted, S::kQuote, S::kQuoted, S::kQuoted},
    /* kQuote       */
    {S::kAfterQuote, S::kDelimiter, S::kEscapedQuote, S::kRecordEndLf, S::kRecordEndCr},
    /* kEscapedQuote*/ {S::kQuoted, S::kQuoted, S::kQuote, S::kQuoted, S::kQuoted},
    /* kBareQuote   */ {S::kBareQuote, S::kBareQuote, S::kBareQuote, S::kBareQuote, S::kBareQuote},
    /* kAfterQuote  */
    {S::kAfterQuote, S::kAfterQuote, S::kAfterQuote, S::kAfterQuote, S::kAfterQuote},
};

// Returns the first byte from p on that can end an unquoted field (the delimiter, the quote, CR
// or LF), or `end`. Every other byte is data in kUnquoted whatever the dialect, so skipping them
// 16 at a time leaves the grammar's decisions to the byte the skip stops at.
inline const char* skip_unquoted_data(const CsvGrammar& grammar, const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i delim = _mm_set1_epi8(grammar.dialect().delimiter);
  const __m128i quote = _mm_set1_epi8(grammar.dialect().quote);
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, delim), _mm_cmpeq_epi8(v, quote)),
                     _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (p < end && grammar.next(CsvState::kUnquoted, *p) == CsvState::kUnquoted) ++p;
  return p;
}

}  // namespace

CsvGrammar::CsvGrammar(const CsvDialect& dialect) : dialect_(dialect) {
  Class classes[256];
  for (Class& c : classes) c = kData;
  // Later assignments win: a dialect can not make CR or LF data, nor its quote a delimiter.
  classes[static_cast<unsigned char>(dialect.delimiter)] = kDelim;
  classes[static_cast<unsigned char>(dialect.quote)] = kQuoteChar;
  classes[static_cast<unsigned char>('\n')] = kLf;
  classes[static_cast<unsigned char>('\r')] = kCr;
  for (int s = 0; s < kCsvStateCount; ++s) {
    for (int b = 0; b < 256; ++b) next_[s][b] = kTable[s][classes[b]];
  }
}

CsvField read_field(const CsvGrammar& grammar, const char* p, const char* end,
                    std::string& scratch) {
  const auto stop = [](CsvState s, const char* at, std::string_view value) {
    switch (s) {
      case CsvState::kDelimiter:
        return CsvField{value, at, CsvFieldEnd::kDelimiter};
      case CsvState::kBareQuote:
        return CsvField{value, at, CsvFieldEnd::kBareQuote};
      case CsvState::kAfterQuote:
        return CsvField{value, at, CsvFieldEnd::kAfterQuote};
      default:  // kRecordEndLf, kRecordEndCr
        return CsvField{value, at, CsvFieldEnd::kTerminator};
    }
  };
  const char* const start = p;
  if (p == end) return {{}, end, CsvFieldEnd::kInputEnd};
  CsvState s = grammar.next(CsvState::kDelimiter, *p);
  if (s != CsvState::kQuoted) {
    while (s == CsvState::kUnquoted) {
      p = skip_unquoted_data(grammar, p + 1, end);
      if (p == end) return {std::string_view(start, p - start), end, CsvFieldEnd::kInputEnd};
      s = grammar.next(CsvState::kUnquoted, *p);
    }
    return stop(s, p, std::string_view(start, p - start));
  }
  // Quoted: the value is the bytes between the quotes while no doubled quote needs undoing.
  const char quote = grammar.dialect().quote;
  const char* run = ++p;
  bool copied = false;
  for (;;) {
    // The kQuoted (and kEscapedQuote) self-loop: every byte but the quote stays in the field.
    const void* q = std::memchr(p, quote, static_cast<std::size_t>(end - p));
    if (q == nullptr) return {{}, start, CsvFieldEnd::kUnterminated};
    p = static_cast<const char*>(q);
    const std::string_view piece(run, static_cast<std::size_t>(p - run));
    if (++p == end) {
      if (!copied) return {piece, end, CsvFieldEnd::kInputEnd};
      scratch.append(piece);
      return {scratch, end, CsvFieldEnd::kInputEnd};
    }
    s = grammar.next(CsvState::kQuote, *p);
    if (s != CsvState::kEscapedQuote) {
      if (!copied) return stop(s, p, piece);
      scratch.append(piece);
      return stop(s, p, scratch);
    }
    if (!copied) scratch.clear();
    copied = true;
    scratch.append(piece);
    scratch += quote;
    run = ++p;
  }
}

Error csv_field_error(CsvFieldEnd end, std::int64_t row, std::int64_t byte_offset) {
  const char* message = end == CsvFieldEnd::kBareQuote ? "bare quote in unquoted field"
                        : end == CsvFieldEnd::kAfterQuote
                            ? "unexpected character after closing quote"
                            : "unterminated quoted field";
  return make_error(ErrorCode::kBadCsv, message, row, byte_offset);
}

Error ragged_row_error(std::size_t expected, std::size_t found, std::int64_t row,
                       std::int64_t byte_offset) {
  return make_error(ErrorCode::kBadCsv,
                    "ragged row: expected " + std::to_string(expected) + " fields, found " +
                        std::to_string(found),
                    row, byte_offset);
}

}  // namespace dsfill::codec
