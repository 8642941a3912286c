// The input flags shared by `encode`, `load` and `bench`: how to read the CSV and cut batches.
// One place defines each flag with its default and help text.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/cli11_fwd.h"

#include "codec/gzip.h"
#include "loader/chunker.h"
#include "loader/load_options.h"
#include "loader/schema.h"

namespace dsfill::cli {

// A usage mistake found after parsing (a bad value combination); main() maps it to exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct InputFlags {
  std::string delimiter = "auto";  // auto: sniffed by resolve_input
  std::string quote = "\"";
  bool no_header = false;
  std::string encoding = "utf8";
  std::string invalid_utf8 = "error";
  std::string columns_path;
  std::size_t batch_rows = 10000;
  std::uint64_t limit = 0;       // --limit N: the first N data rows only
  std::uint64_t skip_lines = 0;  // --skip-lines N: preamble lines before the header
  std::string comment;           // --comment CHAR: lines beginning with it are skipped
  std::string batch_bytes = "8MiB";
  int level = codec::kDefaultGzipLevel;
  bool auto_level = false;  // --level auto: adapt while loading (level is the starting point)
  std::string codec = "auto";
  bool no_compress = false;
  // Columns by name and values (add_value_flags).
  std::string missing_columns = "error";
  std::string extra_columns = "error";
  std::vector<std::string> null_values;
  bool empty_as_null = false;
  bool decimal_comma = false;
  std::string thousands_separator;
  // Bad rows (add_bad_row_flags).
  std::uint64_t max_bad_rows = 0;
  double max_bad_ratio = 0;
  std::string rejects;
};

// Settles what the input's first bytes decide, before any option is built from `flags`:
// --delimiter auto becomes the sniffed delimiter (codec/delimiter_sniff.h; ',' for standard
// input and other pipes, which cannot be read twice, and for an empty `input`), saying so on
// stderr when it is not ',' (a load of several files sniffs the first); --encoding utf-16 needs a
// UTF-16 byte order mark (a file without one: UsageError), and a file with one is read as UTF-16
// whatever --encoding says unless it names a single-byte encoding (UsageError); --encoding latin1
// warns once when the head holds bytes 0x80-0x9F (what Windows-1252 uses for € and curly quotes).
// Unreadable input is left to the load to report.
void resolve_input(const std::string& input, InputFlags& flags);

// Returns the deflate backend --codec names. Throws UsageError (ISA-L missing from this build).
codec::GzipBackend gzip_backend(const InputFlags& flags);

// Defines the dialect flags only: --delimiter, --quote, --no-header, --encoding, --invalid-utf8,
// --skip-lines, --comment.
void add_dialect_flags(CLI::App& cmd, InputFlags& flags);

// Defines how header names meet --columns: --missing-columns, --extra-columns.
void add_column_match_flags(CLI::App& cmd, InputFlags& flags);

// Defines the value flags: --null-value, --empty-as-null, --decimal-comma, --thousands-separator.
void add_value_flags(CLI::App& cmd, InputFlags& flags);

// Defines --max-bad-rows, --max-bad-ratio and --rejects.
void add_bad_row_flags(CLI::App& cmd, InputFlags& flags);

// Returns the limits and rejects file the bad-row flags describe.
loader::BadRowLimits bad_row_limits(const InputFlags& flags);

// What --level is when not given: a fixed level (encode: nothing to adapt to), or auto (load
// and bench: the pipeline finds the level that suits the link and the machine).
enum class LevelDefault { kFixed, kAuto };

// Defines the dialect, value and bad-row flags and the columns, batching and compression flags.
void add_input_flags(CLI::App& cmd, InputFlags& flags, LevelDefault level = LevelDefault::kFixed);

// Returns the chunker options the flags describe. Throws UsageError on bad values.
loader::ChunkerOptions chunker_options(const InputFlags& flags);

// Returns the schema options the flags describe (reading the --columns file).
// Throws UsageError on bad values, ErrorException when the columns file is unusable.
loader::SchemaOptions schema_options(const InputFlags& flags);

// Returns load options with the input, schema, batching, compression and encoder settings the
// flags describe, after resolve_input (`encoders` <= 0: one per core); the caller sets the target
// and the rest.
loader::LoadOptions input_load_options(const std::string& input, const InputFlags& flags,
                                       int encoders);

// Parses "8MiB", "512KiB", "64MB", "1G", "1000" into bytes. Throws UsageError.
std::size_t parse_size(const std::string& text);

}  // namespace dsfill::cli
