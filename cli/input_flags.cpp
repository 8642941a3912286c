#include "cli/input_flags.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <exception>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "codec/delimiter_sniff.h"
#include "loader/input_head.h"
#include "loader/log.h"

namespace dsfill::cli {

namespace {

char single_char(const std::string& value, const char* flag) {
  if (value == "tab" || value == "\\t") return '\t';
  if (value.size() != 1) {
    throw UsageError(std::string(flag) + " takes one character (or 'tab'), got '" + value + "'");
  }
  // The transcoder reads bytes >= 0x80 as parts of UTF-8 (or Latin-1) characters, so a dialect
  // byte there would be read two ways: refuse it.
  if (static_cast<unsigned char>(value[0]) >= 0x80) {
    throw UsageError(std::string(flag) + " must be an ASCII character");
  }
  return value[0];
}

// Returns `head` without its first `skip_lines` lines and the lines that begin with `comment`
// ('\0': none), as the chunker drops them, so they cannot mislead the sniffer.
std::string_view data_lines(std::string_view head, std::uint64_t skip_lines, char comment,
                            std::string& kept) {
  for (std::uint64_t i = 0; i < skip_lines && !head.empty(); ++i) {
    const std::size_t lf = head.find('\n');
    head = lf == std::string_view::npos ? std::string_view() : head.substr(lf + 1);
  }
  if (comment == '\0') return head;
  while (!head.empty()) {
    const std::size_t lf = head.find('\n');
    const std::string_view line =
        head.substr(0, lf == std::string_view::npos ? head.size() : lf + 1);
    if (line.front() != comment) kept += line;
    head.remove_prefix(line.size());
  }
  return kept;
}

std::string shown_delimiter(char d) {
  return d == '\t' ? std::string("tab") : "'" + std::string(1, d) + "'";
}

}  // namespace

void resolve_input(const std::string& input, InputFlags& flags) {
  const bool sniff = flags.delimiter == "auto";
  if (sniff) flags.delimiter = ",";
  if (input.empty()) return;
  struct stat st {};
  if (input != "-" && ::stat(input.c_str(), &st) != 0) return;  // the load reports why
  if (input == "-" || !S_ISREG(st.st_mode)) {
    // A pipe or FIFO cannot be read twice: what a sniff read would be lost to the load.
    if (sniff) {
      loader::log(loader::LogLevel::kInfo,
                  "delimiter: ',' (" + std::string(input == "-" ? "standard input" : "a pipe") +
                      " is not sniffed; --delimiter to choose)");
    }
    return;
  }
  auto head = loader::read_input_head(input, codec::kSniffBytes);
  if (!head) return;  // the load opens it again and reports why it cannot
  const bool utf16 = loader::is_utf16(head->compression);
  if (flags.encoding == "utf-16" && !utf16) {
    throw UsageError(input +
                     " does not start with a UTF-16 byte order mark (FF FE or FE FF): dsfill "
                     "reads UTF-16 only with one; convert it first (iconv -f UTF-16LE -t "
                     "UTF-8) or choose --encoding utf8, cp1252 or latin1");
  }
  if (utf16 && flags.encoding != "utf8" && flags.encoding != "utf-16") {
    throw UsageError(input + " starts with a UTF-16 byte order mark: use --encoding utf-16 (not " +
                     flags.encoding + ")");
  }
  if (flags.encoding == "latin1") {
    for (const char ch : head->bytes) {
      const auto c = static_cast<unsigned char>(ch);
      if (c >= 0x80 && c <= 0x9F) {
        loader::log(loader::LogLevel::kWarn,
                    input +
                        " holds bytes 0x80-0x9F, control characters in Latin-1 but € ‚ „ … "
                        "‘ ’ “ ” – — ™ in Windows-1252: this looks like Windows-1252; try "
                        "--encoding cp1252");
        break;
      }
    }
  }
  if (!sniff) return;
  const char quote = single_char(flags.quote, "--quote");
  const char comment = flags.comment.empty() ? '\0' : single_char(flags.comment, "--comment");
  std::string kept;
  const std::string_view lines = data_lines(head->bytes, flags.skip_lines, comment, kept);
  const char picked = codec::sniff_delimiter(lines, quote, head->whole);
  flags.delimiter = std::string(1, picked);
  if (picked != ',') {
    loader::log(loader::LogLevel::kInfo,
                "delimiter: " + shown_delimiter(picked) + " (sniffed; --delimiter to choose)");
  }
}

void add_dialect_flags(CLI::App& cmd, InputFlags& flags) {
  cmd.add_option("--delimiter", flags.delimiter,
                 "Field delimiter: one character, 'tab', or auto (the one of , ; tab | that "
                 "gives the first 20 records one field count above 1, read as CSV so quoted "
                 "fields do not count; ',' when in doubt and for standard input; said on stderr "
                 "when not ',')")
      ->capture_default_str();
  cmd.add_option("--quote", flags.quote, "Quote character")->capture_default_str();
  cmd.add_flag("--no-header", flags.no_header,
               "The first record is data, not column names (columns are then named column_1.. "
               "unless --columns is given). Fields are then matched to --columns by position");
  cmd.add_option("--encoding", flags.encoding,
                 "Input encoding: utf8; cp1252 (Windows-1252, what most Windows exports called "
                 "Latin-1 are: € and curly quotes at 0x80-0x9F; its 5 undefined bytes are "
                 "refused); latin1 (ISO 8859-1); utf-16 (with a byte order mark, which a UTF-16 "
                 "file is read by whatever this says)")
      ->check(CLI::IsMember({"utf8", "cp1252", "latin1", "utf-16"}))
      ->capture_default_str();
  cmd.add_option("--invalid-utf8", flags.invalid_utf8,
                 "What to do with invalid UTF-8: error (exit 3 naming row and byte) or replace "
                 "(with U+FFFD)")
      ->check(CLI::IsMember({"error", "replace"}))
      ->capture_default_str();
  cmd.add_option("--skip-lines", flags.skip_lines,
                 "Drop the first N physical lines of the file before the header (a report "
                 "export's preamble). Row numbers in messages still count them. Part of the "
                 "checkpoint's identity")
      ->capture_default_str();
  cmd.add_option("--comment", flags.comment,
                 "Drop every line that begins with this character (e.g. '#'), before the header "
                 "and between records; inside a quoted field it is data. Row numbers in messages "
                 "still count them. Part of the checkpoint's identity");
}

void add_column_match_flags(CLI::App& cmd, InputFlags& flags) {
  cmd.add_option("--missing-columns", flags.missing_columns,
                 "A --columns column the header lacks: error (exit 2, nothing sent) or null "
                 "(the column is null in every row)")
      ->check(CLI::IsMember({"error", "null"}))
      ->capture_default_str();
  cmd.add_option("--extra-columns", flags.extra_columns,
                 "Header fields --columns lacks: error (exit 2, nothing sent) or ignore (left out)")
      ->check(CLI::IsMember({"error", "ignore"}))
      ->capture_default_str();
}

void add_value_flags(CLI::App& cmd, InputFlags& flags) {
  cmd.add_option("--null-value", flags.null_values,
                 "A cell that means no value, sent as null in any column (exact, case-sensitive); "
                 "repeat it for several: --null-value NULL --null-value '\\N'. infer treats them "
                 "as empty");
  cmd.add_flag("--empty-as-null", flags.empty_as_null,
               "Empty text cells are null too (empty numeric and date cells always are)");
  cmd.add_flag("--decimal-comma", flags.decimal_comma,
               "Numbers in numeric columns use a decimal comma, as European exports write them: "
               "\"3,14\" is sent as 3.14 (a '.' is then refused unless it is the "
               "--thousands-separator)");
  cmd.add_option("--thousands-separator", flags.thousands_separator,
                 "A character that groups digits by three in numeric columns, as in 1,234.5 "
                 "(',', '.', ' ' or \"'\"); it is dropped before sending");
}

void add_bad_row_flags(CLI::App& cmd, InputFlags& flags) {
  cmd.add_option("--max-bad-rows", flags.max_bad_rows,
                 "Bad rows (ragged, bad quotes, invalid UTF-8, values their column refuses) that "
                 "may be left out before the load stops with exit 3; 0: the first stops it")
      ->capture_default_str();
  cmd.add_option("--max-bad-ratio", flags.max_bad_ratio,
                 "Bad rows that may be left out as a share of the rows read so far (0.01: 1%); "
                 "the larger of this and --max-bad-rows applies")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd.add_option("--rejects", flags.rejects,
                 "Write the rows left out to FILE, byte for byte after the header, so it can be "
                 "fixed and loaded with the same flags; why each was refused goes to "
                 "FILE.errors.jsonl");
}

loader::BadRowLimits bad_row_limits(const InputFlags& flags) {
  return {.max_rows = flags.max_bad_rows, .max_ratio = flags.max_bad_ratio};
}

void add_input_flags(CLI::App& cmd, InputFlags& flags, LevelDefault level_default) {
  add_dialect_flags(cmd, flags);
  add_column_match_flags(cmd, flags);
  add_value_flags(cmd, flags);
  add_bad_row_flags(cmd, flags);
  flags.auto_level = level_default == LevelDefault::kAuto;
  cmd.add_option("--columns", flags.columns_path,
                 "Columns spec file (JSON array of {name, alias, type, subtype[, format]}); "
                 "default: one dimension/text column per header name. With a header, fields are "
                 "matched to the spec's columns by name (exactly, else ignoring case and "
                 "surrounding spaces) whatever their order; see --missing-columns and "
                 "--extra-columns. With --no-header, by position")
      ->check(CLI::ExistingFile);
  cmd.add_option("--batch-rows", flags.batch_rows, "Rows per request, at most")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}))
      ->capture_default_str();
  cmd.add_option("--limit", flags.limit,
                 "Read only the first N data rows (CSV records after the header), then end as "
                 "at the end of the file: a trial load of a big file (0: all). Part of the "
                 "checkpoint's identity")
      ->capture_default_str();
  cmd.add_option("--batch-bytes", flags.batch_bytes,
                 "CSV bytes per request, at most (whichever of rows and bytes comes first); "
                 "accepts KiB, MiB, GiB")
      ->capture_default_str();
  cmd.add_option_function<std::string>(
         "--level",
         [&flags](const std::string& value) {
           if (value == "auto") {
             flags.auto_level = true;
             flags.level = codec::kDefaultGzipLevel;
             return;
           }
           std::size_t used = 0;
           int level = -1;
           try {
             level = std::stoi(value, &used);
           } catch (const std::exception&) {
             used = 0;
           }
           if (used != value.size() || value.empty() || level < 0 || level > 12) {
             throw CLI::ValidationError("--level", "expects 0 to 12 or auto, got '" + value + "'");
           }
           flags.auto_level = false;
           flags.level = level;
         },
         std::string("gzip level: 0 (store) to 12 (smallest)") +
             (level_default == LevelDefault::kAuto
                  ? ", or auto (adapt while loading, starting at 6: higher while the network is "
                    "the bottleneck, lower while the encoders are; with no network, as in bench, "
                    "it settles at the fastest level)"
                  : "") +
             ". With --codec isal, levels 0-3 are ISA-L's and higher ones act as 3")
      ->default_str(level_default == LevelDefault::kAuto
                        ? std::string("auto")
                        : std::to_string(codec::kDefaultGzipLevel));
  cmd.add_option("--codec", flags.codec,
                 "deflate implementation: auto, libdeflate, or isal (Intel ISA-L, about twice as "
                 "fast at its levels 0-3; the output is standard gzip either way). auto: with "
                 "--level auto, one speed/ratio scale over both, fastest first (ISA-L 1-3, then "
                 "libdeflate 2-12; libdeflate 1-12 where this build lacks ISA-L); with a fixed "
                 "--level, libdeflate")
      ->check(CLI::IsMember({"auto", "libdeflate", "isal"}))
      ->capture_default_str();
  cmd.add_flag("--no-compress", flags.no_compress,
               "Send insert-data as a plain JSON string (compressed: false)");
}

