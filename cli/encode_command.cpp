// `dsfill encode`: writes the dataset-fill request bodies for a CSV file, one JSON object per
// line, without sending them. With one batch it is the API documentation's sample client, done
// right: streaming, row-aligned batches, exact escaping.
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/input_flags.h"
#include "cli/load_report.h"
#include "loader/pipeline.h"

namespace dsfill::cli {

namespace {

struct EncodeFlags {
  std::string input;
  std::string output = "-";
  std::string user_code = "user";
  std::string dataset_code = "dataset";
  std::string mode = "append";
  int encoders = 0;
  InputFlags in;
};

int run_encode(const EncodeFlags& flags) {
  if (flags.in.auto_level) {
    // There is no network to adapt to: the bodies go to a file.
    throw UsageError(
        "--level auto adapts to the network while loading; encode writes bodies "
        "at one level: pass 0 to 12");
  }
  // The load pipeline with a file sink: the same reader, chunker and encoders as `load`, so the
  // bodies are exactly those a load would send (bar the load id in Idempotency-Keys).
  loader::LoadOptions o = input_load_options(flags.input, flags.in, flags.encoders);
  o.target = loader::Target::kFile;
  o.output = flags.output;
  o.user_code = flags.user_code;
  o.dataset_code = flags.dataset_code;
  o.replace = flags.mode == "replace";
  o.progress = loader::ProgressMode::kNever;
  const loader::LoadReport report = loader::run_load(o);
  if (report.outcome != loader::Outcome::kOk) {
    std::fprintf(stderr, "dsfill encode: %s\n", report.message.c_str());
    return exit_code(report);
  }
  std::fprintf(
      stderr, "dsfill encode: %llu rows in %llu bodies, %llu CSV bytes -> %llu body bytes\n",
      static_cast<unsigned long long>(report.rows), static_cast<unsigned long long>(report.batches),
      static_cast<unsigned long long>(report.bytes_in),
      static_cast<unsigned long long>(report.bytes_sent) + report.batches);
  return kExitOk;
}

}  // namespace

void add_encode_command(CLI::App& app, CommandAction& action) {
  auto flags = std::make_shared<EncodeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "encode",
      "Write the POST /dataset-fill request bodies for a CSV file, one JSON object per line, "
      "without sending them");
  cmd->add_option("FILE", flags->input,
                  "CSV file to encode ('-' for standard input); gzip, zstd, bzip2 or xz "
                  "input is decompressed as it is read")
      ->required();
  cmd->add_option("-o,--output", flags->output,
                  "Where to write the bodies ('-' for standard output)")
      ->capture_default_str();
  cmd->add_option("--user-code", flags->user_code, "user-code written in each body")
      ->capture_default_str();
  cmd->add_option("--dataset-code", flags->dataset_code, "dataset-code written in each body")
      ->capture_default_str();
  cmd->add_option("--mode", flags->mode,
                  "append: every body appends; replace: the first body truncates (append: false)")
      ->check(CLI::IsMember({"append", "replace"}))
      ->capture_default_str();
  cmd->add_option("--encoders", flags->encoders, "Encoder threads (0: one per core)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  add_input_flags(*cmd, flags->in);
  cmd->callback([flags, &action] { action = [flags] { return run_encode(*flags); }; });
}

}  // namespace dsfill::cli
