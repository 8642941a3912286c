// The state directory and the names of a load's state files: created 0700 from
// $STATE_DIRECTORY (its first entry), else $XDG_STATE_HOME/dsfill; an unusable one is a usage
// error; names differ for every part of the load's identity and are safe file names.
#include "cli/state_dir.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "cli/input_flags.h"

namespace dsfill::cli {
namespace {

class StateDir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "dsfill-state-XXXXXX").string();
    root_ = ::mkdtemp(tmpl.data());
    for (const char* name : {"STATE_DIRECTORY", "XDG_STATE_HOME"}) {
      if (const char* v = std::getenv(name)) saved_.emplace_back(name, v);
      ::unsetenv(name);
    }
  }
  void TearDown() override {
    ::unsetenv("STATE_DIRECTORY");
    ::unsetenv("XDG_STATE_HOME");
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
    std::filesystem::remove_all(root_);
  }
  std::filesystem::path root_;
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(StateDir, CreatedPrivateFromTheEnvironment) {
  const std::string dir = (root_ / "a" / "b").string();
  ::setenv("STATE_DIRECTORY", (dir + ":" + (root_ / "other").string()).c_str(), 1);
  EXPECT_EQ(state_directory(), dir);
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ::unsetenv("STATE_DIRECTORY");
  ::setenv("XDG_STATE_HOME", root_.c_str(), 1);
  EXPECT_EQ(state_directory(), (root_ / "dsfill").string());
}

TEST_F(StateDir, UnusableIsAUsageError) {
  std::ofstream(root_ / "file") << "x";
  ::setenv("STATE_DIRECTORY", (root_ / "file" / "state").c_str(), 1);
  EXPECT_THROW(state_directory(), UsageError);
}

TEST_F(StateDir, NamesTellLoadsApart) {
  const LoadKey base{.url = "http://h/api",
                     .user_code = "u",
                     .dataset_code = "sales/2024 ü",
                     .shard = "",
                     .paths = {"/data/in.csv"}};
  const std::string name = state_name(base);
  EXPECT_EQ(name, state_name(base));
  EXPECT_EQ(name.rfind("sales_2024___-", 0), 0u) << name;
  EXPECT_EQ(name.size(), std::string("sales_2024___-").size() + 16);
  std::set<std::string> names{name};
  LoadKey k = base;
  k.url = "http://h/api2";
  names.insert(state_name(k));
  k = base;
  k.user_code = "v";
  names.insert(state_name(k));
  k = base;
  k.dataset_code = "other";
  names.insert(state_name(k));
  k = base;
  k.shard = "1/2";
  names.insert(state_name(k));
  k = base;
  k.paths = {"/data/in2.csv"};
  names.insert(state_name(k));
  k = base;
  k.paths = {"/data/in.csv", "/data/more.csv"};
  names.insert(state_name(k));
  EXPECT_EQ(names.size(), 7u);
  k = base;
  k.dataset_code = "..";
  EXPECT_EQ(state_name(k).rfind("load..-", 0), 0u);
}

}  // namespace
}  // namespace dsfill::cli
