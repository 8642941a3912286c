// The fast path of the CSV -> JSON transcoder (rows_json.cpp), for runs of records of string
// columns.
//
// A plain record has no quote, backslash or control byte (a CRLF terminator aside); bytes >= 0x80
// count as plain only in UTF-8 input, where they form valid UTF-8 (checked for each 64-byte block
// that has any). Its JSON is its own bytes with every delimiter written as `","` and `["` / `"]`
// around it, so no byte needs a decision of its own: the input is classified 64 bytes at a time
// into bit masks (delimiters, LFs, anything odd), and each step of 8 or 32 bytes is expanded into
// the output at once, whatever the number of delimiters among them.
//
// The AVX-512 kernel also takes records with quoted fields and bytes JSON escapes with two bytes
// (LF and CR inside quotes, tab, backslash...): quotes are dropped or turned into `\"` and escaped
// bytes get their backslash in the same steps (plain_records_loop.h says which). What neither
// kernel takes (a bad quote, another control byte, a bare CR, invalid UTF-8, a ragged or
// over-long record) ends the run at its record, for the general path.
//
// Two kernels do the byte work (the record loop is shared: plain_records_loop.h): AVX-512
// (VBMI2's byte expand writes 32 input bytes into their output slots at once, VBMI2's compress
// drops quotes) and SSSE3 (a table-driven shuffle per 8 bytes; plain records only), in the avx512
// and ssse3 kernel sets of the dispatch table (simd_dispatch.h). The portable set has no fast
// path: under it plain_records_supported() is false and the general path writes every record.
//
// The fast path stops kPlainMinInput bytes short of the input's end (and the general path writes
// the last records) rather than relying on padding (padded.h): write_rows_json's callers pass
// unpadded spans (tests, `dsfill encode`, the server), and that stop is the one tail routine,
// shared by both kernels.
//
// Internal to codec/.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dsfill::codec::detail {

// Input bytes a call needs past p to do anything; fewer and it writes nothing.
inline constexpr std::size_t kPlainMinInput = 64 + 16;
// Output room a call needs for each 64-byte block it classifies.
inline constexpr std::size_t kPlainBlockRoom = 64 * 5 + 64;

struct PlainRun {
  std::uint64_t rows = 0;      // records written
  std::uint64_t physical = 0;  // terminators consumed, blank lines included
  bool need_room = false;      // stopped for lack of output room, not because of the input
};

// Returns true when the kernel set in use has a fast path (false: the general path does all the
// work).
bool plain_records_supported();

// Writes the records from p on as `,["f1","f2",...]` (no comma before the first one when `first`)
// into [o, lim), until a record the kernel does not take (see above), a record whose field count
// differs from `expected` (which the first record sets when it is 0), a record longer than
// `max_record` bytes (one of its values may be over the value limit: the general path measures
// them), fewer than kPlainMinInput bytes left, or less than kPlainBlockRoom of room. Sets p to the
// first record not written (the caller writes it the general way, or grows the output and calls
// again) and o past the last record written. Blank lines are skipped and counted as physical rows.
// `utf8`: the input is UTF-8 (else every byte >= 0x80 needs the general path's conversion).
// REQUIRES: p at a record start; lim - o >= kPlainBlockRoom; plain_records_supported().
PlainRun write_plain_records(const char*& p, const char* end, char*& o, const char* lim, bool first,
                             std::size_t& expected, std::size_t max_record, char delim, char quote,
                             bool utf8);

// Returns the start of the UTF-8 sequence holding the byte at `at`: `at` stepped back over at most
// three continuation bytes (10xxxxxx), never before `begin`. Where that lands on another
// continuation byte or on an ASCII one, the text there is not valid UTF-8.
inline const char* utf8_sequence_start(const char* at, const char* begin) {
  for (int i = 0; i < 3 && at > begin && (static_cast<unsigned char>(*at) & 0xC0) == 0x80; ++i)
    --at;
  return at;
}

// Returns whether the 64 bytes at `block`, widened to whole UTF-8 sequences within [begin, end),
// are valid UTF-8. REQUIRES: begin <= block, block + 64 <= end, begin at a character boundary.
bool utf8_valid_around(const char* block, const char* begin, const char* end);

// The kernels, each compiled for its instruction set (call them only through the above, or
// through a kernel set whose cpu_runs() is true); *_built() says whether this build has them.
PlainRun write_plain_records_ssse3(const char*& p, const char* end, char*& o, const char* lim,
                                   bool first, std::size_t& expected, std::size_t max_record,
                                   char delim, char quote, bool utf8);
PlainRun write_plain_records_avx512(const char*& p, const char* end, char*& o, const char* lim,
                                    bool first, std::size_t& expected, std::size_t max_record,
                                    char delim, char quote, bool utf8);
bool plain_records_ssse3_built();
bool plain_records_avx512_built();

}  // namespace dsfill::codec::detail
