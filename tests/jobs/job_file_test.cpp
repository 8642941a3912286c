// Job files: TOML values become option values, ${VAR} expands, the command line wins, unknown
// keys and a `token` key are refused by name.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include "cli/input_flags.h"
#include "cli/job_file.h"

namespace dsfill::cli {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(ExpandEnv, ReplacesVariablesAndKeepsEscapes) {
  const auto env = fake_env({{"HOST", "api.example"}, {"EMPTY", ""}});
  EXPECT_EQ(expand_env("https://${HOST}/api${EMPTY}", env, "w"), "https://api.example/api");
  EXPECT_EQ(expand_env("cost $5 and $${HOST} and $$", env, "w"), "cost $5 and ${HOST} and $$");
  EXPECT_NE(message_of([&] {
              expand_env("${MISSING}", env, "job.toml: key 'url'");
            }).find("job.toml: key 'url': the environment variable MISSING is not set"),
            std::string::npos);
  EXPECT_NE(message_of([&] { expand_env("${HOST", env, "w"); }).find("closing"), std::string::npos);
  EXPECT_NE(message_of([&] { expand_env("${1A}", env, "w"); }).find("not a variable name"),
            std::string::npos);
}

TEST(ParseJob, TurnsValuesIntoCommandLineText) {
  const auto items = parse_job_text(
      "url = \"http://${H}:8080\"\nbatch-rows = 500\ntimeout = 2.5\nno-complete = true\n"
      "header = [\"X-A: 1\", \"X-B: ${H}\"]\ninput = \"data.csv\"\n",
      "job.toml", fake_env({{"H", "127.0.0.1"}}));
  std::map<std::string, std::vector<std::string>> got;
  for (const auto& i : items) got[i.key] = i.values;
  EXPECT_EQ(got["url"], std::vector<std::string>{"http://127.0.0.1:8080"});
  EXPECT_EQ(got["batch-rows"], std::vector<std::string>{"500"});
  EXPECT_EQ(got["timeout"], std::vector<std::string>{"2.5"});
  EXPECT_EQ(got["no-complete"], std::vector<std::string>{"true"});
  EXPECT_EQ(got["header"], (std::vector<std::string>{"X-A: 1", "X-B: 127.0.0.1"}));
  EXPECT_EQ(got["input"], std::vector<std::string>{"data.csv"});
}

TEST(ParseJob, RefusesTokenTablesAndBadSyntax) {
  const auto env = fake_env({});
  EXPECT_NE(
      message_of([&] { parse_job_text("token = \"abc\"\n", "j.toml", env); }).find("DSFILL_TOKEN"),
      std::string::npos);
  EXPECT_EQ(message_of([&] { parse_job_text("token = \"abc\"\n", "j.toml", env); }).find("abc"),
            std::string::npos);  // never echo the value
  EXPECT_NE(message_of([&] {
              parse_job_text("[load]\nurl = \"x\"\n", "j.toml", env);
            }).find("tables are not supported"),
            std::string::npos);
  EXPECT_NE(message_of([&] { parse_job_text("url = \n", "j.toml", env); }).find("j.toml:1:"),
            std::string::npos);
}

struct Flags {
  std::string input, url = "default";
  int rows = 10;
  bool flag = false;
  std::vector<std::string> headers;
};

void define(CLI::App& cmd, Flags& f) {
  cmd.add_option("FILE", f.input);
  cmd.add_option("--url", f.url);
  cmd.add_option("--batch-rows", f.rows)->check(CLI::Range(1, 100));
  cmd.add_flag("--no-complete", f.flag);
  cmd.add_option("-H,--header", f.headers);
}

class ApplyJob : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("dsfill-job-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string job(const std::string& text) {
    const std::string path = (dir_ / "job.toml").string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(ApplyJob, FileFillsOptionsTheCommandLineLeftUnset) {
  CLI::App app;
  auto* cmd = app.add_subcommand("load");
  Flags f;
  define(*cmd, f);
  const char* argv[] = {"dsfill", "load", "--url", "from-cli", "-H", "X-C: 3"};
  app.parse(6, const_cast<char**>(argv));
  apply_job_file(*cmd,
                 job("url = \"from-file\"\nbatch-rows = 42\nno-complete = true\n"
                     "header = [\"X-A: 1\"]\ninput = \"d.csv\"\n"),
                 fake_env({}));
  EXPECT_EQ(f.url, "from-cli");
  EXPECT_EQ(f.rows, 42);
  EXPECT_TRUE(f.flag);
  EXPECT_EQ(f.headers, std::vector<std::string>{"X-C: 3"});
  EXPECT_EQ(f.input, "d.csv");
}

TEST_F(ApplyJob, UnknownKeysAndInvalidValuesNameTheKey) {
  CLI::App app;
  auto* cmd = app.add_subcommand("load");
  Flags f;
  define(*cmd, f);
  const char* argv[] = {"dsfill", "load"};
  app.parse(2, const_cast<char**>(argv));
  EXPECT_NE(message_of([&] {
              apply_job_file(*cmd, job("batch-size = 3\n"), fake_env({}));
            }).find("key 'batch-size': unknown key"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              apply_job_file(*cmd, job("batch-rowz = 3\n"), fake_env({}));
            }).find("key 'batch-rowz': unknown key (did you mean 'batch-rows'?)"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              apply_job_file(*cmd, job("batch-rows = 1000\n"), fake_env({}));
            }).find("key 'batch-rows'"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              apply_job_file(*cmd, "/nonexistent/job.toml", fake_env({}));
            }).find("/nonexistent/job.toml"),
            std::string::npos);
}

}  // namespace
}  // namespace dsfill::cli
