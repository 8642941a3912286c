#include "codec/record_reader.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dsfill::codec::detail {
namespace {

constexpr std::ptrdiff_t kBlock = 64;

using Block = BlockMasks;

// Returns the block at q classified as the grammar classes bytes: where a dialect gives a byte
// two roles, line ends win over quotes and quotes over delimiters (CsvGrammar's order).
// REQUIRES: q[0..63] readable.
inline Block classify(const char* q, char delim, char quote) {
  Block b{0, 0, 0, 0};
#if defined(__SSE2__)
  const __m128i d = _mm_set1_epi8(delim);
  const __m128i qt = _mm_set1_epi8(quote);
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i dq = _mm_set1_epi8('"');
  const __m128i bs = _mm_set1_epi8('\\');
  for (int i = 0; i < 4; ++i) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 16 * i));
    const auto mask = [](__m128i m) {
      return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(m)));
    };
    b.delims |= mask(_mm_cmpeq_epi8(v, d)) << (16 * i);
    b.quotes |= mask(_mm_cmpeq_epi8(v, qt)) << (16 * i);
    b.line_ends |= mask(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr))) << (16 * i);
    // Signed: bytes >= 0x80 are negative, so one compare finds them and the controls.
    const __m128i odd = _mm_or_si128(_mm_cmplt_epi8(v, space),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, dq), _mm_cmpeq_epi8(v, bs)));
    b.odd |= mask(odd) << (16 * i);
  }
#else
  for (int i = 0; i < 64; ++i) {
    const std::uint64_t bit = std::uint64_t{1} << i;
    const auto c = static_cast<unsigned char>(q[i]);
    if (q[i] == delim) b.delims |= bit;
    if (q[i] == quote) b.quotes |= bit;
    if (q[i] == '\n' || q[i] == '\r') b.line_ends |= bit;
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') b.odd |= bit;
  }
#endif
  b.quotes &= ~b.line_ends;
  b.delims &= ~(b.quotes | b.line_ends);
  b.odd &= ~(b.delims | b.line_ends);  // a tab delimiter ends fields; it is not in one
  return b;
}

inline unsigned lowest(std::uint64_t m) { return static_cast<unsigned>(__builtin_ctzll(m)); }

// Bits at and above bit `at` (none for 64).
inline std::uint64_t bits_from(unsigned at) { return at >= 64 ? 0 : ~std::uint64_t{0} << at; }

}  // namespace

RecordReader::RecordReader(const CsvGrammar& grammar, const char* end)
    : grammar_(grammar), end_(end), last_q_(end) {}

void RecordReader::read(const char* p, RecordRead& rec) {
  if (!read_plain(p, rec)) read_by_grammar(p, rec);
}

