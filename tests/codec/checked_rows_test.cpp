// The transcoder's checked path (codec/checked_rows.h): column mapping, null and number rules,
// date columns, value limits and keep_going; and that, where both paths can write an input, it
// writes the same JSON and fails with the same errors as the fast and general paths.
#include "codec/checked_rows.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "codec/json_text.h"
#include "codec/rows_json.h"
#include "codec/simd_dispatch.h"
#include "tests/codec/csv_test_util.h"

namespace dsfill::codec {
namespace {

// Transcodes by the checked path whatever the options (the path under test).
Result<RowsJsonStats> checked(std::string_view csv, const RowsJsonOptions& options,
                              std::string& out, InputPosition start = {}) {
  out.clear();
  std::size_t length = 0;
  auto stats = detail::write_checked_rows(csv, options, start, out, 0, length);
  out.resize(length);
  return stats;
}

// Transcodes by the path write_rows_json picks for the options.
Result<RowsJsonStats> dispatched(std::string_view csv, const RowsJsonOptions& options,
                                 std::string& out, InputPosition start = {}) {
  out.clear();
  return append_rows_json(csv, options, start, out);
}

// The path a test runs: the one write_rows_json picks, or the checked path whatever the options.
enum class Path { kDispatched, kChecked };

std::string json_of(std::string_view csv, const RowsJsonOptions& options,
                    Path path = Path::kDispatched) {
  std::string out;
  auto r = path == Path::kChecked ? checked(csv, options, out) : dispatched(csv, options, out);
  EXPECT_TRUE(r.has_value()) << r.error().describe();
  return out;
}

Error error_of(std::string_view csv, const RowsJsonOptions& options, InputPosition start = {},
               Path path = Path::kDispatched) {
  std::string out;
  auto r = path == Path::kChecked ? checked(csv, options, out, start)
                                  : dispatched(csv, options, out, start);
  EXPECT_FALSE(r.has_value()) << csv << " gave " << out;
  return r ? Error{} : r.error();
}

RowsJsonOptions with_kinds(std::vector<ValueKind> kinds) {
  RowsJsonOptions o;
  o.kinds = std::move(kinds);
  return o;
}

constexpr ValueKind S = ValueKind::kString;
constexpr ValueKind N = ValueKind::kNumber;
constexpr ValueKind D = ValueKind::kDate;

TEST(CheckedRows, TakenOnlyWhenTheOptionsNeedIt) {
  RowsJsonOptions o;
  EXPECT_FALSE(detail::needs_checked_rows(o));
  o.keep_going = true;
  EXPECT_FALSE(detail::needs_checked_rows(o));  // the fast path tries first
  o.source = {0, 1, 2};
  o.expected_fields = 3;
  EXPECT_FALSE(detail::needs_checked_rows(o));  // the identity
  o.expected_fields = 4;
  EXPECT_TRUE(detail::needs_checked_rows(o));  // the fourth field is left out
  o.expected_fields = 3;
  o.source = {0, 2, 1};
  EXPECT_TRUE(detail::needs_checked_rows(o));
  o.source.clear();
  EXPECT_TRUE(detail::needs_checked_rows(with_kinds({S, D})));
  EXPECT_FALSE(detail::needs_checked_rows(with_kinds({S, N})));
  RowsJsonOptions nulls;
  nulls.nulls.markers = {"NA"};
  EXPECT_TRUE(detail::needs_checked_rows(nulls));
  nulls.nulls = {{}, true};
  EXPECT_TRUE(detail::needs_checked_rows(nulls));
  RowsJsonOptions numbers;
  numbers.numbers.decimal_comma = true;
  EXPECT_TRUE(detail::needs_checked_rows(numbers));
  numbers.numbers = {false, ','};
  EXPECT_TRUE(detail::needs_checked_rows(numbers));
}

// --- column mapping --------------------------------------------------------------------------

TEST(CheckedRows, ReordersColumns) {
  RowsJsonOptions o;
  o.expected_fields = 3;
  o.source = {2, 0, 1};
  EXPECT_EQ(json_of("a,b,c\n\"d,\",e,\"f\"\"\"\n", o), R"([["c","a","b"],["f\"","d,","e"]])");
}

