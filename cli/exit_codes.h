// The exit codes of dsfill, documented in `dsfill --help` and the README.
#pragma once

namespace dsfill::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;  // a bug or an unexpected failure
inline constexpr int kExitUsage = 2;     // bad flags or arguments (CLI11 parse errors too)
inline constexpr int kExitBadInput = 3;  // malformed CSV, bad encoding, unreadable file
inline constexpr int kExitRejected = 4;  // the server rejected a batch (4xx)
inline constexpr int kExitNetwork =
    5;  // gave up on the network (resumable when a checkpoint was kept)
inline constexpr int kExitCountMismatch = 6;  // the server's row count differs from the rows sent
inline constexpr int kExitLocked = 7;         // another run holds the job's lock
inline constexpr int kExitSigint = 130;
inline constexpr int kExitSigterm = 143;

inline constexpr const char* kExitCodesHelp =
    "Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input, 4 server rejected a batch,\n"
    "5 gave up on the network (resumable with the printed command when a checkpoint was kept,\n"
    "as it is by default for a file), 6 server row count differs from rows sent, 7 lock held,\n"
    "130/143 interrupted by SIGINT/SIGTERM.";

}  // namespace dsfill::cli
