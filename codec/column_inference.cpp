#include "codec/column_inference.h"

#include <array>
#include <cctype>

#include "codec/column_names.h"
#include "codec/date_format.h"
#include "codec/json_text.h"
#include "codec/number_text.h"

namespace dsfill::codec {

namespace {

// Tried in order; the first that matches every value wins. Day-first and month-first variants
// sit side by side so that ambiguity can be told apart from a match.
constexpr std::array<const char*, 22> kDateCandidates = {
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y",
    "%Y%m%d",
    "",  // any mix of ISO 8601 / RFC 3339 dates and date-times, fractions and zones
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%dT%H:%M",
};

bool has_leading_zero(std::string_view v) {
  if (!v.empty() && v[0] == '-') v.remove_prefix(1);
  return v.size() >= 2 && v[0] == '0' && v[1] != '.' && v[1] != 'e' && v[1] != 'E';
}

bool is_integer(std::string_view v) {
  if (!v.empty() && v[0] == '-') v.remove_prefix(1);
  if (v.empty()) return false;
  for (char c : v) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool named_like_identifier(std::string_view name) {
  const std::string l = lower(name);
  if (l == "id" || l == "code" || l == "no" || l == "number" || l == "zip" || l == "phone") {
    return true;
  }
  for (std::string_view suffix : {"_id", "-id", " id", "_code", " code", "_no", " no", "_number"}) {
    if (ends_with(l, suffix)) return true;
  }
  // camelCase suffixes: CustomerID, customerId, StockCode, InvoiceNo.
  for (std::string_view suffix : {"ID", "Id", "Code", "No", "Number"}) {
    if (name.size() > suffix.size() && ends_with(name, suffix) &&
        std::islower(static_cast<unsigned char>(name[name.size() - suffix.size() - 1]))) {
      return true;
    }
  }
  return false;
}

bool is_day_first(std::string_view f) { return f.rfind("%d/%m", 0) == 0; }
bool is_month_first(std::string_view f) { return f.rfind("%m/%d", 0) == 0; }

bool is_null_marker(std::string_view value, const NullRules& nulls) {
  for (const std::string& m : nulls.markers) {
    if (value == m) return true;
  }
  return false;
}

ColumnSpec infer_one(const std::string& name, const std::vector<Record>& sample, std::size_t col,
                     const NullRules& nulls, const NumberRules& numbers,
                     std::vector<std::string>& notes) {
  ColumnSpec spec{name, column_alias(name), "dimension", "text", ""};
  std::vector<std::string_view> values;
  for (const Record& r : sample) {
    if (col < r.size() && !r[col].empty() && !is_null_marker(r[col], nulls)) {
      values.push_back(r[col]);
    }
  }
  if (values.empty()) {
    notes.push_back(name + ": no non-empty value in the sample; text");
    return spec;
  }

  bool numeric = true, integers = true, leading_zero = false;
  std::string text;  // the value as the load writes a number (separators dropped)
  for (std::string_view v : values) {
    text.resize(v.size());
    const std::size_t n = write_number_text(v, numbers, text.data());
    const std::string_view t = n == kMisplacedSeparator ? v : std::string_view(text.data(), n);
    if (n == kMisplacedSeparator || !is_json_number(t)) numeric = false;
    if (!is_integer(t)) integers = false;
    if (has_leading_zero(t)) leading_zero = true;
  }
  if (numeric || (integers && leading_zero)) {
    if (leading_zero) {
      notes.push_back(name + ": numbers with leading zeros; kept as text");
      return spec;
    }
    if (integers && named_like_identifier(name)) {
      notes.push_back(name + ": integer identifiers; kept as text");
      return spec;
    }
    spec.type = "measure";
    spec.subtype = "numeric";
    return spec;
  }

  std::vector<const char*> matching;
  for (const char* candidate : kDateCandidates) {
    auto format = DateFormat::compile(candidate);
    if (!format) continue;
    bool all = true;
    for (std::string_view v : values) {
      if (!format->matches(v)) {
        all = false;
        break;
      }
    }
    if (all) matching.push_back(candidate);
  }
  for (const char* f : matching) {
    const bool day_first = is_day_first(f), month_first = is_month_first(f);
    if (day_first || month_first) {
      // Ambiguous when the mirrored format matches every value too.
      bool mirrored = false;
      for (const char* g : matching) {
        if (g != f && std::string_view(f).substr(5) == std::string_view(g).substr(5) &&
            (day_first ? is_month_first(g) : is_day_first(g))) {
          mirrored = true;
        }
      }
      if (mirrored) {
        notes.push_back(name +
                        ": dates could be day-first or month-first (no day above 12 in "
                        "the sample); kept as text, give a --columns spec to decide");
        return spec;
      }
    }
    spec.subtype = "date";
    spec.format = f;
    return spec;
  }
  return spec;
}

}  // namespace

InferredColumns infer_columns(const std::vector<std::string>& header,
                              const std::vector<Record>& sample, const NullRules& nulls,
                              const NumberRules& numbers) {
  InferredColumns result;
  result.sampled_rows = sample.size();
  for (std::size_t i = 0; i < header.size(); ++i) {
    result.columns.push_back(infer_one(header[i], sample, i, nulls, numbers, result.notes));
  }
  return result;
}

}  // namespace dsfill::codec
