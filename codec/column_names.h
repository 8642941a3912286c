// The rules a column name must meet, in one place: the reference server refuses a spec that
// breaks them (server/validation.cpp checks with these functions), and `dsfill infer` and a load
// that takes its columns from the header make every header name meet them (usable_column_names)
// instead of proposing a spec the server would refuse.
//
// A name is 1 to kMaxColumnNameBytes bytes of UTF-8 with no hidden character (control, C1,
// bidirectional marks and controls, zero-width spaces and joiners, word joiner, BOM: two names
// that differ only by these look alike in every report), and no two names of a spec are equal
// ignoring ASCII case (SQLite's column names are). A column's alias is its name (column_alias).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsfill::codec {

inline constexpr std::size_t kMaxColumnNameBytes = 128;

struct HiddenCharacter {
  char32_t code_point;
  std::size_t byte;  // its offset in the name
};

// Returns the first hidden character of `name` (see above), or nullopt. Invalid UTF-8 is
// skipped, not looked into.
std::optional<HiddenCharacter> first_hidden_character(std::string_view name);

// Returns whether the server takes `a` and `b` for one column: equal ignoring ASCII case.
bool same_column_name(std::string_view a, std::string_view b);

// Returns the alias a column gets when no spec gives one, whether the spec is the header's
// (`dsfill load` without --columns) or inferred (`dsfill infer`, --infer): its name, so both ways
// of loading a file send the same spec, and datasets created either way take the other's loads.
std::string column_alias(std::string_view name);

struct UsableNames {
  std::vector<std::string> names;  // one per header field, each valid and all distinct
  std::vector<std::string> notes;  // one line per name changed, saying how and why
};

// Returns `header` made into column names the rules above accept, changing only what they
// refuse: invalid UTF-8 becomes U+FFFD, hidden characters are dropped, an empty name becomes
// column_N (N: its 1-based position), a name over the limit is cut on a character boundary,
// and a name equal to an earlier one ignoring case and surrounding spaces (as `load` matches
// headers to specs: loader/column_match.h) gets the first free suffix _2, _3, ... (cut to fit).
UsableNames usable_column_names(const std::vector<std::string>& header);

}  // namespace dsfill::codec
