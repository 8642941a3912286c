// The fast path of the CSV -> JSON transcoder (rows_json.cpp), for runs of plain records.
//
// A plain record has only string columns and no quote, backslash or control byte (a CRLF
// terminator aside); bytes >= 0x80 count as plain only when the caller has validated the whole
// input as UTF-8. Its JSON is its own bytes with every delimiter written as `","` and `["` / `"]`
// around it, so no byte needs a decision of its own: the input is classified 64 bytes at a time
// into bit masks (delimiters, LFs, anything odd), and each 8 bytes are expanded into the output
// with one table-driven byte shuffle (SSSE3), whatever the number of delimiters among them.
//
// Internal to codec/; built with -mssse3 -mpopcnt and called only when the CPU has both.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dsfill::codec::detail {

// Input bytes a call needs past p to do anything; fewer and it writes nothing.
inline constexpr std::size_t kPlainMinInput = 64 + 16;
// Output room a call needs for each 64-byte block it classifies.
inline constexpr std::size_t kPlainBlockRoom = 64 * 5 + 48;

struct PlainRun {
  std::uint64_t rows = 0;      // records written
  std::uint64_t physical = 0;  // terminators consumed, blank lines included
  bool need_room = false;      // stopped for lack of output room, not because of the input
};

// Returns true when this CPU can run write_plain_records (SSSE3 and POPCNT on x86-64).
bool plain_records_supported();

// Writes the plain records from p on as `,["f1","f2",...]` (no comma before the first one when
// `first`) into [o, lim), until a record that is not plain, a record whose field count differs
// from `expected` (which the first record sets when it is 0), fewer than kPlainMinInput bytes
// left, or less than kPlainBlockRoom of room. Sets p to the first record not written (the
// caller writes it the general way, or grows the output and calls again) and o past the last
// record written. Blank lines are skipped and counted as physical rows.
// REQUIRES: p at a record start; lim - o >= kPlainBlockRoom; plain_records_supported().
PlainRun write_plain_records(const char*& p, const char* end, char*& o, const char* lim, bool first,
                             std::size_t& expected, char delim, char quote, bool high_ok);

}  // namespace dsfill::codec::detail
