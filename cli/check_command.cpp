// `dsfill check`: the validation pass of a load alone. Reads the whole file with the dialect,
// columns and value flags a load takes, checks every value by the rules the reference server
// applies, and lists every problem (row, byte, field, reason) in one run, then counts them by
// reason. Exit 0 when the file is clean, 3 when it is not. Sends nothing.
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/input_flags.h"
#include "cli/load_report.h"
#include "loader/pipeline.h"
#include "loader/reject_log.h"
#include "loader/report.h"

namespace dsfill::cli {

namespace {

struct CheckFlags {
  std::string input;
  int encoders = 0;
  std::size_t max_errors = 100;
  std::string summary_json;
  std::string progress = "auto";
  InputFlags in;
};

int run_check(const CheckFlags& f) {
  loader::LoadOptions o = input_load_options(f.input, f.in, f.encoders);
  o.target = loader::Target::kCheck;
  o.user_code = "check";
  o.dataset_code = "check";
  o.compress = false;
  o.max_errors = f.max_errors;
  o.progress = f.progress == "always"  ? loader::ProgressMode::kAlways
               : f.progress == "never" ? loader::ProgressMode::kNever
                                       : loader::ProgressMode::kAuto;
  const loader::LoadReport report = loader::run_load(o);
  const std::string name = f.input == "-" ? "standard input" : f.input;
  for (const auto& problem : report.reject_examples) {
    std::printf("%s: %s\n", name.c_str(), loader::describe_reject(problem).c_str());
  }
  if (report.rejects.rows > report.reject_examples.size()) {
    std::printf(
        "%s: ... and %llu more (--max-errors %zu lists the first)\n", name.c_str(),
        static_cast<unsigned long long>(report.rejects.rows - report.reject_examples.size()),
        f.max_errors);
  }
  print_report("check", report, f.summary_json);
  return exit_code(report);
}

}  // namespace

void add_check_command(CLI::App& app, CommandAction& action) {
  auto f = std::make_shared<CheckFlags>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Check a whole CSV file as `load` would read it (same dialect, --columns and value flags) "
      "and list every problem with row, byte, field and reason; sends nothing. Exit 0 when "
      "clean, 3 otherwise");
  cmd->add_option("FILE", f->input,
                  "CSV file to check ('-' for standard input); gzip, zstd, bzip2 or xz "
                  "input is decompressed as it is read")
      ->required();
  cmd->add_option("--max-errors", f->max_errors,
                  "Problems to list, at most (all are counted by reason)")
      ->capture_default_str();
  cmd->add_option("--encoders", f->encoders, "Checker threads (0: one per core)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  cmd->add_option("--summary-json", f->summary_json,
                  "Also write the summary, with the problems listed, as JSON to this file");
  cmd->add_option("--progress", f->progress,
                  "Progress line on stderr: auto (a terminal), always, "
                  "never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  add_dialect_flags(*cmd, f->in);
  add_column_match_flags(*cmd, f->in);
  add_value_flags(*cmd, f->in);
  cmd->add_option("--columns", f->in.columns_path,
                  "Columns spec file, as for load: values are checked against its types")
      ->check(CLI::ExistingFile);
  cmd->add_option("--batch-bytes", f->in.batch_bytes, "CSV bytes read per batch")
      ->capture_default_str();
  cmd->callback([f, &action] { action = [f] { return run_check(*f); }; });
}

}  // namespace dsfill::cli