// Reads the record at p by bit masks, 64 bytes at a time; returns false, for read_by_grammar to
// decide, at anything but unquoted fields and quoted ones without doubled quotes.
bool RecordReader::read_plain(const char* p, RecordRead& rec) {
  const char delim = grammar_.dialect().delimiter;
  const char quote = grammar_.dialect().quote;
  // A record that starts in the block its predecessor ended in reads on in that block's masks.
  const char* q = last_q_;  // the block: its masks `b` hold bytes [q, q + 64)
  Block b = last_;
  if (!(p > q && p - q < kBlock)) {
    if (end_ - p < kBlock) return false;  // the input's last bytes: read_field reads them
    q = p;
    b = classify(q, delim, quote);
  }
  std::size_t n = 0;
  const char* field = p;  // the first byte of the field being read
  bool odd = false;       // the field being read had an odd byte in an earlier block
  for (;;) {
    if (fields_.size() < n + kBlock + 1) {  // room for every field this block can end
      fields_.resize(n + kBlock + 1);
      scratch_.resize(n + kBlock + 1);
    }
    FieldRead* const out = fields_.data();
    const auto from = static_cast<unsigned>(field > q ? field - q : 0);
    const std::uint64_t live = bits_from(from);  // the bytes from the field being read on
    if (((b.quotes >> from) & 1) != 0 && field >= q) {
      // A quoted field: its value runs to the next quote, the closing one unless doubled.
      const void* found = std::memchr(field + 1, quote, static_cast<std::size_t>(end_ - field - 1));
      if (found == nullptr) return false;
      const char* const close = static_cast<const char*>(found);
      const char* const after = close + 1;
      if (after == end_) return false;
      const CsvState s = grammar_.next(CsvState::kQuote, *after);
      const std::string_view value(field + 1, static_cast<std::size_t>(close - field - 1));
      if (s == CsvState::kRecordEndLf || s == CsvState::kRecordEndCr) {
        out[n++] = {field, value, false, false};
        rec.fields = n;
        rec.stop = after;
        rec.fault = CsvFieldEnd::kTerminator;
        last_q_ = after - q < kBlock ? q : end_;
        last_ = b;
        return true;
      }
      if (s != CsvState::kDelimiter)
        return false;  // a doubled quote, or a byte after the closing one
      out[n++] = {field, value, false, false};
      field = after + 1;
      odd = false;
      if (field - q >= kBlock) {
        if (end_ - field < kBlock) return false;
        q = field;
        b = classify(q, delim, quote);
      }
      continue;
    }
    const std::uint64_t ends = b.line_ends & live;
    const std::uint64_t before_end = ends != 0 ? (ends & (0 - ends)) - 1 : ~std::uint64_t{0};
    const std::uint64_t quotes = b.quotes & live & before_end;
    const std::uint64_t upto = quotes != 0 ? (quotes & (0 - quotes)) - 1 : before_end;
    // The odd bytes of the field being read, from its first byte in this block on (a
    // delimiter is never odd, so dropping the bits below one leaves the next field's).
    std::uint64_t odd_here = b.odd & live;
    for (std::uint64_t d = b.delims & live & upto; d != 0; d &= d - 1) {
      const unsigned bit = lowest(d);
      const std::uint64_t below = (std::uint64_t{1} << bit) - 1;
      out[n++] = {field, std::string_view(field, static_cast<std::size_t>(q + bit - field)), false,
                  !odd && (odd_here & below) == 0};
      field = q + bit + 1;
      odd = false;
      odd_here &= ~below;
    }
    if (quotes != 0) {
      // A quote opens a quoted field where a field begins; anywhere else it is bare.
      if (q + lowest(quotes) != field) return false;
      continue;
    }
    if (ends != 0) {
      const unsigned bit = lowest(ends);
      const std::uint64_t below = (std::uint64_t{1} << bit) - 1;
      out[n++] = {field, std::string_view(field, static_cast<std::size_t>(q + bit - field)), false,
                  !odd && (odd_here & below) == 0};
      rec.fields = n;
      rec.stop = q + bit;
      rec.fault = CsvFieldEnd::kTerminator;
      last_q_ = q;
      last_ = b;
      return true;
    }
    odd = odd || odd_here != 0;
    q += kBlock;
    if (end_ - q < kBlock) return false;
    b = classify(q, delim, quote);
  }
}

void RecordReader::read_by_grammar(const char* p, RecordRead& rec) {
  rec.fields = 0;
  for (;;) {
    if (rec.fields == fields_.size()) {
      const std::string* const before = scratch_.data();
      fields_.emplace_back();
      scratch_.emplace_back();
      // Moved strings keep their heap buffers, but not their short in-place ones.
      if (scratch_.data() != before) {
        for (std::size_t i = 0; i < rec.fields; ++i) {
          if (fields_[i].in_scratch) fields_[i].value = scratch_[i];
        }
      }
    }
    std::string& scratch = scratch_[rec.fields];
    const CsvField f = read_field(grammar_, p, end_, scratch);
    // An empty value points at its field too (read_field may give a null one at the end).
    const std::string_view value = f.value.empty() ? std::string_view(p, 0) : f.value;
    fields_[rec.fields] = {p, value, !value.empty() && value.data() == scratch.data(), false};
    rec.stop = f.at;
    rec.fault = f.end;
    if (rec.malformed()) return;
    ++rec.fields;
    if (f.end != CsvFieldEnd::kDelimiter) return;
    p = f.at + 1;
  }
}

}  // namespace dsfill::codec::detail