codec::GzipBackend gzip_backend(const InputFlags& flags) {
  if (flags.codec == "auto") return codec::GzipBackend::kLibdeflate;
  auto backend = codec::parse_gzip_backend(flags.codec);
  if (!backend) throw UsageError(backend.error().message);
  return *backend;
}

std::size_t parse_size(const std::string& text) {
  std::size_t i = 0;
  std::uint64_t value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    if (value > (std::uint64_t{1} << 40)) throw UsageError("size too large: '" + text + "'");
    ++i;
  }
  if (i == 0) throw UsageError("not a size: '" + text + "' (examples: 8MiB, 512KiB, 1000000)");
  std::string unit = text.substr(i);
  std::uint64_t mult = 1;
  if (unit.empty() || unit == "B") {
    mult = 1;
  } else if (unit == "K" || unit == "KiB" || unit == "k") {
    mult = 1024;
  } else if (unit == "KB" || unit == "kB") {
    mult = 1000;
  } else if (unit == "M" || unit == "MiB") {
    mult = 1024 * 1024;
  } else if (unit == "MB") {
    mult = 1000 * 1000;
  } else if (unit == "G" || unit == "GiB") {
    mult = 1024 * 1024 * 1024;
  } else if (unit == "GB") {
    mult = 1000 * 1000 * 1000;
  } else {
    throw UsageError("unknown size unit in '" + text + "' (use KiB, MiB, GiB, KB, MB, GB)");
  }
  if (value == 0) throw UsageError("size must be positive: '" + text + "'");
  return static_cast<std::size_t>(value * mult);
}

