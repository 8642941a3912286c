// How subcommands plug into the one `dsfill` executable.
//
// Each subcommand lives in its own file and exposes one add_*_command() function. It defines its
// options (each with default and help text) on a CLI11 subcommand and, when that subcommand is
// parsed, stores in `action` the function that runs it and returns the process exit code.
#pragma once

#include <functional>

#include "cli/cli11_fwd.h"

namespace dsfill::cli {

using CommandAction = std::function<int()>;

void add_encode_command(CLI::App& app, CommandAction& action);
void add_serve_command(CLI::App& app, CommandAction& action);
void add_load_command(CLI::App& app, CommandAction& action);
void add_bench_command(CLI::App& app, CommandAction& action);
void add_infer_command(CLI::App& app, CommandAction& action);
void add_check_command(CLI::App& app, CommandAction& action);

}  // namespace dsfill::cli
