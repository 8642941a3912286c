// Matches a CSV header to a columns spec by name, so that a client's export with the spec's
// columns in another order stores every value under its own column.
//
// Each spec column takes the header field of the same name: the exact name first; failing that,
// the one field equal to it ignoring ASCII case and surrounding spaces (two such fields are an
// ambiguity, an error). The result says, per spec column, which field of each record it takes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "codec/columns.h"

namespace dsfill::loader {

struct ColumnMatchOptions {
  // --missing-columns null: a spec column the header lacks is null in every row (else an error).
  bool missing_as_null = false;
  // --extra-columns ignore: header fields the spec lacks are left out (else an error).
  bool ignore_extra = false;
};

// Returns, per spec column, the 0-based header field it takes (codec::kNoField: missing, null),
// or an empty vector when the header is the spec in order (the identity: the transcoder's fast
// path). Fails with kBadArgument (row 1) for a header naming a field twice (ignoring case and
// spaces), a spec column the header lacks (naming it and listing the header), header fields the
// spec lacks (naming them), or a name two fields match only loosely.
Result<std::vector<std::uint32_t>> match_columns(const std::vector<std::string>& header,
                                                 const codec::Columns& columns,
                                                 const ColumnMatchOptions& options);

// Returns `names` joined with ',' (at most 30, then how many in all), for messages.
std::string listed_names(const std::vector<std::string>& names);

}  // namespace dsfill::loader
