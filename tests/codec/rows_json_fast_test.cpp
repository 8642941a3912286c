// The transcoder's 64-byte-block fast path (plain records of all-string columns) must write
// exactly what the general path writes. Records shorter than the fast path's minimum input go
// through the general path, so each record transcoded alone is the oracle for the same records
// transcoded together.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <random>
#include <span>
#include <string>
#include <vector>

#include "codec/plain_records.h"
#include "codec/rows_json.h"
#include "codec/simd_dispatch.h"

namespace dsfill::codec {
namespace {

// Returns one record (terminator included) mixing what the fast path takes and what it refuses.
std::string random_record(std::mt19937& rng, std::size_t fields, char delim, bool crlf) {
  static const char* const kPieces[] = {
      "plain",
      "WHITE HANGING HEART T-LIGHT HOLDER",
      "",
      "12.50",
      "2010-12-01 08:26:00",
      "a much longer value that spans more than sixty-four bytes of input on its own and surely",
      "\"quoted, with delimiter\"",
      "back\\slash",
      "caf\xC3\xA9",
      "tab\there",
      "\"a \"\"b\"\"\""};
  std::string r;
  for (std::size_t f = 0; f < fields; ++f) {
    if (f != 0) r += delim;
    // Mostly plain pieces, so that most records take the fast path.
    const unsigned pick = rng() % 100;
    const std::size_t piece = pick < 85 ? rng() % 6 : 6 + rng() % 5;
    std::string value = kPieces[piece];
    if (delim == '\t' && value.find('\t') != std::string::npos) value = "no tab";
    r += value;
  }
  r += crlf ? "\r\n" : "\n";
  return r;
}

std::string one_call(const std::string& csv, const RowsJsonOptions& options) {
  std::string out;
  auto r = append_rows_json(csv, options, {}, out);
  EXPECT_TRUE(r) << (r ? "" : r.error().describe());
  return out;
}

// Joins the arrays of each record transcoded on its own: "[" + a1 + "," + a2 ... + "]".
std::string per_record(const std::vector<std::string>& records, const RowsJsonOptions& options) {
  std::string joined = "[";
  for (const std::string& rec : records) {
    std::string one;
    auto r = append_rows_json(rec, options, {}, one);
    EXPECT_TRUE(r);
    if (joined.size() > 1) joined += ',';
    joined.append(one, 1, one.size() - 2);  // drop the outer brackets
  }
  return joined + "]";
}

TEST(RowsJsonFast, SameOutputAsGeneralPath) {
  for (const char delim : {',', ';', '\t'}) {
    for (const bool crlf : {false, true}) {
      std::mt19937 rng(delim * 7 + crlf);
      RowsJsonOptions options;
      options.dialect.delimiter = delim;
      options.utf8 = Utf8Policy::kStrict;
      std::vector<std::string> records;
      std::string csv;
      for (int i = 0; i < 3000; ++i) {
        records.push_back(random_record(rng, 9, delim, crlf));
        csv += records.back();
      }
      EXPECT_EQ(one_call(csv, options), per_record(records, options))
          << "delimiter " << static_cast<int>(delim) << " crlf " << crlf;
    }
  }
}

TEST(RowsJsonFast, LastRecordWithoutTerminatorAndBlankLines) {
  std::mt19937 rng(5);
  std::string csv;
  std::vector<std::string> records;
  for (int i = 0; i < 200; ++i) {
    records.push_back(random_record(rng, 4, ',', false));
    csv += records.back();
    if (i % 17 == 0) csv += "\n";  // a blank line: no record
  }
  records.back().pop_back();
  csv.pop_back();
  RowsJsonOptions options;
  std::string out;
  auto r = append_rows_json(csv, options, {}, out);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rows, 200u);
  EXPECT_EQ(r->physical_rows, 200u + 12u);
  EXPECT_EQ(out, per_record(records, options));
}

TEST(RowsJsonFast, RaggedRowNamesRowAndByte) {
  std::string csv;
  const std::string good =
      "aaaaaaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbbbbbbb,cccccccccccccccccccccccccccc\n";
  for (int i = 0; i < 10; ++i) csv += good;
  const std::size_t bad_at = csv.size();
  csv += "aaaaaaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n";
  for (int i = 0; i < 10; ++i) csv += good;
  std::string out;
  auto r = append_rows_json(csv, RowsJsonOptions{}, {1, 100}, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBadCsv);
  EXPECT_EQ(r.error().row, 11);
  EXPECT_EQ(r.error().byte_offset, static_cast<std::int64_t>(100 + bad_at));
}

TEST(RowsJsonFast, WriteRowsJsonReusesItsBuffer) {
  std::mt19937 rng(9);
  std::string big, small;
  for (int i = 0; i < 500; ++i) big += random_record(rng, 9, ',', false);
  for (int i = 0; i < 5; ++i) small += random_record(rng, 9, ',', false);
  std::string buf;
  std::size_t length = 0;
  ASSERT_TRUE(write_rows_json(big, {}, {}, buf, length));
  EXPECT_EQ(std::string(buf.data(), length), one_call(big, {}));
  const std::size_t capacity = buf.size();
  ASSERT_TRUE(write_rows_json(small, {}, {}, buf, length));
  EXPECT_EQ(std::string(buf.data(), length), one_call(small, {}));
  EXPECT_EQ(buf.size(), capacity);  // not shrunk, so the next big batch is not zero-filled
}

// Records of `fields` fields, most of them empty: runs of more than 16 delimiters among 32
// bytes, which the AVX-512 kernel writes in two halves.
std::string sparse_records(std::mt19937& rng, int count, std::size_t fields, char delim) {
  std::string csv;
  for (int i = 0; i < count; ++i) {
    for (std::size_t f = 0; f < fields; ++f) {
      if (f != 0) csv += delim;
      if (rng() % 8 == 0) csv += std::string(1 + rng() % 20, static_cast<char>('a' + rng() % 26));
    }
    csv += rng() % 4 == 0 ? "\r\n" : "\n";
  }
  return csv;
}

// Makes the codec use one kernel set for the life of the object.
class KernelScope {
 public:
  explicit KernelScope(const KernelSet& set)
      : previous_(active_kernels()), ok_(use_kernel_set(set)) {}
  ~KernelScope() { use_kernel_set(previous_); }
  KernelScope(const KernelScope&) = delete;
  KernelScope& operator=(const KernelScope&) = delete;
  bool ok() const { return ok_; }

