#include "loader/column_match.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace dsfill::loader {

namespace {

std::string normalized(std::string_view name) {
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Error header_error(std::string message, const std::vector<std::string>& header,
                   const codec::Columns& columns) {
  std::vector<std::string> spec;
  spec.reserve(columns.size());
  for (const auto& c : columns) spec.push_back(c.name);
  return make_error(ErrorCode::kBadArgument,
                    message + ". header: " + listed_names(header) + "; spec: " + listed_names(spec),
                    1);
}

}  // namespace

std::string listed_names(const std::vector<std::string>& names) {
  std::string out;
  constexpr std::size_t kMax = 30;  // a 2,000-column header would drown the message
  for (std::size_t i = 0; i < names.size() && i < kMax; ++i) {
    out += (i == 0 ? "" : ",") + names[i];
  }
  if (names.size() > kMax) out += ",... (" + std::to_string(names.size()) + " in all)";
  return out;
}

Result<std::vector<std::uint32_t>> match_columns(const std::vector<std::string>& header,
                                                 const codec::Columns& columns,
                                                 const ColumnMatchOptions& options) {
  std::vector<std::string> loose(header.size());
  std::transform(header.begin(), header.end(), loose.begin(),
                 [](const std::string& n) { return normalized(n); });
  // Names the server would take as one column (it compares ignoring case) cannot be told apart.
  std::vector<std::string> repeated;
  for (std::size_t i = 0; i < loose.size(); ++i) {
    if (std::find(loose.begin(), loose.begin() + static_cast<std::ptrdiff_t>(i), loose[i]) !=
            loose.begin() + static_cast<std::ptrdiff_t>(i) &&
        std::find(repeated.begin(), repeated.end(), header[i]) == repeated.end()) {
      repeated.push_back(header[i]);
    }
  }
  if (!repeated.empty()) {
    return header_error("the header names a column twice (ignoring case and spaces): " +
                            listed_names(repeated) + "; rename one so each field has its column",
                        header, columns);
  }

  std::vector<std::uint32_t> source(columns.size(), codec::kNoField);
  std::vector<bool> taken(header.size(), false);
  std::vector<std::string> missing;
  for (std::size_t j = 0; j < columns.size(); ++j) {
    const std::string& name = columns[j].name;
    auto exact = std::find(header.begin(), header.end(), name);
    std::size_t field = header.size();
    if (exact != header.end()) {
      field = static_cast<std::size_t>(exact - header.begin());
    } else {
      // Header names are unique when normalized, so at most one field matches loosely.
      auto it = std::find(loose.begin(), loose.end(), normalized(name));
      if (it != loose.end()) field = static_cast<std::size_t>(it - loose.begin());
    }
    if (field == header.size() || taken[field]) {
      missing.push_back(name);
      continue;
    }
    taken[field] = true;
    source[j] = static_cast<std::uint32_t>(field);
  }
  if (!missing.empty() && !options.missing_as_null) {
    return header_error("the header lacks the spec's column" +
                            std::string(missing.size() == 1 ? " " : "s ") + listed_names(missing) +
                            " (--missing-columns null loads them as null)",
                        header, columns);
  }
  std::vector<std::string> extra;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (!taken[i]) extra.push_back(header[i]);
  }
  if (!extra.empty() && !options.ignore_extra) {
    return header_error("the header has field" + std::string(extra.size() == 1 ? " " : "s ") +
                            listed_names(extra) +
                            " that the spec lacks (--extra-columns ignore leaves them out)",
                        header, columns);
  }
  bool identity = source.size() == header.size();
  for (std::size_t j = 0; identity && j < source.size(); ++j) identity = source[j] == j;
  if (identity) source.clear();
  return source;
}

}  // namespace dsfill::loader
