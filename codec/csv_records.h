// Whole records as strings, off the hot path: headers, the first record, and the samples that
// `dsfill infer` reads. A walker of the one grammar (codec/csv_grammar.h), so it reads exactly
// the records, and reports exactly the errors, that the transcoder does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "codec/csv_dialect.h"

namespace dsfill::codec {

using Record = std::vector<std::string>;

// Parses up to `max_records` records of `input`, skipping a leading BOM; fields are copied.
// Errors (row and byte offset from the start of `input`) are the grammar's; one past the records
// asked for is never reached. Field counts are not compared: ragged rows are the caller's call.
Result<std::vector<Record>> parse_csv(std::string_view input, const CsvDialect& dialect,
                                      std::size_t max_records = SIZE_MAX);

}  // namespace dsfill::codec
