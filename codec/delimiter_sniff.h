// Guesses a file's field delimiter from its first records, for `--delimiter auto`: a first-time
// user's semicolon export (Excel in a European locale), TSV or pipe file loads without flags.
//
// Rule: each candidate of kDelimiterCandidates (`,` `;` tab `|`) reads the first records with the
// one CSV grammar (codec/csv_records.h, so quoted fields holding another candidate, "a;b" in a
// comma file, do not fool it); a candidate qualifies when every record read has the same field
// count, above 1. The qualifying candidate with the most fields wins; ties (and no candidate
// qualifying) go to the earliest in the list, so `,` whenever in doubt.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace dsfill::codec {

inline constexpr std::array<char, 4> kDelimiterCandidates = {',', ';', '\t', '|'};

// How much of an input the sniffer reads, and how many records of it, at most.
inline constexpr std::size_t kSniffBytes = 64 * 1024;
inline constexpr std::size_t kSniffRecords = 20;

// Returns the delimiter `head` (an input's first bytes, decoded) most likely uses, by the rule
// above. `whole`: `head` is all of the input (else its last, possibly cut, line is left out).
char sniff_delimiter(std::string_view head, char quote, bool whole);

}  // namespace dsfill::codec