TEST(CheckedRows, MissingFieldsAreNull) {
  RowsJsonOptions o;
  o.expected_fields = 2;
  o.source = {1, kNoField, 0};
  o.kinds = {S, N, S};
  EXPECT_EQ(json_of("a,b\nc,d", o), R"([["b",null,"a"],["d",null,"c"]])");
}

TEST(CheckedRows, ExtraFieldsAreIgnoredUnchecked) {
  RowsJsonOptions o;
  o.expected_fields = 3;
  o.source = {0};
  // The left-out fields are neither written nor checked (here: invalid UTF-8, not a number).
  EXPECT_EQ(json_of("a,\xFF,x\nb,2,3\n", o), R"([["a"],["b"]])");
  // Their CSV still must be well formed, and their count right.
  EXPECT_EQ(error_of("a,b\"c,x\n", o).message, "bare quote in unquoted field");
  EXPECT_EQ(error_of("a,b\n", o).message, "ragged row: expected 3 fields, found 2");
}

TEST(CheckedRows, KindsFollowTheOutputColumns) {
  RowsJsonOptions o;
  o.expected_fields = 2;
  o.source = {1, 0};
  o.kinds = {N, S};
  EXPECT_EQ(json_of("x,5\ny,-2.5\n", o), R"([[5,"x"],[-2.5,"y"]])");
  const Error e = error_of("x,5\ny,z\n", o);
  EXPECT_EQ(e.code, ErrorCode::kBadNumber);
  EXPECT_EQ(e.message, "column 1 (field 2) is numeric but holds \"z\"");
  EXPECT_EQ(e.row, 2);
  EXPECT_EQ(e.byte_offset, 6);
}

TEST(CheckedRows, RefusesASourceFieldTheRecordsLack) {
  RowsJsonOptions o;
  o.expected_fields = 2;
  o.source = {0, 2};
  EXPECT_EQ(error_of("a,b\n", o).code, ErrorCode::kBadArgument);
  o.expected_fields = 0;  // the first record decides
  const Error e = error_of("a,b\n", o);
  EXPECT_EQ(e.code, ErrorCode::kBadArgument);
  EXPECT_EQ(e.message, "column 2 takes field 3, but records have 2 fields");
  EXPECT_EQ(json_of("a,b,c\n", o), R"([["a","c"]])");
}

// --- null rules ------------------------------------------------------------------------------

TEST(CheckedRows, NullMarkersInEveryKind) {
  RowsJsonOptions o = with_kinds({S, N, D});
  o.nulls.markers = {"NA", "\\N"};
  EXPECT_EQ(json_of("NA,NA,NA\n\\N,\\N,\\N\n\"NA\",\"NA\",\"NA\"\n", o),
            "[[null,null,null],[null,null,null],[null,null,null]]");
  // Exact and case-sensitive: anything else is a value of its kind.
  EXPECT_EQ(json_of("na,1,2024-01-31\nNAN,,\n", o), R"([["na",1,"2024-01-31"],["NAN",null,null]])");
  EXPECT_EQ(error_of("x,NAN,\n", o).code, ErrorCode::kBadNumber);
}

TEST(CheckedRows, EmptyTextIsNullOnlyUnderEmptyAsNull) {
  RowsJsonOptions o = with_kinds({S, N, D});
  o.nulls.markers = {"-"};
  EXPECT_EQ(json_of(",,\n\"\",\"\",\"\"\n", o), R"([["",null,null],["",null,null]])");
  o.nulls.empty_as_null = true;
  EXPECT_EQ(json_of(",,\n\"\",\"\",\"\"\n- ,-,-\n", o),
            R"([[null,null,null],[null,null,null],["- ",null,null]])");
}

// --- number rules ----------------------------------------------------------------------------

