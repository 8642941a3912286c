// dsfill: the one executable. Parses the command line, runs the chosen subcommand, and turns
// errors into the documented exit codes; this is the only place that happens.
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/flag_hints.h"
#include "cli/input_flags.h"
#include "loader/heap_tuning.h"

namespace dsfill::cli {
namespace {

// Runs the command line; the subcommands' errors become exit codes here.
int run(int argc, char** argv) {
  dsfill::loader::keep_freed_blocks_warm();
  CLI::App app{
      "dsfill loads big CSV files into datasets through the POST /dataset-fill API, in bounded\n"
      "memory, without losing or duplicating a row. It also ships the reference server."};
  app.name("dsfill");
  app.footer(kExitCodesHelp);
  app.require_subcommand(1, 1);
  app.set_version_flag("--version", "dsfill 0.1.0");

  CommandAction action;
  add_encode_command(app, action);
  add_serve_command(app, action);
  add_load_command(app, action);
  add_bench_command(app, action);
  add_infer_command(app, action);
  add_check_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError& e) {
    // CLI11's own text lists the arguments as typed, values too ("--token x"): ours names
    // options only, and suggests the flag that was meant.
    const CLI::App* cmd = app.get_subcommands().empty() ? &app : app.get_subcommands().front();
    const std::string who = cmd == &app ? "dsfill" : "dsfill " + cmd->get_name();
    std::fprintf(stderr, "%s: %s\n", who.c_str(),
                 unexpected_arguments_message(*cmd, app.remaining(true)).c_str());
    return kExitUsage;
  } catch (const CLI::ParseError& e) {
    if (argc > 1 && argv[1][0] != '-' && app.get_subcommands().empty()) {
      std::fprintf(stderr, "dsfill: unknown command '%s'\n\n%s", argv[1], app.help().c_str());
      return kExitUsage;
    }
    app.exit(e);
    if (app.get_subcommands().empty()) std::fputs(app.help().c_str(), stderr);
    return kExitUsage;
  }

  try {
    return action ? action() : kExitUsage;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "dsfill: %s\n", e.what());
    return kExitUsage;
  } catch (const ErrorException& e) {
    std::fprintf(stderr, "dsfill: %s\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dsfill: internal error: %s\n", e.what());
    return kExitInternal;
  }
}

}  // namespace
}  // namespace dsfill::cli

// Turns anything that escapes run() (a bad option table, no memory) into an internal error
// instead of std::terminate.
int main(int argc, char** argv) {
  try {
    return dsfill::cli::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dsfill: internal error: %s\n", e.what());
  } catch (...) {
    std::fputs("dsfill: internal error: unknown exception\n", stderr);
  }
  return dsfill::cli::kExitInternal;
}
