// Checks a CSV header against a columns spec by name before anything is sent. Fields are taken by
// position, so a client export whose columns come in another order, or are other columns
// altogether, would store every value under the wrong column; refusing it is the only safe
// answer until columns are mapped by name.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "codec/columns.h"

namespace dsfill::loader {

// Returns the empty error-free result when `header` names the spec's columns in the spec's order,
// names compared ignoring ASCII case and surrounding spaces. Otherwise returns kBadArgument with
// a message that lists both: the same names in another order ("... in another order"), or the
// names missing on each side. Counts differ: the same message, with both counts.
Result<void> check_header_names(const std::vector<std::string>& header,
                                const codec::Columns& columns);

}  // namespace dsfill::loader
