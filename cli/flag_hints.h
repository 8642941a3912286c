// "Did you mean" for a mistyped flag or job-file key, and the refusal of a token on the command
// line: what a first-time user's mistakes are answered with (exit 2).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/cli11_fwd.h"

namespace dsfill::cli {

// Returns the entry of `known` closest to `typed`: one it starts with, or that starts with it,
// or within 2 edits (insert, delete, replace, or swap two neighbours); "" when none is, or when
// two are equally close.
std::string closest_name(std::string_view typed, const std::vector<std::string>& known);

// Returns the long flags of `cmd` without their dashes ("dataset-code", ...).
std::vector<std::string> long_flag_names(const CLI::App& cmd);

// Returns the message for arguments `cmd` did not expect (`extras`, as CLI11 left them): each
// unknown option by name only, with the closest long flag; --token (and --token=...) refused
// with the pointer to DSFILL_TOKEN and --token-file. Never holds a value that follows or is
// attached to an unknown option: it may be a secret.
std::string unexpected_arguments_message(const CLI::App& cmd,
                                         const std::vector<std::string>& extras);

}  // namespace dsfill::cli