TEST(CheckedRows, DecimalComma) {
  RowsJsonOptions o = with_kinds({N, N});
  o.dialect.delimiter = ';';
  o.numbers.decimal_comma = true;
  EXPECT_EQ(json_of("3,14;-0,5\n2;\"1e3\"\n", o), "[[3.14,-0.5],[2,1e3]]");
  for (const char* bad : {"3.14", "3,1,4", ",5", "5,", "1,5e3,2"}) {
    const Error e = error_of(std::string(bad) + ";1\n", o);
    EXPECT_EQ(e.code, ErrorCode::kBadNumber) << bad;
    EXPECT_EQ(e.message, std::string("column 1 is numeric but holds \"") + bad + "\"") << bad;
  }
  // With '.' as the thousands separator.
  o.numbers.thousands_separator = '.';
  EXPECT_EQ(json_of("1.234,5;-12.345.678\n", o), "[[1234.5,-12345678]]");
  EXPECT_EQ(error_of("1.23,5;1\n", o).code, ErrorCode::kBadNumber);
}

TEST(CheckedRows, ThousandsSeparator) {
  RowsJsonOptions o = with_kinds({N});
  o.numbers.thousands_separator = ',';
  EXPECT_EQ(json_of("\"1,234,567.5\"\n\"-1,234\"\n1234\n999\n\"0.5\"\n", o),
            "[[1234567.5],[-1234],[1234],[999],[0.5]]");
  for (const char* bad : {"1,23", "12,3456", ",123", "1,,234", "1,234,", "1234,567", "1.5,0",
                          "1,234.5,6", "1e3,000", "0,123", "-,123", "1,2345"}) {
    EXPECT_EQ(error_of(std::string("\"") + bad + "\"\n", o).code, ErrorCode::kBadNumber) << bad;
  }
  o.numbers.thousands_separator = ' ';
  EXPECT_EQ(json_of("1 234 567\n", o), "[[1234567]]");
  o.numbers.thousands_separator = '\'';
  EXPECT_EQ(json_of("1'234.25\n", o), "[[1234.25]]");
}

TEST(CheckedRows, RefusesAmbiguousNumberRules) {
  RowsJsonOptions o = with_kinds({N});
  for (const NumberRules rules :
       {NumberRules{false, '.'}, NumberRules{true, ','}, NumberRules{false, '5'},
        NumberRules{false, 'e'}, NumberRules{false, '-'}}) {
    o.numbers = rules;
    const Error e = error_of("1\n", o);
    EXPECT_EQ(e.code, ErrorCode::kBadArgument) << rules.thousands_separator;
  }
}

// --- numbers beyond double's range -----------------------------------------------------------

TEST(CheckedRows, NumbersOutOfRangeFailOnEveryPath) {
  for (const Path path : {Path::kDispatched, Path::kChecked}) {
    const RowsJsonOptions o = with_kinds({S, N});
    for (const char* bad : {"1e999", "-2e-400", "\"1E+400\""}) {
      const Error e = error_of(std::string("a,1\nb,") + bad + "\n", o, {}, path);
      EXPECT_EQ(e.code, ErrorCode::kBadNumber) << bad;
      EXPECT_NE(e.message.find("beyond the range of a double"), std::string::npos) << e.message;
      EXPECT_EQ(e.row, 2);
      EXPECT_EQ(e.byte_offset, 6);
    }
    EXPECT_EQ(json_of("a,1e308\nb,1e-310\n", o, path), "[[\"a\",1e308],[\"b\",1e-310]]");
  }
}

// --- dates -----------------------------------------------------------------------------------

TEST(CheckedRows, DatesMatchTheirColumnsFormat) {
  RowsJsonOptions o = with_kinds({D, D});
  o.dates.push_back(*DateFormat::compile("%d/%m/%Y"));  // column 2: no entry, ISO 8601
  EXPECT_EQ(json_of("31/12/2024,2024-12-31\n\"29/02/2024\",2024-12-31T23:59:59Z\n,\n", o),
            R"([["31/12/2024","2024-12-31"],["29/02/2024","2024-12-31T23:59:59Z"],[null,null]])");
  const Error e = error_of("31/12/2024,x\n29/02/2023,2024-01-01\n", o, {5, 100});
  EXPECT_EQ(e.code, ErrorCode::kBadDate);
  EXPECT_EQ(e.message, "column 2 holds \"x\", not an ISO 8601 date");
  EXPECT_EQ(e.row, 5);
  EXPECT_EQ(e.byte_offset, 111);
  const Error f = error_of("29/02/2023,2024-01-01\n", o);
  EXPECT_EQ(f.message, "column 1 holds \"29/02/2023\", not a date in the format \"%d/%m/%Y\"");
  EXPECT_EQ(error_of("2024-12-31,2024-12-31\n", o).code, ErrorCode::kBadDate);
}

