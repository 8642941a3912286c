// How a batch the server refused for its data (400 or 422) is cut into parts that are sent
// again, so that one bad row costs that row, not the load (pgloader's answer to the same
// problem). Pure functions: the sender runs them, the tests run them without a server.
//
// A part that holds one record and is refused again is that record's fault: it goes to the
// rejects. Otherwise, when the server's message names the refused row ("rows[3]", as the
// reference server says it: the 0-based index in insert-data), the part is cut into the rows
// before it, the row itself and the rows after it; when it names none, the part is cut in two
// halves (bisection: about 2 log2(n) requests find one bad row among n). Cuts fall on record
// boundaries by the same quote-parity scan the chunker uses, so the parts, and the
// Idempotency-Keys derived from their byte ranges, are the same on every run: a resume of a load
// killed mid-split sends the same parts again, and the server answers those it stored from its
// idempotency cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "codec/csv_dialect.h"

namespace dsfill::loader {

// A part of a batch: bytes [begin, end) of the batch's records, whose first record is the file's
// physical row `first_row`.
struct BatchPart {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::int64_t first_row = 1;
  bool operator==(const BatchPart&) const = default;
};

// Returns the 0-based row index a refusal names ("rows[12]" anywhere in `message`), or nullopt.
std::optional<std::size_t> named_row(std::string_view message);

// Returns the parts to send instead of `part` of `records` (the batch's bytes), in byte order:
// empty when `part` holds one record (it is the one refused). `named`: the row the refusal
// names, counted in records of the part.
std::vector<BatchPart> split_refused(std::string_view records, const BatchPart& part,
                                     std::optional<std::size_t> named,
                                     const codec::CsvDialect& dialect);

}  // namespace dsfill::loader
