#include "codec/csv_records.h"

#include "codec/csv_grammar.h"

namespace dsfill::codec {

Result<std::vector<Record>> parse_csv(std::string_view input, const CsvDialect& dialect,
                                      std::size_t max_records) {
  std::vector<Record> records;
  const CsvGrammar grammar(dialect);
  const char* const begin = input.data();
  const char* const end = begin + input.size();
  const char* p = begin + utf8_bom_length(input);
  const auto offset_of = [&](const char* at) { return static_cast<std::int64_t>(at - begin); };
  std::int64_t row = 1;
  std::string scratch;                     // a field with doubled quotes
  CsvState line = CsvState::kRecordStart;  // the state between records, before p
  while (p < end && records.size() < max_records) {
    const CsvState s = grammar.next(line, *p);
    if (s == CsvState::kBlankLf || s == CsvState::kBlankCr || s == CsvState::kCrLf) {
      if (s != CsvState::kCrLf) ++row;
      line = s;
      ++p;
      continue;
    }
    Record& record = records.emplace_back();
    for (;;) {
      const CsvField f = read_field(grammar, p, end, scratch);
      if (f.end == CsvFieldEnd::kBareQuote || f.end == CsvFieldEnd::kAfterQuote ||
          f.end == CsvFieldEnd::kUnterminated) {
        return csv_field_error(f.end, row, offset_of(f.at));
      }
      record.emplace_back(f.value);
      if (f.end == CsvFieldEnd::kDelimiter) {
        p = f.at + 1;
        continue;
      }
      ++row;
      if (f.end == CsvFieldEnd::kInputEnd) {
        p = end;
      } else {
        line = grammar.next(CsvState::kDelimiter, *f.at);  // kRecordEndLf or kRecordEndCr
        p = f.at + 1;
      }
      break;
    }
  }
  return records;
}

}  // namespace dsfill::codec
