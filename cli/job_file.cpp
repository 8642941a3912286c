#include "cli/job_file.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/core.h>
#include <toml++/toml.h>
#include <CLI/CLI.hpp>

#include "cli/flag_hints.h"
#include "cli/input_flags.h"

namespace dsfill::cli {

namespace {

bool is_name_char(char c, bool first) {
  return c == '_' || std::isalpha(static_cast<unsigned char>(c)) ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

// Returns one scalar as the text a user would type on the command line.
std::string scalar_text(const toml::node& node, const std::string& where, const EnvLookup& env) {
  if (const auto* s = node.as_string()) return expand_env(s->get(), env, where);
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* f = node.as_floating_point()) return fmt::format("{}", f->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (node.is_date() || node.is_time() || node.is_date_time()) {
    std::ostringstream text;
    node.visit([&](const auto& v) { text << v; });
    return text.str();
  }
  throw UsageError(where + ": expected a string, number or boolean");
}

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::string expand_env(std::string_view text, const EnvLookup& env, const std::string& where) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    if (text.substr(i, 3) == "$${") {  // the escape: a literal "${"
      out += "${";
      i += 2;
      continue;
    }
    if (text.substr(i, 2) != "${") {
      out += '$';
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      throw UsageError(where + ": '${' without a closing '}' (write '$${' for a literal '${')");
    }
    const std::string name(text.substr(i + 2, close - i - 2));
    bool valid = !name.empty();
    for (std::size_t k = 0; valid && k < name.size(); ++k) valid = is_name_char(name[k], k == 0);
    if (!valid) throw UsageError(fmt::format("{}: '${{{}}}' is not a variable name", where, name));
    const auto value = env(name);
    if (!value)
      throw UsageError(fmt::format("{}: the environment variable {} is not set", where, name));
    out += *value;
    i = close;
  }
  return out;
}

std::vector<JobItem> parse_job_text(std::string_view text, const std::string& path,
                                    const EnvLookup& env) {
  toml::table table;
  try {
    table = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw UsageError(fmt::format("{}:{}:{}: {}", path, e.source().begin.line,
                                 e.source().begin.column, e.description()));
  }
  std::vector<JobItem> items;
  for (auto&& [key, node] : table) {
    JobItem item;
    item.key = std::string(key.str());
    const std::string where = path + ": key '" + item.key + "'";
    if (item.key == "token") {
      throw UsageError(where +
                       ": the token is not read from job files; set DSFILL_TOKEN or "
                       "use token-file = \"PATH\"");
    }
    if (node.is_table())
      throw UsageError(where + ": tables are not supported (use top-level keys)");
    if (const auto* array = node.as_array()) {
      for (const toml::node& element : *array)
        item.values.push_back(scalar_text(element, where, env));
    } else {
      item.values.push_back(scalar_text(node, where, env));
    }
    items.push_back(std::move(item));
  }
  return items;
}

void apply_job_file(CLI::App& cmd, const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read the job file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  for (const JobItem& item : parse_job_text(text.str(), path, env)) {
    const std::string where = path + ": key '" + item.key + "'";
    CLI::Option* option = item.key == "input" ? cmd.get_option_no_throw("FILE")
                                              : cmd.get_option_no_throw("--" + item.key);
    if (option == nullptr || item.key == "job" || item.key == "help" || item.key == "FILE") {
      std::vector<std::string> keys = long_flag_names(cmd);
      std::erase_if(keys, [](const std::string& k) { return k == "job" || k == "help"; });
      keys.emplace_back("input");
      const std::string hint = closest_name(item.key, keys);
      throw UsageError(where + ": unknown key" +
                       (hint.empty() ? std::string() : " (did you mean '" + hint + "'?)") +
                       " (keys are the long flags of `dsfill " + cmd.get_name() +
                       "` without dashes, and `input` for the file)");
    }
    if (option->count() > 0) continue;  // the command line wins
    if (item.values.empty()) continue;  // an empty array sets nothing
    try {
      if (option->get_expected_min() == 0) {
        for (const std::string& value : item.values) {
          option->add_result(option->get_flag_value(item.key, value));
        }
      } else {
        option->add_result(item.values);
      }
      option->run_callback();
    } catch (const CLI::ParseError& e) {
      throw UsageError(where + ": " + e.what());
    }
  }
}

}  // namespace dsfill::cli
