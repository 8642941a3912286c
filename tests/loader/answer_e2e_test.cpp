// A batch counts as stored only on the API's success answer: servers, proxies and catch-all
// routes that answer 2xx with something else, counts that do not add up, oversized answers, a
// header that does not name the spec's columns, and tokens or headers that would inject fields.
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "loader/checkpoint.h"
#include "loader/pipeline.h"
#include "loader/report.h"
#include "tests/loader/e2e_support.h"
#include "tests/loader/stub_server.h"

namespace dsfill::testing {
namespace {

using loader::Outcome;

// Returns the rows in a fill request sent with compress = false (its insert-data is the rows'
// JSON text); 0 for anything else.
std::int64_t rows_in(const Seen& seen) {
  boost::system::error_code ec;
  auto body = boost::json::parse(seen.body, ec);
  if (ec || !body.is_object()) return 0;
  const auto* data = body.as_object().if_contains("insert-data");
  if (data == nullptr || !data->is_string()) return 0;
  auto rows = boost::json::parse(data->as_string(), ec);
  return ec || !rows.is_array() ? 0 : static_cast<std::int64_t>(rows.as_array().size());
}

StubResponse html(unsigned status) {
  StubResponse r{static_cast<boost::beast::http::status>(status), 11};
  r.set(boost::beast::http::field::content_type, "text/html");
  r.body() =
      "<!DOCTYPE html>\n<html><head><title>Sign in to the guest network</title></head>"
      "<body><p>Please accept the terms</p></body></html>\n";
  r.prepare_payload();
  return r;
}

// A dataset that a stub keeps: counts what it "stores", answering like the reference server.
struct CountingDataset {
  std::int64_t rows = 0;
  std::int64_t other_writer = 0;  // rows another writer adds before each fill
  StubResponse fill(const Seen& seen) {
    if (seen.target == "/dataset-complete") return reply(200, ok_body(rows, 0));
    rows += other_writer;
    const std::int64_t n = rows_in(seen);
    rows += n;
    return reply(200, ok_body(rows, n));
  }
};

class Answers : public ::testing::Test {
 protected:
  void SetUp() override {
    csv_ = dir_.file("in.csv");
    std::string text = "id,name\n";
    for (int i = 1; i <= 1000; ++i) text += std::to_string(i) + ",n" + std::to_string(i) + "\n";
    write_file(csv_, text);
  }
  loader::LoadOptions options(const StubServer& stub) const {
    auto o = test_options(csv_, stub.url());
    o.compress = false;
    o.chunker.batch_rows = 250;
    return o;
  }
  TempDir dir_;
  std::string csv_;
};

TEST_F(Answers, HtmlWithStatus200IsNotStoredInAppendOrReplace) {
  for (const bool replace : {false, true}) {
    StubServer stub([](int, const Seen&) { return html(200); });
    auto o = options(stub);
    o.connections = 1;  // so that batch 0's answer is the first read
    o.replace = replace;
    o.checkpoint = dir_.file(replace ? "replace.ckpt" : "append.ckpt");
    const auto report = loader::run_load(o);
    EXPECT_EQ(report.outcome, Outcome::kRejected) << report.message;
    EXPECT_EQ(report.rows, 0u);
    EXPECT_FALSE(report.completed);
    EXPECT_NE(report.message.find("batch 0"), std::string::npos) << report.message;
    EXPECT_NE(report.message.find("HTTP 200 (text/html): Sign in to the guest network"),
              std::string::npos)
        << report.message;
    // The checkpoint is kept, at the start: nothing is acknowledged.
    auto c = loader::read_checkpoint(o.checkpoint);
    ASSERT_TRUE(c && *c) << o.checkpoint;
    EXPECT_EQ((*c)->rows_acked, 0u);
    EXPECT_FALSE((*c)->finished);
    EXPECT_FALSE(report.resume_command.empty());
  }
}

TEST_F(Answers, EmptyBodyIsNotStored) {
  StubServer stub([](int, const Seen&) { return reply(200, ""); });
  const auto report = loader::run_load(options(stub));
  EXPECT_EQ(report.outcome, Outcome::kRejected);
  EXPECT_EQ(report.rows, 0u);
  EXPECT_NE(report.message.find("empty body"), std::string::npos) << report.message;
}

TEST_F(Answers, ARedirectStopsTheLoadNamingWhereItPoints) {
  StubServer stub([](int, const Seen&) {
    StubResponse r = reply(301, "");
    r.set(boost::beast::http::field::location, "https://api.example.com/v2/dataset-fill");
    return r;
  });
  const auto report = loader::run_load(options(stub));
  EXPECT_EQ(report.outcome, Outcome::kRejected);
  EXPECT_EQ(report.rows, 0u);
  EXPECT_NE(report.message.find("HTTP 301"), std::string::npos) << report.message;
  EXPECT_NE(report.message.find("redirects to https://api.example.com/v2/dataset-fill"),
            std::string::npos)
      << report.message;
}

StubResponse redirect(unsigned status, const std::string& location) {
  StubResponse r = reply(status, "");
  r.set(boost::beast::http::field::location, location);
  return r;
}

TEST_F(Answers, A308IsFollowedOnceAndLaterRequestsGoWhereItPoints) {
  CountingDataset dataset;
  int at_old = 0;
  StubServer stub([&](int, const Seen& seen) {
    if (seen.target == "/dataset-fill") {
      ++at_old;
      return redirect(308, "/v2/dataset-fill");
    }
    if (seen.target == "/v2/dataset-fill" || seen.target == "/dataset-complete") {
      return dataset.fill(seen);
    }
    return reply(404, "{}");
  });
  auto o = options(stub);
  o.connections = 1;  // so that the first answer is read before the second request goes
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.rows, 1000u);
  EXPECT_EQ(dataset.rows, 1000);
  EXPECT_EQ(at_old, 1);  // permanent: the other batches went to the new target at once
  EXPECT_EQ(report.redirects, 1u);
  EXPECT_EQ(report.moved_to, "/v2/dataset-fill");
  EXPECT_NE(loader::format_summary(report).find("redirects:    1 followed"), std::string::npos);
}

TEST_F(Answers, A307IsFollowedForEveryRequestItAnswers) {
  CountingDataset dataset;
  StubServer stub([&](int, const Seen& seen) {
    if (seen.target == "/dataset-fill") return redirect(307, stub.url() + "/tmp/fill");
    return dataset.fill(seen);
  });
  auto o = options(stub);
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(dataset.rows, 1000);
  EXPECT_EQ(report.redirects, 4u);  // 1000 rows in batches of 250: each batch redirected
  EXPECT_TRUE(report.moved_to.empty());
}

TEST_F(Answers, ARedirectToAnotherOriginOrALoopStopsTheLoad) {
  for (const std::string where : {"http://elsewhere.example/dataset-fill", "/dataset-fill"}) {
    StubServer stub([&](int, const Seen&) { return redirect(307, where); });
    const auto report = loader::run_load(options(stub));
    EXPECT_EQ(report.outcome, Outcome::kRejected) << where;
    EXPECT_EQ(report.rows, 0u);
    EXPECT_NE(report.message.find(where[0] == '/' ? "more than 5 redirects" : "another origin"),
              std::string::npos)
        << report.message;
  }
}

TEST_F(Answers, StatusErrorInA200IsNotStored) {
  StubServer stub([](int, const Seen&) {
    return reply(200, R"({"data":{"status":"error","message":"tenant quota exceeded"}})");
  });
  const auto report = loader::run_load(options(stub));
  EXPECT_EQ(report.outcome, Outcome::kRejected);
  EXPECT_EQ(report.rows, 0u);
  EXPECT_NE(report.message.find("tenant quota exceeded"), std::string::npos) << report.message;
  EXPECT_NE(report.message.find(R"(data.status is "error")"), std::string::npos) << report.message;
}

TEST_F(Answers, AnAnswersTextReachesTheMessageAsOnePrintableLine) {
  StubServer stub([](int, const Seen&) {
    StubResponse r = reply(400, "bad \xff value\r\nX-Evil: \x1b[2J" + std::string(5000, 'x'));
    r.set(boost::beast::http::field::content_type, "text/plain");
    return r;
  });
  const auto report = loader::run_load(options(stub));
  EXPECT_EQ(report.outcome, Outcome::kRejected);
  EXPECT_NE(report.message.find("HTTP 400 (text/plain): bad \xEF\xBF\xBD value"), std::string::npos)
      << report.message;
  EXPECT_EQ(report.message.find_first_of("\r\n\x1b"), std::string::npos) << report.message;
  EXPECT_LT(report.message.size(), 400u) << report.message;
}

TEST_F(Answers, WrongRowsInsertedIsNotStored) {
  StubServer stub([](int, const Seen& s) { return reply(200, ok_body(0, rows_in(s) - 1)); });
  const auto report = loader::run_load(options(stub));
  EXPECT_EQ(report.outcome, Outcome::kRejected);
  EXPECT_EQ(report.rows, 0u);
  EXPECT_NE(report.message.find("249 rows inserted, not 250"), std::string::npos) << report.message;
}

TEST_F(Answers, ALargeEnvelopeIsReadWholeAndNothingIsSentTwice) {
  CountingDataset dataset;
  StubServer stub([&](int, const Seen& s) {
    StubResponse r = dataset.fill(s);
    std::string body = r.body();
    // 10 MB of padding inside the envelope: still the API's answer, read whole.
    body.insert(1, R"("padding":")" + std::string(10'000'000, 'x') + R"(",)");
    return reply(200, std::move(body));
  });
  auto o = options(stub);
  o.connections = 1;
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.rows, 1000u);
  EXPECT_EQ(report.retries, 0u);
  EXPECT_EQ(stub.seen().size(), 5u);  // 4 fills and the completion, each once
  EXPECT_EQ(dataset.rows, 1000);
}

