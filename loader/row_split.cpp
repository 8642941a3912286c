#include "loader/row_split.h"

#include <charconv>

#include "codec/row_boundary.h"

namespace dsfill::loader {

namespace {

// Returns the offset (from `part.begin`) just past the first `n` records of the part, and how
// many physical rows they span.
codec::RecordCut first_records(std::string_view records, const BatchPart& part, std::size_t n,
                               const codec::CsvDialect& dialect) {
  const std::string_view bytes = records.substr(part.begin, part.end - part.begin);
  return codec::find_record_cut(bytes, n, true, dialect);
}

}  // namespace

std::optional<std::size_t> named_row(std::string_view message) {
  const std::size_t at = message.find("rows[");
  if (at == std::string_view::npos) return std::nullopt;
  const char* first = message.data() + at + 5;
  const char* last = message.data() + message.size();
  std::size_t row = 0;
  const auto [p, ec] = std::from_chars(first, last, row);
  if (ec != std::errc() || p == last || *p != ']') return std::nullopt;
  return row;
}

std::vector<BatchPart> split_refused(std::string_view records, const BatchPart& part,
                                     std::optional<std::size_t> named,
                                     const codec::CsvDialect& dialect) {
  const std::size_t size = part.end - part.begin;
  const codec::RecordCut one = first_records(records, part, 1, dialect);
  if (one.end == 0 || one.end >= size) return {};  // one record: the refused one
  // Cut points (offsets from part.begin) strictly inside the part, with their rows.
  std::vector<codec::RecordCut> cuts;
  if (named) {
    const codec::RecordCut before = first_records(records, part, *named, dialect);
    const codec::RecordCut through = first_records(records, part, *named + 1, dialect);
    if (*named > 0 && before.end > 0 && before.end < size) cuts.push_back(before);
    if (through.end > before.end && through.end < size) cuts.push_back(through);
  }
  if (cuts.empty()) {
    // Bisection: count the part's records, then cut after half of them.
    const codec::RecordCut all = first_records(records, part, SIZE_MAX, dialect);
    const codec::RecordCut half = first_records(records, part, (all.records + 1) / 2, dialect);
    cuts.push_back(half.end > 0 && half.end < size ? half : one);
  }
  std::vector<BatchPart> parts;
  std::size_t from = 0;
  std::int64_t row = part.first_row;
  for (const codec::RecordCut& cut : cuts) {
    parts.push_back({part.begin + from, part.begin + cut.end, row});
    row = part.first_row + static_cast<std::int64_t>(cut.records);
    from = cut.end;
  }
  parts.push_back({part.begin + from, part.end, row});
  return parts;
}

}  // namespace dsfill::loader
