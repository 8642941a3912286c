#include "loader/header_check.h"

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

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  constexpr std::size_t kMax = 30;  // a 2,000-column header would drown the message
  for (std::size_t i = 0; i < names.size() && i < kMax; ++i) {
    out += (i == 0 ? "" : ",") + names[i];
  }
  if (names.size() > kMax) out += ",... (" + std::to_string(names.size()) + " in all)";
  return out;
}

// Returns the names of `from` whose normalized form `in` lacks (counting repeats).
std::vector<std::string> missing(const std::vector<std::string>& from,
                                 const std::vector<std::string>& in) {
  std::vector<std::string> pool;
  pool.reserve(in.size());
  for (const auto& n : in) pool.push_back(normalized(n));
  std::vector<std::string> out;
  for (const auto& n : from) {
    auto it = std::find(pool.begin(), pool.end(), normalized(n));
    if (it == pool.end()) {
      out.push_back(n);
    } else {
      pool.erase(it);
    }
  }
  return out;
}

}  // namespace

Result<void> check_header_names(const std::vector<std::string>& header,
                                const codec::Columns& columns) {
  std::vector<std::string> spec;
  for (const auto& c : columns) spec.push_back(c.name);
  const bool same_order =
      header.size() == spec.size() &&
      std::equal(header.begin(), header.end(), spec.begin(),
                 [](const auto& a, const auto& b) { return normalized(a) == normalized(b); });
  if (same_order) return {};
  const std::string both = "header: " + listed(header) + "; spec: " + listed(spec);
  const auto not_in_header = missing(spec, header);
  const auto not_in_spec = missing(header, spec);
  if (not_in_header.empty() && not_in_spec.empty()) {
    return make_error(ErrorCode::kBadArgument,
                      "the header has the columns spec's names in another order; fields are "
                      "matched to columns by position, so put the spec's columns in the header's "
                      "order (or use --no-header to match by position on purpose). " +
                          both,
                      1);
  }
  std::string message = "the header does not match the columns spec (" +
                        std::to_string(header.size()) + " fields against " +
                        std::to_string(spec.size()) + " columns)";
  if (!not_in_header.empty()) message += "; not in the header: " + listed(not_in_header);
  if (!not_in_spec.empty()) message += "; not in the spec: " + listed(not_in_spec);
  return make_error(ErrorCode::kBadArgument, message + ". " + both, 1);
}

}  // namespace dsfill::loader