TEST_F(Answers, AnAnswerTooLargeToReadIsAnErrorNotARetry) {
  StubServer stub([](int, const Seen& s) {
    return reply(200, ok_body(0, rows_in(s)) + std::string(20'000'000, ' '));
  });
  auto o = options(stub);
  o.connections = 1;
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kRejected) << report.message;
  EXPECT_EQ(report.rows, 0u);
  EXPECT_EQ(report.retries, 0u);
  EXPECT_EQ(stub.seen().size(), 1u);  // not re-sent
  EXPECT_NE(report.message.find("too large"), std::string::npos) << report.message;
}

TEST_F(Answers, CompletionMustBeTheSuccessEnvelopeToo) {
  CountingDataset dataset;
  StubServer stub([&](int, const Seen& s) {
    return s.target == "/dataset-complete" ? html(200) : dataset.fill(s);
  });
  const auto report = loader::run_load(options(stub));
  EXPECT_EQ(report.outcome, Outcome::kRejected) << report.message;
  EXPECT_FALSE(report.completed);
  EXPECT_EQ(report.rows, 1000u);  // the fills were stored; the completion was not
  EXPECT_NE(report.message.find("POST /dataset-complete"), std::string::npos) << report.message;
}

TEST_F(Answers, AppendChecksTheDatasetTotal) {
  CountingDataset dataset;
  dataset.rows = 70;  // rows from an earlier load
  StubServer stub([&](int, const Seen& s) { return dataset.fill(s); });
  const auto report = loader::run_load(options(stub));
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.server_rows_before, 70);
  EXPECT_NE(report.row_check.find("1070 rows (70 before)"), std::string::npos) << report.row_check;
}

