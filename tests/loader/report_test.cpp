#include "loader/report.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace dsfill::loader {
namespace {

TEST(Report, FormatsNumbers) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1000), "1,000");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1500), "1.5 kB");
  EXPECT_EQ(format_bytes(200e6), "200.0 MB");
  EXPECT_EQ(format_bytes(2.5e9), "2.5 GB");
  EXPECT_EQ(format_duration(12.34), "12.3 s");
  EXPECT_EQ(format_duration(243), "0:04:03");
  EXPECT_EQ(format_duration(3723), "1:02:03");
}

TEST(Report, ProgressLineWithKnownSize) {
  ProgressSnapshot s{50'000'000, 200'000'000, 1'234'567, 2, 2.0};
  EXPECT_EQ(format_progress(s),
            "50.0 MB / 200.0 MB (25.0%)  1,234,567 rows  25.0 MB/s  617,283 rows/s  ETA 0:00:06"
            "  retries 2");
}

TEST(Report, ProgressLineForAPipe) {
  ProgressSnapshot s{3'000'000, std::nullopt, 10, 0, 1.5};
  EXPECT_EQ(format_progress(s), "3.0 MB  10 rows  2.0 MB/s  6 rows/s  retries 0");
  ProgressSnapshot start{0, 100, 0, 0, 0};
  EXPECT_EQ(format_progress(start), "0 B / 100 B (0.0%)  0 rows  0.0 MB/s  0 rows/s  retries 0");
}

LoadReport sample() {
  LoadReport r;
  r.rows = 1000;
  r.batches = 4;
  r.bytes_in = 100'000'000;
  r.bytes_sent = 25'000'000;
  r.requests = 6;
  r.retries = 1;
  r.connects = 2;
  r.wall_seconds = 4;
  r.stages = {{"reader", 1, 0.5}, {"encoder", 2, 6.0}, {"sender", 1, 1.0}};
  r.server_rows_count = 1000;
  r.server_rows_inserted = 1000;
  r.completed = true;
  r.kernels = {"avx512", "avx512", "avx512"};
  return r;
}

TEST(Report, BottleneckIsTheBusiestStagePerThread) {
  LoadReport r = sample();
  EXPECT_EQ(r.bottleneck(), "encoder");  // 6 s over 2 threads in 4 s: 75%
  r.stages[2].busy_seconds = 3.5;
  EXPECT_EQ(r.bottleneck(), "sender");
}

TEST(Report, HumanSummaryNamesEverything) {
  const std::string text = format_summary(sample());
  EXPECT_NE(text.find("load: ok"), std::string::npos) << text;
  EXPECT_NE(text.find("rows:         1,000"), std::string::npos) << text;
  EXPECT_NE(text.find("compression ratio 4.00"), std::string::npos) << text;
  EXPECT_NE(text.find("25.0 MB/s"), std::string::npos) << text;
  EXPECT_NE(text.find("6 (1 retries, 2 connects)"), std::string::npos) << text;
  EXPECT_NE(text.find("encoder: busy   3.00 s x2 (  75%)"), std::string::npos) << text;
  EXPECT_NE(text.find("<- bottleneck"), std::string::npos) << text;
  EXPECT_NE(text.find("server rows:  1,000 (dataset completed)"), std::string::npos) << text;
  EXPECT_EQ(text.find("kernels:"), std::string::npos) << text;  // a load's summary stays short
}

TEST(Report, BenchSummaryNamesTheKernels) {
  LoadReport r = sample();
  r.target = Target::kBench;
  r.kernels = {"ssse3", "sse2", "portable"};
  const std::string text = format_summary(r);
  EXPECT_NE(text.find("kernels:      transcoder ssse3, boundary sse2, base64 portable"),
            std::string::npos)
      << text;
  const auto v = boost::json::parse(summary_json(r));
  const auto& kernels = v.as_object().at("kernels").as_object();
  EXPECT_EQ(kernels.at("transcoder").as_string(), "ssse3");
  EXPECT_EQ(kernels.at("boundary").as_string(), "sse2");
  EXPECT_EQ(kernels.at("base64").as_string(), "portable");
}

TEST(Report, JsonSummaryCarriesTheFigures) {
  LoadReport r = sample();
  r.outcome = Outcome::kCountMismatch;
  r.message = "differs";
  auto v = boost::json::parse(summary_json(r));
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("outcome").as_string(), "count_mismatch");
  EXPECT_EQ(o.at("rows").to_number<std::uint64_t>(), 1000u);
  EXPECT_EQ(o.at("bytes_sent").to_number<std::uint64_t>(), 25'000'000u);
  EXPECT_DOUBLE_EQ(o.at("compression_ratio").as_double(), 4.0);
  EXPECT_DOUBLE_EQ(o.at("mb_per_second").as_double(), 25.0);
  EXPECT_EQ(o.at("bottleneck").as_string(), "encoder");
  EXPECT_EQ(o.at("stages").as_array().size(), 3u);
  EXPECT_EQ(o.at("server_rows_count").to_number<std::int64_t>(), 1000);
}

}  // namespace
}  // namespace dsfill::loader
