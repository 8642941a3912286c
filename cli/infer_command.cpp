// `dsfill infer`: reads a sample of a CSV file and prints a columns spec (JSON) in the API's
// terms, ready for `dsfill load --columns`. Notes on the choices go to standard error.
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/input_flags.h"
#include "codec/column_inference.h"
#include "loader/chunker.h"
#include "loader/input_reader.h"
#include "loader/schema.h"

namespace dsfill::cli {

namespace {

struct InferFlags {
  std::string input;
  std::string output = "-";
  std::size_t sample_rows = 10000;
  InputFlags in;
};

int fail(const std::string& input, const Error& error) {
  std::fprintf(stderr, "dsfill infer: %s: %s\n", input.c_str(), error.describe().c_str());
  return kExitBadInput;
}

// Writes one column per line: easy to read and to edit by hand.
std::string pretty_columns(const codec::Columns& columns) {
  std::string out = "[\n";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    std::string one;
    codec::append_columns_json({columns[i]}, one);
    out += "  " + one.substr(1, one.size() - 2);
    out += i + 1 < columns.size() ? ",\n" : "\n";
  }
  out += "]\n";
  return out;
}

int run_infer(const InferFlags& flags) {
  InputFlags in = flags.in;
  resolve_input(flags.input, in);
  loader::ChunkerOptions chunking = chunker_options(in);
  loader::SchemaOptions schema_opts = schema_options(in);
  auto reader = loader::InputReader::open(flags.input);
  if (!reader) return fail(flags.input, reader.error());
  loader::Chunker chunker(*reader, chunking);
  auto sampled = loader::sample_and_infer(chunker, schema_opts, flags.sample_rows);
  if (!sampled) return fail(flags.input, sampled.error());
  const codec::InferredColumns& inferred = *sampled;
  const std::string text = pretty_columns(inferred.columns);
  std::FILE* out = flags.output == "-" ? stdout : std::fopen(flags.output.c_str(), "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "dsfill infer: cannot write %s\n", flags.output.c_str());
    return kExitBadInput;
  }
  std::fwrite(text.data(), 1, text.size(), out);
  if (out != stdout) std::fclose(out);
  for (const auto& note : inferred.notes) std::fprintf(stderr, "dsfill infer: %s\n", note.c_str());
  std::fprintf(stderr, "dsfill infer: %zu columns from %zu sampled rows\n", inferred.columns.size(),
               inferred.sampled_rows);
  return kExitOk;
}

}  // namespace

void add_infer_command(CLI::App& app, CommandAction& action) {
  auto flags = std::make_shared<InferFlags>();
  CLI::App* cmd = app.add_subcommand(
      "infer",
      "Read a sample of a CSV file and print a columns spec (JSON) for `dsfill load --columns`: "
      "numbers become measures, dates get their format, identifiers and everything else text. "
      "Header names the server would refuse are made valid (empty: column_N; repeated, also in "
      "another case: NAME_2; over 128 bytes: cut), each change said on stderr; aliases are the "
      "names. An empty file is exit 3");
  cmd->add_option("FILE", flags->input,
                  "CSV file to sample ('-' for standard input); gzip, zstd, bzip2 or xz "
                  "input is decompressed as it is read")
      ->required();
  cmd->add_option("-o,--output", flags->output, "Where to write the spec ('-' for standard output)")
      ->capture_default_str();
  cmd->add_option("--sample-rows", flags->sample_rows, "Data rows to read for the sample")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
      ->capture_default_str();
  add_dialect_flags(*cmd, flags->in);
  add_value_flags(*cmd, flags->in);
  cmd->callback([flags, &action] { action = [flags] { return run_infer(*flags); }; });
}

}  // namespace dsfill::cli
