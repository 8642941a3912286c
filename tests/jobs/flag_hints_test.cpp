// "Did you mean": the closest flag by edit distance or prefix, and messages that never hold a
// value typed after an unknown option.
#include "cli/flag_hints.h"

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

namespace dsfill::cli {
namespace {

const std::vector<std::string> kFlags = {"dataset-code", "user-code",   "url",
                                         "batch-rows",   "batch-bytes", "token-file"};

TEST(ClosestName, TyposWithinTwoEditsAndPrefixes) {
  EXPECT_EQ(closest_name("dataset-cod", kFlags), "dataset-code");
  EXPECT_EQ(closest_name("datset-code", kFlags), "dataset-code");
  EXPECT_EQ(closest_name("usre-code", kFlags), "user-code");  // a swap is one edit
  EXPECT_EQ(closest_name("dataset", kFlags), "dataset-code");
  EXPECT_EQ(closest_name("batch", kFlags), "");  // batch-rows or batch-bytes: no guess
  EXPECT_EQ(closest_name("compression", kFlags), "");
}

TEST(UnexpectedArguments, NamesOptionsNeverValues) {
  CLI::App app;
  CLI::App* cmd = app.add_subcommand("load");
  std::string value;
  cmd->add_option("--dataset-code", value);
  const std::string m = unexpected_arguments_message(*cmd, {"--dataset-cod", "s3cr3t"});
  EXPECT_NE(m.find("unknown option --dataset-cod (did you mean --dataset-code?)"),
            std::string::npos)
      << m;
  EXPECT_EQ(m.find("s3cr3t"), std::string::npos) << m;
  const std::string eq = unexpected_arguments_message(*cmd, {"--dataset-cod=s3cr3t"});
  EXPECT_EQ(eq.find("s3cr3t"), std::string::npos) << eq;
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--token", "s3cr3t"}, {"--token=s3cr3t"}}) {
    const std::string t = unexpected_arguments_message(*cmd, args);
    EXPECT_NE(t.find("DSFILL_TOKEN"), std::string::npos) << t;
    EXPECT_NE(t.find("--token-file"), std::string::npos) << t;
    EXPECT_EQ(t.find("s3cr3t"), std::string::npos) << t;
  }
}

}  // namespace
}  // namespace dsfill::cli