loader::ChunkerOptions chunker_options(const InputFlags& flags) {
  loader::ChunkerOptions options;
  options.batch_rows = flags.batch_rows;
  options.limit_records = flags.limit;
  options.skip_lines = flags.skip_lines;
  if (!flags.comment.empty()) options.comment = single_char(flags.comment, "--comment");
  options.batch_bytes = parse_size(flags.batch_bytes);
  options.dialect.delimiter = single_char(flags.delimiter, "--delimiter");
  options.dialect.quote = single_char(flags.quote, "--quote");
  if (options.dialect.delimiter == options.dialect.quote) {
    throw UsageError("--delimiter and --quote must differ");
  }
  if (options.dialect.delimiter == '\n' || options.dialect.delimiter == '\r' ||
      options.dialect.quote == '\n' || options.dialect.quote == '\r') {
    throw UsageError("--delimiter and --quote cannot be a newline");
  }
  if (options.comment != '\0' &&
      (options.comment == options.dialect.delimiter || options.comment == options.dialect.quote ||
       options.comment == '\n' || options.comment == '\r')) {
    throw UsageError("--comment must differ from --delimiter and --quote and not be a newline");
  }
  return options;
}

loader::SchemaOptions schema_options(const InputFlags& flags) {
  loader::SchemaOptions options;
  options.has_header = !flags.no_header;
  options.rows.dialect = chunker_options(flags).dialect;
  // UTF-16 reaches the transcoder as UTF-8 (the reader converts it: loader/decompressor.h).
  options.rows.encoding = flags.encoding == "latin1"   ? codec::InputEncoding::kLatin1
                          : flags.encoding == "cp1252" ? codec::InputEncoding::kCp1252
                                                       : codec::InputEncoding::kUtf8;
  options.rows.utf8 =
      flags.invalid_utf8 == "replace" ? codec::Utf8Policy::kReplace : codec::Utf8Policy::kStrict;
  if (!flags.columns_path.empty())
    options.columns = loader::load_columns_file(flags.columns_path).value();
  options.match.missing_as_null = flags.missing_columns == "null";
  options.match.ignore_extra = flags.extra_columns == "ignore";
  options.rows.nulls.markers = flags.null_values;
  options.rows.nulls.empty_as_null = flags.empty_as_null;
  options.rows.numbers.decimal_comma = flags.decimal_comma;
  if (!flags.thousands_separator.empty()) {
    const std::string& t = flags.thousands_separator;
    if (t.size() != 1 || std::isdigit(static_cast<unsigned char>(t[0])) || t[0] == '-' ||
        t[0] == '+' || t[0] == 'e' || t[0] == 'E' || static_cast<unsigned char>(t[0]) >= 0x80 ||
        static_cast<unsigned char>(t[0]) < 0x20) {
      throw UsageError(
          "--thousands-separator takes one ASCII character that is not a digit, "
          "sign or exponent, got '" +
          t + "'");
    }
    if (t[0] == ',' && flags.decimal_comma) {
      throw UsageError("--thousands-separator ',' and --decimal-comma cannot both be given");
    }
    options.rows.numbers.thousands_separator = t[0];
  }
  if (flags.thousands_separator == "." && !flags.decimal_comma) {
    throw UsageError(
        "--thousands-separator '.' needs --decimal-comma (else '.' is the decimal "
        "point)");
  }
  return options;
}

loader::LoadOptions input_load_options(const std::string& input, const InputFlags& given,
                                       int encoders) {
  InputFlags flags = given;
  resolve_input(input, flags);
  loader::LoadOptions o;
  o.input = input;
  o.schema = schema_options(flags);
  o.chunker = chunker_options(flags);
  o.level = flags.level;
  o.auto_level = flags.auto_level;
  o.gzip_backend = gzip_backend(flags);
  o.auto_backend = flags.codec == "auto";
  o.compress = !flags.no_compress;
  o.encoders =
      encoders > 0 ? encoders : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.bad_rows = bad_row_limits(flags);
  o.rejects_path = flags.rejects;
  if (!o.rejects_path.empty() && !o.bad_rows.any()) {
    throw UsageError(
        "--rejects needs --max-bad-rows or --max-bad-ratio: without them the first "
        "bad row stops the load, and nothing is left out");
  }
  return o;
}

}  // namespace dsfill::cli