TEST_F(Answers, AnotherWriterDuringAnAppendIsReported) {
  CountingDataset dataset;
  dataset.other_writer = 5;
  StubServer stub([&](int, const Seen& s) { return dataset.fill(s); });
  auto o = options(stub);
  o.connections = 1;
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kCountMismatch) << report.message;
  EXPECT_NE(report.message.find("another writer"), std::string::npos) << report.message;
}

TEST_F(Answers, ACountTheServerDoesNotGiveIsSaidNotChecked) {
  StubServer stub([](int, const Seen&) { return reply(200, ok_envelope()); });
  const auto report = loader::run_load(options(stub));
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.rows, 1000u);
  EXPECT_EQ(report.row_check, "the server did not report inserted rows: count not checked");
}

codec::Columns spec(const std::vector<std::string>& names) {
  return codec::columns_from_header(names);
}

TEST_F(Answers, AHeaderWithOtherNamesIsRefusedBeforeSending) {
  StubServer stub([](int, const Seen&) { return reply(200, ok_envelope()); });
  auto o = options(stub);
  o.schema.columns = spec({"foo", "bar"});
  const auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kUsage) << report.message;
  EXPECT_NE(report.message.find("lacks the spec's columns foo,bar"), std::string::npos)
      << report.message;
  EXPECT_TRUE(stub.seen().empty());
}

TEST_F(Answers, HeaderNamesMatchIgnoringCaseAndSpaces) {
  CountingDataset dataset;
  StubServer stub([&](int, const Seen& s) { return dataset.fill(s); });
  auto o = options(stub);
  o.schema.columns = spec({" ID ", "Name"});
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(dataset.rows, 1000);
}

TEST_F(Answers, ControlCharactersInTokensAndHeadersAreRefusedBeforeSending) {
  StubServer stub([](int, const Seen&) { return reply(200, ok_envelope()); });
  auto o = options(stub);
  o.token = "SECRETx\r\nX-Injected: yes";
  auto report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kUsage) << report.message;
  EXPECT_EQ(report.message.find("SECRETx"), std::string::npos) << report.message;  // not echoed
  o.token = "tok";
  o.headers = {{"X-Trace", "a\nb"}};
  report = loader::run_load(o);
  EXPECT_EQ(report.outcome, Outcome::kUsage) << report.message;
  EXPECT_TRUE(stub.seen().empty());
}

}  // namespace
}  // namespace dsfill::testing
