// --metrics-file: the exposition text and the carried-over last success.
#include "loader/metrics_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/loader/temp_dir.h"

namespace dsfill::loader {
namespace {

constexpr const char* kLabels = "{user_code=\"u1\",dataset_code=\"sales\"}";

std::string line_of(const std::string& text, const std::string& metric) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(metric + "{", 0) == 0) return line;
  }
  return "";
}

TEST(MetricsFile, ASuccessfulRunReportsItsFiguresAndIsTheLastSuccess) {
  LoadReport r;
  r.rows = 1'190'000;
  r.bytes_in = 123'456'789;
  r.bytes_sent = 9'876'543;
  r.batches = 17;
  r.requests = 19;
  r.retries = 2;
  r.rejects.rows = 3;
  r.completed = true;
  r.wall_seconds = 12.5;
  const std::string text = metrics_text(&r, 0, {"u1", "sales"}, 1'764'770'000, 1'000);
  EXPECT_EQ(line_of(text, "dsfill_rows"), std::string("dsfill_rows") + kLabels + " 1190000");
  EXPECT_EQ(line_of(text, "dsfill_input_bytes"),
            std::string("dsfill_input_bytes") + kLabels + " 123456789");
  EXPECT_EQ(line_of(text, "dsfill_retries"), std::string("dsfill_retries") + kLabels + " 2");
  EXPECT_EQ(line_of(text, "dsfill_rejected_rows"),
            std::string("dsfill_rejected_rows") + kLabels + " 3");
  EXPECT_EQ(line_of(text, "dsfill_duration_seconds"),
            std::string("dsfill_duration_seconds") + kLabels + " 12.5");
  EXPECT_EQ(line_of(text, "dsfill_exit_code"), std::string("dsfill_exit_code") + kLabels + " 0");
  EXPECT_EQ(line_of(text, "dsfill_last_success_timestamp_seconds"),
            std::string("dsfill_last_success_timestamp_seconds") + kLabels + " 1764770000");
  EXPECT_NE(text.find("# TYPE dsfill_rows gauge\n"), std::string::npos);
  EXPECT_EQ(last_success_in(text), 1'764'770'000.0);
}

TEST(MetricsFile, AFailedRunKeepsTheEarlierSuccessOrHasNone) {
  LoadReport r;
  const std::string failed = metrics_text(&r, 5, {"u1", "sales"}, 2'000, 1'500);
  EXPECT_EQ(line_of(failed, "dsfill_exit_code"), std::string("dsfill_exit_code") + kLabels + " 5");
  EXPECT_EQ(last_success_in(failed), 1'500.0);
  EXPECT_EQ(line_of(failed, "dsfill_last_run_timestamp_seconds"),
            std::string("dsfill_last_run_timestamp_seconds") + kLabels + " 2000");
  const std::string never = metrics_text(nullptr, 2, {"u1", "sales"}, 2'000, std::nullopt);
  EXPECT_EQ(line_of(never, "dsfill_last_success_timestamp_seconds"), "");
  EXPECT_EQ(last_success_in(never), std::nullopt);
  EXPECT_EQ(line_of(never, "dsfill_rows"), std::string("dsfill_rows") + kLabels + " 0");
}

TEST(MetricsFile, LabelValuesAreEscaped) {
  const std::string text = metrics_text(nullptr, 0, {"a\"b", "c\\d\ne"}, 1, std::nullopt);
  EXPECT_NE(text.find("{user_code=\"a\\\"b\",dataset_code=\"c\\\\d\\ne\"}"), std::string::npos)
      << text;
}

TEST(MetricsFile, TheFileCarriesTheLastSuccessAcrossAFailedRun) {
  testing::TempDir dir;
  const std::string path = dir.file("load.prom");
  LoadReport ok;
  ok.rows = 10;
  ASSERT_TRUE(write_metrics_file(path, &ok, 0, {"u", "d"}));
  std::ifstream first_in(path);
  std::stringstream first;
  first << first_in.rdbuf();
  const auto success = last_success_in(first.view());
  ASSERT_TRUE(success.has_value());

  ASSERT_TRUE(write_metrics_file(path, nullptr, 5, {"u", "d"}));
  std::ifstream second_in(path);
  std::stringstream second;
  second << second_in.rdbuf();
  EXPECT_EQ(last_success_in(second.view()), success);
  EXPECT_NE(second.str().find("dsfill_exit_code{user_code=\"u\",dataset_code=\"d\"} 5\n"),
            std::string::npos);
  EXPECT_FALSE(std::ifstream(path + ".tmp").good()) << "the temporary file is left behind";
}

}  // namespace
}  // namespace dsfill::loader
