// Job files: every `dsfill load` option can come from a TOML file (`--job FILE.toml`).
//
// Keys are the long flags without dashes (`url`, `user-code`, `batch-rows`), `input` is the
// positional FILE, repeatable flags take arrays (`header = ["X-A: 1"]`) and flags take booleans
// (`no-complete = true`). String values expand `${NAME}` from the environment (`$${` writes a
// literal `${`), so secrets stay out of the file. Flags given on the command line win over the
// file. A `token` key is refused: the token comes only from DSFILL_TOKEN or --token-file.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli11_fwd.h"

namespace dsfill::cli {

// Returns the value of an environment variable, or nullopt when it is unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Returns the process environment as an EnvLookup.
EnvLookup process_env();

// One key of a job file with its values as command-line text (one per array element).
struct JobItem {
  std::string key;
  std::vector<std::string> values;
};

// Returns `text` with every `${NAME}` replaced by NAME's value and `$${` by `${`.
// Throws UsageError naming `where` and the variable when a variable is unset or a `${` is not
// closed.
std::string expand_env(std::string_view text, const EnvLookup& env, const std::string& where);

// Parses the TOML text of a job file (named `path` in errors) into items, sorted by key.
// Throws UsageError on a TOML syntax error (with line and column), a nested table, a `token`
// key, or an unset variable.
std::vector<JobItem> parse_job_text(std::string_view text, const std::string& path,
                                    const EnvLookup& env);

// Reads the job file at `path` and applies each item to the option of `cmd` it names, unless
// that option was given on the command line (count() > 0). Runs the options' validators.
// Throws UsageError naming the key when a key names no option or a value is invalid.
void apply_job_file(CLI::App& cmd, const std::string& path, const EnvLookup& env = process_env());

}  // namespace dsfill::cli