// --- value limit -----------------------------------------------------------------------------

TEST(CheckedRows, ValuesOverTheLimitFailOnEveryPath) {
  for (const Path path : {Path::kDispatched, Path::kChecked}) {
    RowsJsonOptions o;
    o.max_value_bytes = 5;
    EXPECT_EQ(json_of("abcde,\"a\"\"cd\"\n", o, path), R"([["abcde","a\"cd"]])");
    const Error e = error_of("x,y\nabcde,\"abc\"\"de\"\n", o, {}, path);
    EXPECT_EQ(e.code, ErrorCode::kTooLarge);
    EXPECT_EQ(e.message, "column 2 holds a value of 6 bytes, more than the limit of 5");
    EXPECT_EQ(e.row, 2);
    EXPECT_EQ(e.byte_offset, 10);
    // The limit counts the UTF-8 the JSON carries: Latin-1 "\xE9" is two bytes.
    o.encoding = InputEncoding::kLatin1;
    EXPECT_EQ(json_of("\xE9\xE9x\n", o, path), "[[\"\xC3\xA9\xC3\xA9x\"]]");
    EXPECT_EQ(error_of("\xE9\xE9\xE9\n", o, {}, path).message,
              "column 1 holds a value of 6 bytes, more than the limit of 5");
  }
}

TEST(CheckedRows, TheFastPathLeavesLongRecordsToTheGeneralPath) {
  // Long runs of plain records go through the fast path; a value over the limit among them is
  // still found, at its row and byte.
  std::string csv;
  for (int i = 0; i < 200; ++i) csv += "plain value " + std::to_string(i) + ",second\n";
  const std::size_t at = csv.size();
  csv += "x," + std::string(40, 'y') + "\n";
  for (int i = 0; i < 200; ++i) csv += "plain value,second\n";
  RowsJsonOptions o;
  o.max_value_bytes = 39;
  const Error e = error_of(csv, o);
  EXPECT_EQ(e.code, ErrorCode::kTooLarge);
  EXPECT_EQ(e.row, 201);
  EXPECT_EQ(e.byte_offset, static_cast<std::int64_t>(at + 2));
  o.max_value_bytes = 40;
  std::string out;
  EXPECT_TRUE(dispatched(csv, o, out).has_value());
}

// --- keep_going ------------------------------------------------------------------------------

struct Kept {
  std::string json;
  RowsJsonStats stats;
};

Kept keep_going(std::string_view csv, RowsJsonOptions o, InputPosition start = {}) {
  o.keep_going = true;
  Kept k;
  auto r = dispatched(csv, o, k.json, start);
  EXPECT_TRUE(r.has_value()) << r.error().describe();
  if (r) k.stats = *r;
  return k;
}

void expect_reject(const RowReject& r, std::int64_t row, std::int64_t byte,
                   const std::string& record, std::size_t field, const std::string& value,
                   RejectReason reason, const std::string& message) {
  EXPECT_EQ(r.row, row);
  EXPECT_EQ(r.byte_offset, byte);
  EXPECT_EQ(r.record, record);
  EXPECT_EQ(r.field, field);
  EXPECT_EQ(r.value, value);
  EXPECT_EQ(r.reason, reason) << reject_reason_name(r.reason);
  EXPECT_EQ(r.message, message);
}

TEST(KeepGoing, RaggedRow) {
  const Kept k = keep_going("a,b\nc\nd,e,f\ng,h\n", {}, {10, 1000});
  EXPECT_EQ(k.json, R"([["a","b"],["g","h"]])");
  EXPECT_EQ(k.stats.rows, 2u);
  EXPECT_EQ(k.stats.physical_rows, 4u);
  ASSERT_EQ(k.stats.rejects.size(), 2u);
  expect_reject(k.stats.rejects[0], 11, 1004, "c\n", 0, "", RejectReason::kRaggedRow,
                "ragged row: expected 2 fields, found 1");
  expect_reject(k.stats.rejects[1], 12, 1006, "d,e,f\n", 0, "", RejectReason::kRaggedRow,
                "ragged row: expected 2 fields, found 3");
}

