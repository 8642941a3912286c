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
  ProgressSnapshot s{50'000'000, 200'000'000, 1'234'567, 2, 2.0, 0, {}};
  EXPECT_EQ(format_progress(s),
            "50.0 MB / 200.0 MB (25.0%)  1,234,567 rows  25.0 MB/s  617,283 rows/s  ETA 0:00:06"
            "  retries 2");
}

TEST(Report, ProgressLineForAPipe) {
  ProgressSnapshot s{3'000'000, std::nullopt, 10, 0, 1.5, 0, {}};
  EXPECT_EQ(format_progress(s), "3.0 MB  10 rows  2.0 MB/s  6 rows/s  retries 0");
  ProgressSnapshot start{0, 100, 0, 0, 0, 0, {}};
  EXPECT_EQ(format_progress(start), "0 B / 100 B (0.0%)  0 rows  0 B/s  0 rows/s  retries 0");
  ProgressSnapshot slow{9'000, 100'000, 300, 0,
                        1.0,   0,       {}};  // a slow link, in a unit that shows it
  EXPECT_NE(format_progress(slow).find("  9.0 kB/s  "), std::string::npos) << format_progress(slow);
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
  // Named for what it is: the bodies' size over the input's (not "compression ratio 4.00").
  EXPECT_NE(text.find("bytes sent:   25.0 MB (body/input size 0.25)"), std::string::npos) << text;
  EXPECT_EQ(text.find("compression ratio"), std::string::npos) << text;
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

// --level auto: batches per level, named by the step with --codec auto ("isal 1"), by the level
// number otherwise, in the text and in the JSON alike.
TEST(Report, LevelMixNamesTheStepsOfBothBackends) {
  LoadReport r = sample();
  r.level_batches = {3, 0, 0, 5};
  r.level_names = {"isal 1", "isal 2", "isal 3", "2"};
  EXPECT_NE(format_summary(r).find("batches per level: isal 1 x3, 2 x5"), std::string::npos)
      << format_summary(r);
  auto v = boost::json::parse(summary_json(r));
  const auto& levels = v.as_object().at("level_batches").as_object();
  EXPECT_EQ(levels.at("isal 1").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(levels.at("2").to_number<std::uint64_t>(), 5u);
  EXPECT_EQ(levels.size(), 2u);
  r.level_names.clear();  // one backend's levels: the index is the level
  EXPECT_NE(format_summary(r).find("batches per level: 0 x3, 3 x5"), std::string::npos);
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
  EXPECT_DOUBLE_EQ(o.at("compression_ratio").as_double(), 4.0);  // input/body, as before
  EXPECT_DOUBLE_EQ(o.at("body_input_ratio").as_double(), 0.25);
  EXPECT_DOUBLE_EQ(o.at("mb_per_second").as_double(), 25.0);
  EXPECT_EQ(o.at("bottleneck").as_string(), "encoder");
  EXPECT_EQ(o.at("stages").as_array().size(), 3u);
  EXPECT_EQ(o.at("server_rows_count").to_number<std::int64_t>(), 1000);
}

// Every line between \r and \n a terminal of `width` columns would show, for the tests below.
ProgressSnapshot busy_snapshot() {
  ProgressSnapshot s{123'456'789'012, 987'654'321'098, 1'234'567'890, 15, 3600.0, 0, {}};
  s.retry_reason = "HTTP 503 (application/json): the server is too busy, try again later";
  return s;
}

TEST(Report, ProgressLineFitsEveryWidthAndNeverWraps) {
  for (const std::size_t width : {200u, 120u, 80u, 60u, 40u, 30u, 20u, 10u, 2u, 1u}) {
    for (const bool completing : {false, true}) {
      ProgressSnapshot s = busy_snapshot();
      s.completing = completing;
      const std::string line = format_progress(s, width);
      EXPECT_LE(display_columns(line), width - 1) << width << ": " << line;
      if (width >= 20 && !completing) {
        EXPECT_NE(line.find("12.5%"), std::string::npos) << width << ": " << line;
      }
    }
  }
  // Wide enough, nothing is left out (the reason too); narrower, the least useful goes first.
  const std::string wide = format_progress(busy_snapshot(), 200);
  EXPECT_NE(wide.find("rows/s"), std::string::npos) << wide;
  EXPECT_NE(wide.find("retries 15 (HTTP 503"), std::string::npos) << wide;
  const std::string at80 = format_progress(busy_snapshot(), 80);
  EXPECT_NE(at80.find("123.5 GB / 987.7 GB (12.5%)"), std::string::npos) << at80;
  EXPECT_NE(at80.find("retries 15"), std::string::npos) << at80;
  EXPECT_EQ(at80.find("rows/s"), std::string::npos) << at80;
  const std::string at40 = format_progress(busy_snapshot(), 40);
  EXPECT_EQ(at40.rfind("12.5%", 0), 0u) << at40;  // the total went, the percentage stayed
}

TEST(Report, ProgressLineShowsTheLatestRetryReason) {
  ProgressSnapshot s{1'000, 2'000, 10, 3, 1.0, 0, {}};
  s.retry_reason = "connection refused";
  EXPECT_NE(format_progress(s, 120).find("retries 3 (connection refused)"), std::string::npos)
      << format_progress(s, 120);
  s.retries = 0;  // no retry yet: no reason
  EXPECT_EQ(format_progress(s, 120).find("refused"), std::string::npos);
}

TEST(Report, ProgressOfAResumeCountsTheResumedOffsetAsDoneAndReaches100) {
  // Resumed at 100 MB of 200 MB, 100 MB sent in this run's 10 s.
  ProgressSnapshot s{200'000'000, 200'000'000, 500, 0, 10.0, 0, {}};
  s.bytes_start = 100'000'000;
  const std::string line = format_progress(s);
  EXPECT_EQ(line.rfind("200.0 MB / 200.0 MB (100.0%)", 0), 0u) << line;
  EXPECT_NE(line.find("10.0 MB/s"), std::string::npos) << line;  // this run's bytes only
  s.bytes_done = 150'000'000;  // half way through this run: 25 MB/s... 5 s left
  s.elapsed_seconds = 2.0;
  EXPECT_NE(format_progress(s).find("(75.0%)"), std::string::npos) << format_progress(s);
  EXPECT_NE(format_progress(s).find("ETA 0:00:02"), std::string::npos) << format_progress(s);
}

TEST(Report, ProgressSaysCompletingWhileTheDatasetCompletes) {
  ProgressSnapshot s{200, 200, 5, 0, 1.0, 0, {}};
  s.completing = true;
  const std::string line = format_progress(s, 80);
  EXPECT_EQ(line.rfind("completing dataset...", 0), 0u) << line;
  EXPECT_EQ(line.find("ETA"), std::string::npos) << line;
}

TEST(Report, BottleneckOnlyForABusyStage) {
  LoadReport r = sample();
  r.stages = {{"reader", 1, 0.01}, {"encoder", 2, 0.02}, {"sender", 4, 0.4}};  // all under 5%
  EXPECT_EQ(r.bottleneck(), "");
  const std::string text = format_summary(r);
  EXPECT_EQ(text.find("bottleneck"), std::string::npos) << text;
  EXPECT_NE(text.find("sender:  busy   0.10 s x4"), std::string::npos) << text;  // K shown
  r.stages[2].busy_seconds = 4.0;  // 25% of 4 connections over 4 s
  EXPECT_EQ(r.bottleneck(), "sender");
}

TEST(Report, NoConnectionSaysSo) {
  LoadReport r = sample();
  r.outcome = Outcome::kNetwork;
  r.message = "gave up on batch 0 after 14 retries: last error: connection refused";
  r.requests = 15;
  r.retries = 14;
  r.connects = 0;
  const std::string text = format_summary(r);
  EXPECT_NE(text.find("requests:     15 tried (14 retries): the connection was never made"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("connects"), std::string::npos) << text;
  // The error is printed once, on stderr: the summary names the outcome only.
  EXPECT_EQ(text.find("connection refused"), std::string::npos) << text;
  EXPECT_EQ(text.rfind("load: network\n", 0), 0u) << text;
}

TEST(Report, PrefixRowsNeverCountTheHeader) {
  LoadReport r = sample();
  r.outcome = Outcome::kInterrupted;
  r.acked_offset = 57'000'000;
  r.first_data_row = 2;  // the header is row 1
  r.acked_row = 1'190'002;
  const std::string text = format_summary(r);
  EXPECT_NE(text.find("acknowledged prefix: bytes 0-57000000, the first 1,190,000 data rows"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace dsfill::loader
