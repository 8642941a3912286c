// The final row check of a load: what the server says it holds against what this load sent.
// It never disappears silently: when the answers do not allow a check, the report says so.
#pragma once

#include "loader/load_options.h"

namespace dsfill::loader {

// Fills `report.row_check` and, on a difference, sets the outcome to kCountMismatch with the
// figures in the message. Applies to network loads that finished ok; leaves others as they are.
//   replace: the dataset's rows-count must equal the rows of this load (all its runs);
//   append:  the sum of rows-inserted must equal the rows sent, and, where the answers tell the
//            dataset's count before the load, that count plus the rows sent must equal the
//            count at the end (else another writer changed the dataset during the load). Shards
//            share a dataset by design, so their totals are not compared.
void check_rows(const LoadOptions& options, LoadReport& report);

}  // namespace dsfill::loader