TEST(KeepGoing, BareQuoteEndsTheRecordAtTheNextLineEndRaw) {
  // The quote after "d" is bare; the record ends at the next LF even though a quoted field
  // seems to open before it; then `z"` is a record of its own, bare too.
  const Kept k = keep_going("a,b\nc,d\"x,\"y\nz\"\r\ne,f\n", {});
  EXPECT_EQ(k.json, R"([["a","b"],["e","f"]])");
  EXPECT_EQ(k.stats.physical_rows, 4u);
  ASSERT_EQ(k.stats.rejects.size(), 2u);
  expect_reject(k.stats.rejects[0], 2, 4, "c,d\"x,\"y\n", 2, "d\"", RejectReason::kBareQuote,
                "bare quote in unquoted field");
  expect_reject(k.stats.rejects[1], 3, 13, "z\"\r\n", 1, "z\"", RejectReason::kBareQuote,
                "bare quote in unquoted field");
}

TEST(KeepGoing, AfterQuote) {
  // A bare CR ends the record too.
  const Kept k = keep_going("a,b\r\"c\"x,d\re,f", {});
  EXPECT_EQ(k.json, R"([["a","b"],["e","f"]])");
  ASSERT_EQ(k.stats.rejects.size(), 1u);
  expect_reject(k.stats.rejects[0], 2, 4, "\"c\"x,d\r", 1, "\"c\"x", RejectReason::kAfterQuote,
                "unexpected character after closing quote");
  EXPECT_EQ(k.stats.physical_rows, 3u);
}

TEST(KeepGoing, UnterminatedQuoteTakesTheRestOfTheInput) {
  const Kept k = keep_going("a,b\nc,\"d\ne,f\n", {});
  EXPECT_EQ(k.json, R"([["a","b"]])");
  EXPECT_EQ(k.stats.rows, 1u);
  EXPECT_EQ(k.stats.physical_rows, 2u);
  ASSERT_EQ(k.stats.rejects.size(), 1u);
  expect_reject(k.stats.rejects[0], 2, 4, "c,\"d\ne,f\n", 2, "\"d\ne,f\n",
                RejectReason::kUnterminatedQuote, "unterminated quoted field");
}

TEST(KeepGoing, InvalidUtf8) {
  const Kept k = keep_going("a,b\nc,x\xFFy\ne,f", {});
  EXPECT_EQ(k.json, R"([["a","b"],["e","f"]])");
  ASSERT_EQ(k.stats.rejects.size(), 1u);
  expect_reject(k.stats.rejects[0], 2, 4, "c,x\xFFy\n", 2, "x\xEF\xBF\xBDy",
                RejectReason::kInvalidUtf8,
                "invalid UTF-8: not a UTF-8 file? try --encoding cp1252 (most Windows exports) "
                "or --encoding latin1");
}

TEST(KeepGoing, NotANumberAndOutOfRange) {
  const Kept k = keep_going("a,1\nb,x\nc,1e999\nd,2\n", with_kinds({S, N}));
  EXPECT_EQ(k.json, R"([["a",1],["d",2]])");
  ASSERT_EQ(k.stats.rejects.size(), 2u);
  expect_reject(k.stats.rejects[0], 2, 4, "b,x\n", 2, "x", RejectReason::kNotANumber,
                "column 2 is numeric but holds \"x\"");
  expect_reject(k.stats.rejects[1], 3, 8, "c,1e999\n", 2, "1e999", RejectReason::kNumberOutOfRange,
                "column 2 is numeric but holds \"1e999\", beyond the range of a double");
}

TEST(KeepGoing, BadDateAndValueTooLong) {
  RowsJsonOptions o = with_kinds({D, S});
  o.max_value_bytes = 10;
  const Kept k =
      keep_going("2024-01-31,abcd\n2024-02-30,a\n2024-03-01,\"abcdefghijk\"\n2024-03-02,\n", o);
  EXPECT_EQ(k.json, R"([["2024-01-31","abcd"],["2024-03-02",""]])");
  ASSERT_EQ(k.stats.rejects.size(), 2u);
  expect_reject(k.stats.rejects[0], 2, 16, "2024-02-30,a\n", 1, "2024-02-30",
                RejectReason::kBadDate, "column 1 holds \"2024-02-30\", not an ISO 8601 date");
  expect_reject(k.stats.rejects[1], 3, 29, "2024-03-01,\"abcdefghijk\"\n", 2, "abcdefghijk",
                RejectReason::kValueTooLong,
                "column 2 holds a value of 11 bytes, more than the limit of 10");
}

