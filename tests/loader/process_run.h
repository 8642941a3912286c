// Runs the `dsfill` binary as a user does, for the tests built with RUNS_DSFILL (DSFILL_BIN).
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "tests/loader/temp_dir.h"

namespace dsfill::testing {

// Every dsfill a test binary starts, however it starts it (dsfill() below, std::system, exec),
// keeps its default checkpoint and lock in a directory of that binary's own, removed at its
// end, never in the user's ~/.local/state/dsfill.
inline const bool kOwnStateDirectory = [] {
  if (std::getenv("STATE_DIRECTORY") == nullptr) {
    static const TempDir state;
    ::setenv("STATE_DIRECTORY", state.file("state").c_str(), 1);
  }
  return true;
}();

struct ProcessRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `dsfill ARGS` through the shell, bounded to `seconds`, capturing stdout and stderr in
// files of `dir`. Unless `env` sets STATE_DIRECTORY, each run gets a state directory of its own
// in `dir` (so the default checkpoint of one run never meets another's: tests that load one
// file many times stay independent); a test of the default checkpoint passes its own.
inline ProcessRun dsfill(const TempDir& dir, const std::string& args, const std::string& env = "",
                         int seconds = 30) {
  static int runs = 0;
  const std::string out = dir.file("out.txt"), err = dir.file("err.txt");
  const std::string state = env.find("STATE_DIRECTORY=") == std::string::npos
                                ? "STATE_DIRECTORY=" + dir.file("state-" + std::to_string(++runs))
                                : std::string();
  const std::string cmd = state + " " + env + " timeout " + std::to_string(seconds) +
                          " " DSFILL_BIN " " + args + " >" + out + " 2>" + err;
  ProcessRun run;
  const int status = std::system(cmd.c_str());
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = slurp(out);
  run.err = slurp(err);
  return run;
}

}  // namespace dsfill::testing
