// Shared by `load` and `bench`: how a finished run is printed and which exit code it gives.
#pragma once

#include <string>

#include "loader/load_options.h"

namespace dsfill::cli {

// Maps a finished load to its exit code (see cli/exit_codes.h).
int exit_code(const loader::LoadReport& report);

// Prints the summary (stdout; none for a load that never started) and the error, once
// (stderr), and writes `summary_json` when not empty: a file, or "-" for one JSON line printed
// last on stdout.
void print_report(const char* command, const loader::LoadReport& report,
                  const std::string& summary_json);

}  // namespace dsfill::cli
