#include "codec/delimiter_sniff.h"

#include "codec/csv_records.h"

namespace dsfill::codec {

char sniff_delimiter(std::string_view head, char quote, bool whole) {
  if (!whole) {
    // A record cut at the end of the head would count too few fields.
    const std::size_t last = head.find_last_of("\r\n");
    head = last == std::string_view::npos ? std::string_view() : head.substr(0, last + 1);
  }
  char best = kDelimiterCandidates[0];
  std::size_t best_fields = 1;
  for (const char delimiter : kDelimiterCandidates) {
    if (delimiter == quote) continue;
    auto records = parse_csv(head, CsvDialect{delimiter, quote}, kSniffRecords);
    if (!records || records->empty()) continue;
    const std::size_t fields = records->front().size();
    bool consistent = true;
    for (const Record& r : *records) consistent = consistent && r.size() == fields;
    if (consistent && fields > best_fields) {
      best = delimiter;
      best_fields = fields;
    }
  }
  return best;
}

}  // namespace dsfill::codec
