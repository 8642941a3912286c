// Runs the `dsfill` binary as a user does, for the tests built with RUNS_DSFILL (DSFILL_BIN).
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

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

// Starts `dsfill ARGS` (its output discarded), polls `ready` up to `polls` times `interval`
// apart, then kills it with SIGKILL, as a crash or the OOM killer would; returns its wait
// status (WIFSIGNALED unless it finished before the kill). The kill -9 tests stop a load at a
// chosen point with it.
inline int kill_dsfill_when(const std::string& args, const std::function<bool()>& ready, int polls,
                            std::chrono::milliseconds interval) {
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    std::abort();
  }
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", ("exec " DSFILL_BIN + args + " >/dev/null 2>&1").c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < polls && !ready(); ++i) std::this_thread::sleep_for(interval);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

}  // namespace dsfill::testing
