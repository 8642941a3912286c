// The codec's one SIMD dispatch table (after libdeflate's arch_select_*() and simdjson's named
// implementations). Each kernel set is one struct of function pointers: the boundary finder
// (row_boundary.h), the transcoder's fast path (plain_records.h) and base64's bulk loops
// (base64.h). Sets are named once, walked best first, and one is chosen once per process:
//
//   avx512    AVX-512 F/BW/VL/VBMI/VBMI2, BMI2, PCLMUL, POPCNT (Ice Lake, Zen 4 and later)
//   ssse3     SSSE3 and POPCNT (the boundary finder needs only SSE2); base64 has no SSSE3 loop
//             of its own and runs the shared scalar one
//   portable  plain C++ (64-bit SWAR), no SSE/AVX intrinsics, built for every target (its
//             boundary finder without SSE registers at all); the transcoder has no portable fast
//             path, so under it the general path does all the work, and base64 runs the scalar
//             loop
//
// DSFILL_SIMD=portable|ssse3|avx512 selects a set: the best one this CPU runs at or below the one
// named ("none" is an old name of "portable"). Unset, empty or unknown: the best this CPU runs.
// The point is to compare and test every set on one machine with one binary.
//
// Internal to codec/ (tests and benchmarks use it too).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "codec/csv_dialect.h"
#include "codec/plain_records.h"
#include "codec/row_boundary.h"

namespace dsfill::codec {

// Ordered: each set needs at least what the one before it needs.
enum class KernelSetId { kPortable = 0, kSsse3 = 1, kAvx512 = 2 };

// find_record_cut's loop (row_boundary_loop.h) over one kernel. `padded`: `block` is followed by
// kKernelPadding readable bytes (padded.h); else its last partial block is copied first.
using RecordCutKernel = RecordCut (*)(std::string_view block, std::size_t max_records, bool at_eof,
                                      const CsvDialect& dialect, bool padded);
// write_plain_records (plain_records.h) over one kernel.
using PlainRecordsKernel = detail::PlainRun (*)(const char*& p, const char* end, char*& o,
                                                const char* lim, bool first, std::size_t& expected,
                                                std::size_t max_record, char delim, char quote,
                                                bool utf8);
// Base64's bulk loops: encode / decode the longest prefix of `in` the kernel takes in whole steps
// and return the input bytes taken; base64.cpp's scalar loop does the rest (base64_avx512.h).
using Base64EncodeKernel = std::size_t (*)(const unsigned char* in, std::size_t n, char* out);
using Base64DecodeKernel = std::size_t (*)(const unsigned char* in, std::size_t n,
                                           unsigned char* out);

struct KernelSet {
  KernelSetId id;
  // "portable", "ssse3" or "avx512": the DSFILL_SIMD value, and what kernels_in_use() reports for
  // every step.
  const char* name;
  // Whether this build has the set and this CPU (and OS) runs it.
  bool (*cpu_runs)();
  RecordCutKernel find_record_cut;
  PlainRecordsKernel write_plain_records;  // nullptr: no fast path, the general path does it all
  Base64EncodeKernel base64_encode;        // nullptr: the scalar loop does it all
  Base64DecodeKernel base64_decode;        // nullptr: the scalar loop does it all
};

// Every set this build knows, best first (whether or not this CPU runs it).
std::span<const KernelSet* const> kernel_sets();

// The set with that id.
const KernelSet& kernel_set(KernelSetId id);

// Returns the set DSFILL_SIMD=`value` selects on this CPU: the best set this CPU runs whose id is
// at most the one `value` names; `value` null, empty or unknown names no cap. Pure: reads no
// environment, so tests can ask about every value.
const KernelSet& select_kernel_set(const char* value);

// The set in use: select_kernel_set(getenv("DSFILL_SIMD")), resolved on first use.
const KernelSet& active_kernels();

// Makes `set` the one in use (tests and benchmarks; DSFILL_SIMD does not cap it); false, and no
// change, when !set.cpu_runs(). Not thread-safe: call it before any kernel runs on another thread.
// REQUIRES: `set` outlives its use.
bool use_kernel_set(const KernelSet& set);

}  // namespace dsfill::codec
