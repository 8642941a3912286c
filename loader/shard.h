// Sharding one file across processes: `--shard I/N` loads only the I-th of N byte ranges, each
// cut at a record boundary that every shard computes the same way, so N processes (on N
// machines reading the same file) together load every record exactly once.
//
// The boundary near the raw cut c = size * I / N is found without reading from byte 0 when
// possible. The quote state at c is resolved from the first quote after c whose neighbours decide
// its role in strict CSV (quotes only enclose fields; a quote inside is doubled):
//   - after a delimiter/newline (or the start) and before a byte that is not a delimiter,
//     newline or quote, a quote opens a field: the state before it is "outside";
//   - after a byte that is not a delimiter, newline or quote and before a delimiter, newline or
//     the end, a quote closes a field: the state before it is "inside";
//   - any other quote is undecided, and only counted.
// The parity of the quotes counted between c and the deciding quote gives the state at c. With
// no quote after c the state is "outside". When no quote decides within `window` bytes (or
// before the end), the state comes from an exact quote-parity scan from byte 0 instead (slow
// on huge files, but exact for every input the scanner accepts).
// From c in that state, the boundary is just past the first record terminator outside quotes
// (LF, CRLF kept whole, or a bare CR); the end of the file when there is none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "codec/csv_dialect.h"
#include "loader/input_reader.h"

namespace dsfill::loader {

inline constexpr std::int64_t kShardQuoteWindow = std::int64_t{64} << 20;

struct ShardSpec {
  int index = 0;  // 0 .. count-1
  int count = 1;
};

// Parses "I/N" (0 <= I < N, 1 <= N <= 100000). Fails with kBadArgument saying what is wrong.
Result<ShardSpec> parse_shard(std::string_view text);

// Reads up to `n` bytes at `offset`; returns fewer only at the end of the input.
using ReadAt = std::function<Result<std::size_t>(std::int64_t offset, char* out, std::size_t n)>;

struct Boundary {
  std::int64_t offset = 0;   // a record start (or `size`)
  bool parity_scan = false;  // the quote state came from the scan from byte 0
};

// Returns the record boundary for the raw cut `cut` of an input of `size` bytes (see above).
// cut <= 0 gives 0 and cut >= size gives size.
Result<Boundary> find_shard_boundary(const ReadAt& read, std::int64_t size, std::int64_t cut,
                                     const codec::CsvDialect& dialect,
                                     std::int64_t window = kShardQuoteWindow);

struct ShardRange {
  std::int64_t begin = 0;  // the first byte of the shard's first record
  std::int64_t end = 0;    // one past its last record's terminator
  bool parity_scan = false;
};

// Returns shard `spec`'s byte range of an input of `size` bytes whose data records start at
// `data_start` (after the header and BOM): [max(b(I), data_start), max(b(I+1), data_start))
// with b(0) = data_start and b(N) = size.
Result<ShardRange> shard_range(const ReadAt& read, std::int64_t size, std::int64_t data_start,
                               ShardSpec spec, const codec::CsvDialect& dialect,
                               std::int64_t window = kShardQuoteWindow);

// Returns a ReadAt over the file open as `fd` (pread), naming `path` in errors.
ReadAt file_read_at(int fd, std::string path);

struct OpenShard {
  InputReader reader;  // positioned at range.begin, reading stops at range.end
  ShardRange range;
};

// Opens shard `spec` of the file at `path`, whose data records start at `data_start`.
// Fails with kBadArgument for standard input (a shard needs a file's size) and kIo on I/O errors.
Result<OpenShard> open_shard(const std::string& path, std::int64_t data_start, ShardSpec spec,
                             const codec::CsvDialect& dialect);

}  // namespace dsfill::loader
