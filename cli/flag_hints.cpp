#include "cli/flag_hints.h"

#include <algorithm>

#include <CLI/CLI.hpp>

namespace dsfill::cli {

namespace {

// Returns the optimal string alignment distance of a and b (Damerau-Levenshtein without
// repeated edits of one substring): a swap of two neighbours is one edit, as typos are.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

constexpr const char* kTokenRefusal =
    "--token is not accepted: a token on the command line is seen by every user of this machine "
    "(ps, /proc, shell history). Set DSFILL_TOKEN in the environment, or give --token-file FILE "
    "(a file only you can read)";

}  // namespace

std::string closest_name(std::string_view typed, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_score = 3;  // above the largest distance suggested
  bool tie = false;
  for (const std::string& name : known) {
    std::size_t score = edit_distance(typed, name);
    // A prefix either way ("--dataset" for "--dataset-code") is as good as one edit.
    if (typed.size() >= 3 && (name.starts_with(typed) || typed.starts_with(name))) {
      score = std::min<std::size_t>(score, 1);
    }
    if (score < best_score) {
      best = name;
      best_score = score;
      tie = false;
    } else if (score == best_score && score <= 2) {
      tie = true;
    }
  }
  return tie ? "" : best;
}

std::vector<std::string> long_flag_names(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const CLI::Option* option : cmd.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back(name);
  }
  return names;
}

std::string unexpected_arguments_message(const CLI::App& cmd,
                                         const std::vector<std::string>& extras) {
  const std::vector<std::string> known = long_flag_names(cmd);
  std::string message;
  bool after_unknown_option = false;
  std::size_t unnamed = 0;
  for (const std::string& arg : extras) {
    if (arg.size() > 1 && arg[0] == '-') {
      const std::string name = arg.substr(0, arg.find('='));
      if (name == "--token") return kTokenRefusal;
      if (!message.empty()) message += "; ";
      message += "unknown option " + name;
      const std::string bare = name.substr(name.find_first_not_of('-'));
      const std::string hint = name.starts_with("--") ? closest_name(bare, known) : "";
      if (!hint.empty()) message += " (did you mean --" + hint + "?)";
      after_unknown_option = true;
      continue;
    }
    // A word right after an unknown option may be its value, and a value may be a secret.
    if (after_unknown_option) {
      ++unnamed;
    } else {
      if (!message.empty()) message += "; ";
      message += "unexpected argument '" + arg + "'";
    }
    after_unknown_option = false;
  }
  if (unnamed > 0) {
    message += " (and " + std::to_string(unnamed) + " argument" + (unnamed == 1 ? "" : "s") +
               " after it, not shown)";
  }
  const bool top = cmd.get_parent() == nullptr;
  return message + ". See `dsfill " + (top ? "" : cmd.get_name() + " ") + "--help`";
}

}  // namespace dsfill::cli