 private:
  const KernelSet& previous_;
  bool ok_;
};

// The portable set has no transcoder fast path: under it the general path writes every record.
const KernelSet& general_path() { return kernel_set(KernelSetId::kPortable); }

// The general path's result against the result under each set in `sets` that has a fast path and
// that this CPU runs. Fails when none of them ran: a comparison with nothing proves nothing.
template <class Outcome>
void expect_every_kernel_as(Outcome&& outcome, const std::string& what,
                            std::span<const KernelSet* const> sets = kernel_sets()) {
  ASSERT_EQ(general_path().write_plain_records, nullptr);
  std::string oracle;
  {
    const KernelScope general(general_path());
    ASSERT_TRUE(general.ok());
    oracle = outcome();
  }
  int kernels = 0;
  for (const KernelSet* set : sets) {
    if (set->write_plain_records == nullptr) continue;
    const KernelScope scope(*set);
    if (!scope.ok()) continue;  // this CPU cannot run it
    ++kernels;
    EXPECT_EQ(outcome(), oracle) << set->name << ": " << what;
  }
  EXPECT_GE(kernels, 1) << "no fast-path kernel ran on this machine: " << what;
}

TEST(RowsJsonFast, EveryKernelThisCpuRunsWritesTheSameJson) {
  std::mt19937 rng(11);
  for (const char delim : {',', ';', '\t'}) {
    std::string mixed;  // one field count per input: a ragged row would stop the comparison
    for (int i = 0; i < 2000; ++i) mixed += random_record(rng, 9, delim, i % 3 == 0);
    const std::string inputs[] = {sparse_records(rng, 300, 60, delim), mixed,
                                  sparse_records(rng, 300, 7, delim)};
    RowsJsonOptions options;
    options.dialect.delimiter = delim;
    options.utf8 = Utf8Policy::kStrict;
    for (const std::string& csv : inputs) {
      expect_every_kernel_as([&] { return one_call(csv, options); },
                             "delimiter " + std::to_string(static_cast<int>(delim)));
    }
  }
}

TEST(RowsJsonFast, ManyEmptyFieldsSameAsGeneralPath) {
  std::mt19937 rng(13);
  for (const char delim : {',', '|'}) {
    std::vector<std::string> records;
    std::string csv;
    for (int i = 0; i < 400; ++i) {
      records.push_back(sparse_records(rng, 1, 45, delim));
      csv += records.back();
    }
    RowsJsonOptions options;
    options.dialect.delimiter = delim;
    EXPECT_EQ(one_call(csv, options), per_record(records, options)) << delim;
  }
}

// The general path's result (the JSON and row counts, or the error) against every kernel's.
std::string outcome(const std::string& csv, const RowsJsonOptions& options) {
  std::string out;
  auto r = append_rows_json(csv, options, {7, 1000}, out);
  if (!r) return "error: " + r.error().describe();
  return out + " rows " + std::to_string(r->rows) + " physical " + std::to_string(r->physical_rows);
}

void expect_every_kernel_as_general(const std::string& csv, const RowsJsonOptions& options,
                                    const std::string& what,
                                    std::span<const KernelSet* const> sets = kernel_sets()) {
  expect_every_kernel_as([&] { return outcome(csv, options); }, what, sets);
}

// The helper fails rather than passing vacuously when no kernel ran (a CPU without SSSE3, or a
// list of sets without a fast path): here only the portable set, which has none.
TEST(RowsJsonFast, TheComparisonFailsWhenNoKernelRan) {
  static const KernelSet* const kOnlyPortable[] = {&kernel_set(KernelSetId::kPortable)};
  EXPECT_NONFATAL_FAILURE(
      expect_every_kernel_as_general(std::string(200, 'a') + "\n", {}, "no kernel", kOnlyPortable),
      "no fast-path kernel ran");
}

// 8000 bytes of `fill` records (five fields) with `record` after the first 4000 + shift; the
// first record is `shift` bytes longer than five fields need, so that as shift goes from 0 to 63
// the break falls at every offset of a 64-byte block.
std::string run_with_break(const std::string& fill, const std::string& record, std::size_t shift) {
  std::string csv(shift, 'y');
  csv += ",1,2,3,4\n";
  while (csv.size() < 4000 + shift) csv += fill;
  csv += record;
  while (csv.size() < 8000) csv += fill;
  return csv;
}

// What breaks a run, and a name for it.
using Break = std::pair<const char*, std::string>;

// Every kernel against the general path on each break in a run of `fill` records, at every
// offset of a block (run_with_break); `options()` gives each input's options.
template <class Options>
void expect_breaks_as_general(const std::string& fill, std::span<const Break> breaks,
                              Options options) {
  for (const auto& [what, record] : breaks) {
    for (std::size_t shift = 0; shift < 64; ++shift) {
      expect_every_kernel_as_general(run_with_break(fill, record, shift), options(),
                                     std::string(what) + ", shift " + std::to_string(shift));
    }
  }
}

// Long runs of plain records, where whole 64-byte blocks of complete records are written at
// once (AVX-512), with one record that breaks the run at every offset of a block.
TEST(RowsJsonFast, ABreakAnywhereInALongPlainRunEndsItLikeTheGeneralPath) {
  std::mt19937 rng(17);
  const std::string fill = "WHITE HANGING HEART,12.50,2010-12-01 08:26:00,plain,x\n";
  const Break breaks[] = {
      {"ragged, one field short", "a,b,c,d\n"},
      {"ragged, one field over", "a,b,c,d,e,f\n"},
      {"blank line", "\n"},
      {"two blank lines, CRLF", "\r\n\r\n"},
      {"invalid UTF-8", "caf\xC3,b,c,d,e\n"},
      {"truncated sequence at the end of a field", "ok,\xE2\x82,c,d,e\n"},
      {"valid UTF-8", "caf\xC3\xA9,\xE2\x82\xAC,\xF0\x9F\x98\x80,d,e\n"},
      {"a stray continuation byte after a sequence", "caf\xC3\xA9\xA9,b,c,d,e\n"},
      {"a continuation byte without its lead", "caf\xA9,b,c,d,e\n"},
      {"a surrogate", "\xED\xA0\x80,b,c,d,e\n"},
      {"an overlong form", "\xC0\xAF,b,c,d,e\n"},
      {"above U+10FFFF", "\xF4\x90\x80\x80,b,c,d,e\n"},
      // More than 16 high bytes in a block: checked as a whole, not walked.
      {"Cyrillic",
       "\u041F\u0440\u0438\u0432\u0435\u0442,\u043C\u0438\u0440,"
       "\u043F\u0440\u0438\u0432\u0435\u0442 \u043C\u0438\u0440,"
       "\u0435\u0449\u0451,\u0440\u0430\u0437\n"},
      {"Cyrillic ending in a truncated sequence",
       "\u041F\u0440\u0438\u0432\u0435\u0442,\u043C\u0438\u0440,"
       "\u043F\u0440\u0438\u0432\u0435\u0442 \u043C\u0438\u0440,"
       "\u0435\u0449\u0451,\u0440\u0430\xD0\n"},
      {"a CRLF record", "a,b,c,d,e\r\n"},
      {"a quoted field", "a,\"b,c\",d,e,f\n"},
      {"empty fields", ",,,,\n"}};
  expect_breaks_as_general(fill, breaks, [&rng] {
    RowsJsonOptions options;
    options.utf8 = rng() % 2 == 0 ? Utf8Policy::kStrict : Utf8Policy::kReplace;
    return options;
  });
}

// Fields so short that 32 bytes hold many delimiters and LFs (an LF writes five bytes), and a
// single column, where every LF ends a record.
TEST(RowsJsonFast, DenseAndSingleColumnRunsAsTheGeneralPath) {
  std::mt19937 rng(19);
  for (const std::size_t fields : {1, 2, 3, 9}) {
    std::string csv;
    while (csv.size() < 20000) {
      for (std::size_t f = 0; f < fields; ++f) {
        if (f != 0) csv += ',';
        csv += std::string(rng() % 3, static_cast<char>('a' + rng() % 26));
      }
      if (fields == 1 && csv.back() == '\n') csv += 'z';  // a blank line, not a record
      csv += rng() % 16 == 0 ? "\r\n" : "\n";
    }
    expect_every_kernel_as_general(csv, {}, std::to_string(fields) + " fields");
  }
}

// One field for the quoted-records tests: unquoted, or quoted with what quoted text holds
// (delimiters, doubled quotes at its ends and inside, nothing, more than a block, UTF-8, LF and
// CRLF, bytes JSON escapes, dense enough to split a kernel step); with `odd`, also what only the
// general path writes (other control bytes, a '\' in a quote-'\' dialect...).
std::string random_field(std::mt19937& rng, char delim, char quote, bool odd) {
  const std::string q(1, quote);
  const std::string d(1, delim);
  const std::string dd = q + q;
  std::string escapes;
  for (int i = 0; i < 8; ++i) escapes += std::string("\n\\\b\f\r\n") + (quote == '"' ? dd : "\"");
  const std::string pieces[] = {"plain",
                                "",
                                "12.50",
                                q + "quoted" + q,
                                q + "a" + d + " b" + d + d + q,
                                q + "say " + dd + "hi" + dd + q,
                                q + dd + "at both ends" + dd + q,
                                dd,
                                q + dd + dd + q,
                                q + std::string(90, 'x') + d + std::string(40, 'y') + q,
                                q + "caf\xC3\xA9 " + d + " \xE2\x82\xAC" + q,
                                q + "line\nbreak" + q,
                                q + "crlf\r\ninside" + q,
                                q + "back\\slash" + q,
                                "back\\slash\bunquoted\f",
                                q + "tab\there" + q,
                                q + (quote == '"' ? "a 'b' c" : "a \"b\" c") + q,
                                q + escapes + q,
                                q + std::string(70, '\n') + q,
                                q + "control \x01 byte" + q,
                                "unit\x1Fseparator",
                                q + "delete \x7F and \x1C" + q};
  constexpr std::size_t kOdd = 3;  // the last pieces: not taken by the fast path
  constexpr std::size_t kValid = std::size(pieces) - kOdd;
  const std::size_t pick = odd && rng() % 20 == 0 ? kValid + rng() % kOdd : rng() % kValid;
  std::string field = pieces[pick];
  if (delim == '\t' && field.find('\t') != std::string::npos) field = q + "no tab" + q;
  return field;
}

TEST(RowsJsonFast, QuotedRecordsAsTheGeneralPath) {
  std::mt19937 rng(23);
  for (const char delim : {',', ';', '\t', '|'}) {
    for (const char quote : {'"', '\''}) {
      for (const bool odd : {false, true}) {
        std::string csv;
        for (int i = 0; i < 1500; ++i) {
          for (int f = 0; f < 7; ++f) {
            if (f != 0) csv += delim;
            csv += random_field(rng, delim, quote, odd);
          }
          csv += rng() % 5 == 0 ? "\r\n" : "\n";
        }
        RowsJsonOptions options;
        options.dialect = {delim, quote};
        options.utf8 = Utf8Policy::kStrict;
        if (!odd) one_call(csv, options);  // fails the test if the CSV is not well formed
        expect_every_kernel_as_general(csv, options,
                                       "delimiter " + std::to_string(static_cast<int>(delim)) +
                                           " quote " + quote + (odd ? " with odd bytes" : ""));
      }
    }
  }
}

// A long run of quoted records with one record that breaks it at every offset of a block: CSV
// errors at a quote, and quoted text only the general path writes.
TEST(RowsJsonFast, ABreakAnywhereInALongQuotedRunEndsItLikeTheGeneralPath) {
  const std::string fill = "\"WHITE, HEART\",\"12.50\",\"say \"\"hi\"\"\",plain,\"\"\n";
  const Break breaks[] = {
      {"bare quote", "a\"b,c,d,e,f\n"},
      {"bare quotes that look like a quoted field's", "a\"b\",c,d,e,f\n"},
      {"text after a closing quote", "\"a\"b,c,d,e,f\n"},
      {"a quote after a closing quote and text", "\"a\"\"\"x,c,d,e,f\n"},
      {"LF inside quotes", "\"a\nb\",c,d,e,f\n"},
      {"CR inside quotes", "\"a\rb\",c,d,e,f\n"},
      {"backslash inside quotes", "\"a\\b\",c,d,e,f\n"},
      {"ragged, a delimiter inside quotes", "\"a,b,c,d\",e\n"},
      {"invalid UTF-8 inside quotes", "\"caf\xC3\",b,c,d,e\n"},
      {"doubled quotes only", "\"\"\"\"\"\",\"\"\"\",\"\",\"\"\"\"\"\"\"\",x\n"},
      {"a bare CR terminator", "\"a\",b,c,d,e\r"},
      {"a bare CR between two short records", "a,b\rc,d,e,f\n"}};
  expect_breaks_as_general(fill, breaks, [] { return RowsJsonOptions{}; });
  // A quoted field still open at the end of the input, from every offset of a block.
  for (std::size_t shift = 0; shift < 64; ++shift) {
    std::string csv(shift, 'y');
    csv += ",1,2,3,4\n";
    while (csv.size() < 4000) csv += fill;
    csv += "a,b,c,d,\"never closed, " + std::string(200, 'z');
    expect_every_kernel_as_general(csv, {}, "unterminated, shift " + std::to_string(shift));
  }
}

// The comparisons above would pass with the general path doing the work: here the AVX-512
// kernel itself must take a run of quoted records, and write each as its JSON.
TEST(RowsJsonFast, TheAvx512KernelTakesQuotedRecords) {
  const KernelScope scope(kernel_set(KernelSetId::kAvx512));
  if (!scope.ok()) GTEST_SKIP() << "this CPU does not run the avx512 kernel set";
  const std::string record = "\"a, b\",\"say \"\"hi\"\"\",plain,\"\",\"two\r\nlines\",tab\there\n";
  const std::string json =
      "[\"a, b\",\"say \\\"hi\\\"\",\"plain\",\"\",\"two\\r\\nlines\",\"tab\\there\"]";
  std::string csv;
  while (csv.size() < 4000) csv += record;
  std::string out(3 * csv.size(), '\0');
  const char* p = csv.data();
  char* o = out.data();
  std::size_t expected = 0;
  const detail::PlainRun run =
      detail::write_plain_records(p, csv.data() + csv.size(), o, out.data() + out.size(), true,
                                  expected, 1 << 20, ',', '"', true);
  // All but the last records, within kPlainMinInput of the end, which the general path writes.
  EXPECT_GE(run.rows, csv.size() / record.size() - detail::kPlainMinInput / record.size() - 1);
  EXPECT_EQ(expected, 6u);
  std::string want;
  for (std::uint64_t i = 0; i < run.rows; ++i) want += (i == 0 ? "" : ",") + json;
  EXPECT_EQ(std::string(out.data(), o), want);
  EXPECT_EQ(p - csv.data(), static_cast<std::ptrdiff_t>(run.rows * record.size()));
}

}  // namespace
}  // namespace dsfill::codec