TEST(KeepGoing, ValueIsCutToValidUtf8) {
  const std::string big = std::string(199, 'x') + "\xC3\xA9" + std::string(50, 'y');
  const Kept k = keep_going("a\n\"" + big + "\xFF\",b\n", {});
  ASSERT_EQ(k.stats.rejects.size(), 1u);
  EXPECT_EQ(k.stats.rejects[0].reason, RejectReason::kInvalidUtf8);
  EXPECT_EQ(k.stats.rejects[0].value, std::string(199, 'x'));  // the é would pass 200 bytes
  RowsJsonOptions latin1;
  latin1.encoding = InputEncoding::kLatin1;
  latin1.kinds = {N};
  const Kept l = keep_going("1\n\xE9\n", latin1);
  ASSERT_EQ(l.stats.rejects.size(), 1u);
  EXPECT_EQ(l.stats.rejects[0].value, "\xC3\xA9");
  EXPECT_EQ(l.stats.rejects[0].message, "column 1 is numeric but holds \"\xC3\xA9\"");
}

TEST(KeepGoing, RejectsInTheMiddleAndAtTheEnd) {
  for (const char* term : {"\n", "\r\n", "\r"}) {
    for (const bool final_term : {true, false}) {
      const std::string t = term;
      const std::string csv =
          "a,b" + t + "bad" + t + t + "c,d" + t + "bad2,x,y" + (final_term ? t : "");
      const Kept k = keep_going(csv, {});
      EXPECT_EQ(k.json, R"([["a","b"],["c","d"]])") << t.size() << final_term;
      EXPECT_EQ(k.stats.rows, 2u);
      EXPECT_EQ(k.stats.physical_rows, 5u);  // the blank line counts
      ASSERT_EQ(k.stats.rejects.size(), 2u);
      EXPECT_EQ(k.stats.rejects[0].record, "bad" + t);
      EXPECT_EQ(k.stats.rejects[0].row, 2);
      EXPECT_EQ(k.stats.rejects[0].byte_offset, static_cast<std::int64_t>(3 + t.size()));
      EXPECT_EQ(k.stats.rejects[1].record, "bad2,x,y" + (final_term ? t : ""));
      EXPECT_EQ(k.stats.rejects[1].row, 5);
      EXPECT_EQ(csv.substr(static_cast<std::size_t>(k.stats.rejects[1].byte_offset)),
                k.stats.rejects[1].record);
    }
  }
  // Every record rejected: an empty array.
  EXPECT_EQ(keep_going("a\"\nb\"\n", {}).json, "[]");
}

TEST(KeepGoing, AfterTheFastPathFails) {
  // Long runs of plain records (the fast path's), with bad records among them.
  std::string csv, clean;
  for (int i = 0; i < 300; ++i) {
    const std::string rec = "value " + std::to_string(i) + ",plain text,more text\n";
    csv += rec;
    clean += rec;
    if (i % 97 == 50) csv += "short\n";
    if (i % 113 == 60) csv += "x,\"unterminated\" quote,y\n";
  }
  const Kept k = keep_going(csv, {});
  EXPECT_EQ(k.json, json_of(clean, {}));
  EXPECT_EQ(k.stats.rows, 300u);
  EXPECT_EQ(k.stats.rejects.size(), 6u);
  for (const RowReject& r : k.stats.rejects) {
    EXPECT_EQ(csv.substr(static_cast<std::size_t>(r.byte_offset), r.record.size()), r.record);
  }
  // Without keep_going, the same input fails at the first bad record.
  EXPECT_EQ(error_of(csv, {}).row, k.stats.rejects[0].row);
}

