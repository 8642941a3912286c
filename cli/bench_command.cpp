// `dsfill bench`: runs the load pipeline with a sink in place of the network and reports the
// throughput of each stage (reader, encoders) and overall.
#include <memory>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/input_flags.h"
#include "cli/load_report.h"
#include "loader/pipeline.h"
#include "loader/report.h"

namespace dsfill::cli {

namespace {

struct BenchFlags {
  std::string input;
  int encoders = 0;
  std::string summary_json;
  bool validate_first = false;
  InputFlags in;
};

int run_bench(const BenchFlags& f) {
  loader::LoadOptions o = input_load_options(f.input, f.in, f.encoders);
  o.target = loader::Target::kBench;
  o.user_code = "bench";
  o.dataset_code = "bench";
  o.progress = loader::ProgressMode::kNever;
  o.validate_first = f.validate_first;
  const loader::LoadReport report = loader::run_load(o);
  print_report("bench", report, f.summary_json);
  return exit_code(report);
}

}  // namespace

void add_bench_command(CLI::App& app, CommandAction& action) {
  auto f = std::make_shared<BenchFlags>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Run the load pipeline with a sink instead of the network; report MB/s per stage");
  cmd->add_option("FILE", f->input,
                  "CSV file to read ('-' for standard input); gzip, zstd, bzip2 or xz "
                  "input is decompressed as it is read")
      ->required();
  cmd->add_option("--encoders", f->encoders, "Encoder threads (0: one per core)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  cmd->add_option("--summary-json", f->summary_json, "Also write the results as JSON to this file");
  cmd->add_flag("--validate-first", f->validate_first,
                "First check the whole input as load --validate-first does (nothing encoded), "
                "and report that pass's time and MB/s beside the run's");
  add_input_flags(*cmd, f->in, LevelDefault::kAuto);
  cmd->callback([f, &action] { action = [f] { return run_bench(*f); }; });
}

}  // namespace dsfill::cli