TEST(KeepGoing, EveryReasonHasAName) {
  const std::vector<std::string> names = {"ragged_row",          "bare_quote",   "after_quote",
                                          "unterminated_quote",  "invalid_utf8", "not_a_number",
                                          "number_out_of_range", "bad_date",     "value_too_long",
                                          "refused_by_server"};
  ASSERT_EQ(names.size(), static_cast<std::size_t>(kRejectReasonCount));
  for (int i = 0; i < kRejectReasonCount; ++i) {
    EXPECT_EQ(reject_reason_name(static_cast<RejectReason>(i)), names[static_cast<std::size_t>(i)]);
  }
}

// Removing the rejected records' bytes from the input leaves an input that transcodes, without
// keep_going, to the JSON keep_going wrote.
TEST(KeepGoing, RandomInputsMinusTheirRejectsTranscodeToTheSameJson) {
  std::mt19937 rng(1616);
  std::size_t rejects = 0;
  for (int iter = 0; iter < 600; ++iter) {
    testing::GenOptions g;
    g.records = 1 + rng() % 30;
    g.fields = 1 + rng() % 4;
    g.ragged = iter % 3 == 0;
    std::string csv = testing::random_csv(rng, g);
    for (int n = static_cast<int>(rng() % 4); n > 0 && !csv.empty(); --n) {
      std::size_t at = rng() % csv.size();
      while (at > 0 && (static_cast<unsigned char>(csv[at]) & 0xC0) == 0x80) --at;
      csv.insert(at, 1, rng() % 3 == 0 ? '\xFF' : '"');
    }
    RowsJsonOptions o;
    o.expected_fields = g.fields;
    if (iter % 4 == 1) o.kinds = {N};
    if (iter % 4 == 2) o.nulls.markers = {"a"};
    const Kept k = keep_going(csv, o, {3, 50});
    std::string rest;
    std::size_t from = 0;
    for (const RowReject& r : k.stats.rejects) {
      const auto at = static_cast<std::size_t>(r.byte_offset - 50);
      ASSERT_GE(at, from);
      ASSERT_EQ(csv.substr(at, r.record.size()), r.record) << iter;
      rest += csv.substr(from, at - from);
      from = at + r.record.size();
    }
    rest += csv.substr(from);
    rejects += k.stats.rejects.size();
    std::string out;
    o.keep_going = false;
    auto again = dispatched(rest, o, out);
    ASSERT_TRUE(again.has_value()) << iter << ": " << again.error().describe();
    EXPECT_EQ(out, k.json) << iter;
    EXPECT_EQ(again->rows, k.stats.rows) << iter;
  }
  EXPECT_GT(rejects, 300u);
}

// --- the checked path against the fast and general paths -------------------------------------

// Random records: numbers in number columns, random text elsewhere; now and then a field more
// or fewer, a bad number (not one, or out of range), and, when `corrupt`, a stray quote, an
// invalid byte or a run of plain text somewhere.
std::string random_records(std::mt19937& rng, const std::vector<ValueKind>& kinds,
                           std::size_t fields, char delim, bool corrupt) {
  static const char* const kNumbers[] = {"0", "-1", "12.5", "1e5", "-0.25e-3", "", "7", "1e308"};
  static const char* const kBadNumbers[] = {"x", "01", "1e999", "-2e-400", "1 2", "+1"};
  static const char* const kTerms[] = {"\n", "\r\n", "\r"};
  testing::GenOptions g;
  g.delimiter = delim;
  std::string csv;
  for (std::size_t r = 0, n = 1 + rng() % 30; r < n; ++r) {
    if (rng() % 10 == 0) csv += kTerms[rng() % 3];
    std::size_t nf = fields;
    if (rng() % 100 == 0) nf = rng() % 2 == 0 ? nf + 1 : std::max<std::size_t>(1, nf - 1);
    for (std::size_t f = 0; f < nf; ++f) {
      if (f != 0) csv += delim;
      std::string v;
      if (f < kinds.size() && kinds[f] == N) {
        const unsigned pick = rng() % 200;
        v = pick == 0   ? testing::random_value(rng, g)
            : pick == 1 ? kBadNumbers[rng() % std::size(kBadNumbers)]
                        : kNumbers[rng() % std::size(kNumbers)];
      } else {
        v = testing::random_value(rng, g);
      }
      if (nf == 1 && v.empty()) v.push_back('y');
      testing::append_field(csv, v, rng, delim);
    }
    if (r + 1 < n || rng() % 2 == 0) csv += kTerms[rng() % 3];
  }
  for (int k = corrupt ? 1 + static_cast<int>(rng() % 2) : 0; k > 0 && !csv.empty(); --k) {
    std::size_t at = rng() % csv.size();
    switch (rng() % 4) {
      case 0:
        csv.insert(at, 1, '"');
        break;
      case 1:
        csv.insert(at, rng() % 2 == 0 ? "\xFF" : "\xE2\x82");
        break;
      case 2:
        csv.insert(at, "\xC3\xA9");  // valid, unless it lands inside another sequence
        break;
      default:
        while (at > 0 && (static_cast<unsigned char>(csv[at]) & 0xC0) == 0x80) --at;
        csv.insert(at, std::string(rng() % 100, 'p'));
    }
  }
  return csv;
}

TEST(CheckedRows, SameJsonAndErrorsAsTheFastAndGeneralPaths) {
  std::mt19937 rng(2016);
  const KernelSet& chosen = active_kernels();
  int succeeded = 0, failed = 0;
  for (int iter = 0; iter < 8000; ++iter) {
    // Half the time the general path alone (the portable set has no fast path).
    ASSERT_TRUE(use_kernel_set(iter % 2 == 0 ? kernel_set(KernelSetId::kPortable) : chosen));
    RowsJsonOptions o;
    o.dialect.delimiter = iter % 7 == 0 ? ';' : iter % 11 == 0 ? '\t' : ',';
    if (iter % 5 == 0) o.encoding = InputEncoding::kLatin1;
    if (iter % 3 == 0) o.utf8 = Utf8Policy::kReplace;
    const std::size_t fields = 1 + rng() % 6;
    if (iter % 3 != 2) {
      for (std::size_t f = 0, n = rng() % (fields + 1); f < n; ++f) {
        o.kinds.push_back(rng() % 2 == 0 ? N : S);
      }
    }
    if (iter % 4 == 0) o.expected_fields = fields;
    if (iter % 6 == 0) o.max_value_bytes = 4 + rng() % 30;
    if (iter % 10 == 0) {  // the identity mapping, written out
      o.expected_fields = fields;
      for (std::uint32_t f = 0; f < fields; ++f) o.source.push_back(f);
    }
    ASSERT_FALSE(detail::needs_checked_rows(o));
    const std::string csv = random_records(rng, o.kinds, fields, o.dialect.delimiter, iter % 8 < 3);
    const InputPosition start{1 + static_cast<std::int64_t>(rng() % 9),
                              static_cast<std::int64_t>(rng() % 5000)};
    std::string want(rng() % 20, 'o');  // write_rows_json writes from out[0] whatever out holds
    std::string got = want;
    std::size_t want_length = 0, got_length = 0;
    const auto a = write_rows_json(csv, o, start, want, want_length);
    const auto b = detail::write_checked_rows(csv, o, start, got, 0, got_length);
    ASSERT_EQ(a.has_value(), b.has_value())
        << iter << " " << ::testing::PrintToString(csv) << ": " << (a ? "ok" : a.error().describe())
        << " / " << (b ? "ok" : b.error().describe());
    if (a) {
      ++succeeded;
      EXPECT_EQ(got.substr(0, got_length), want.substr(0, want_length)) << iter;
      EXPECT_EQ(b->rows, a->rows) << iter;
      EXPECT_EQ(b->physical_rows, a->physical_rows) << iter;
      EXPECT_EQ(b->fields_per_row, a->fields_per_row) << iter;
    } else {
      ++failed;
      EXPECT_EQ(b.error().code, a.error().code) << iter << " " << ::testing::PrintToString(csv);
      EXPECT_EQ(b.error().message, a.error().message)
          << iter << " " << ::testing::PrintToString(csv);
      EXPECT_EQ(b.error().row, a.error().row) << iter << " " << ::testing::PrintToString(csv);
      EXPECT_EQ(b.error().byte_offset, a.error().byte_offset)
          << iter << " " << ::testing::PrintToString(csv);
    }
  }
  ASSERT_TRUE(use_kernel_set(chosen));
  EXPECT_GT(succeeded, 2000);
  EXPECT_GT(failed, 2000);
}

}  // namespace
}  // namespace dsfill::codec
