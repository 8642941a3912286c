// DiscardStore: the answers of `dsfill serve --discard`, alone and through the handler.
#include "server/discard_store.h"

#include <gtest/gtest.h>

#include <future>

#include "server/handler.h"
#include "tests/server/test_support.h"

namespace dsfill::server {
namespace {

namespace http = boost::beast::http;

constexpr const char* kColumns =
    R"([{"name":"Name","alias":"Name","type":"dimension","subtype":"text"}])";

RowBatch rows_of(std::size_t n) {
  RowBatch b;
  b.columns = 1;
  b.values.resize(n);
  return b;
}

class DiscardStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = codec::parse_columns_json(kColumns);
    ASSERT_TRUE(c);
    columns_ = *c;
  }
  Result<FillOutcome> fill(std::string_view dataset, std::size_t n, bool append) {
    RowBatch rows = rows_of(n);
    FillJob job{"u", dataset, &columns_, append, false, &rows, nullptr, nullptr};
    return store_.fill(job);
  }
  DiscardStore store_;
  codec::Columns columns_;
};

TEST_F(DiscardStoreTest, FillCountsAppendsAndReplaces) {
  auto a = fill("d", 2, true);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->rows_inserted, 2u);
  EXPECT_EQ(a->rows_count, 2u);
  EXPECT_FALSE(a->replay);
  EXPECT_EQ(fill("d", 3, true)->rows_count, 5u);
  EXPECT_EQ(fill("other", 1, true)->rows_count, 1u);
  auto r = fill("d", 4, false);
  EXPECT_EQ(r->rows_inserted, 4u);
  EXPECT_EQ(r->rows_count, 4u);
  EXPECT_EQ(store_.describe("u", "d")->row_count, 4u);
  EXPECT_FALSE(store_.describe("u", "d")->catalogued);
}

TEST_F(DiscardStoreTest, DescribeOfAnUnknownDatasetIsNotFound) {
  auto info = store_.describe("u", "never");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(info.error().message, "unknown dataset (discard mode)");
}

TEST_F(DiscardStoreTest, CompleteCountsWithoutProfileAndMakesTheDatasetKnown) {
  fill("d", 3, true);
  auto shape = store_.complete("u", "d");
  ASSERT_TRUE(shape);
  EXPECT_EQ(shape->rows_count, 3u);
  EXPECT_FALSE(shape->profiled);
  auto fresh = store_.complete("u", "fresh");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->rows_count, 0u);
  ASSERT_TRUE(store_.describe("u", "fresh"));  // as before: completing a dataset registers it
  EXPECT_EQ(store_.describe("u", "fresh")->row_count, 0u);
}

TEST_F(DiscardStoreTest, CreateNeedsNoCatalogAndKeysAreNeverKnown) {
  auto created = store_.create_dataset("u", "d", columns_);
  ASSERT_TRUE(created);
  EXPECT_TRUE(created->created);
  EXPECT_FALSE(created->columns);
  EXPECT_FALSE(store_.describe("u", "d"));  // creating does not register it
  EXPECT_EQ(store_.create_dataset("u", "d", {}).error().code, ErrorCode::kBadJson);
  auto known = store_.check_idempotency("u", IdempotencyKey{"k", {}});
  ASSERT_TRUE(known);
  EXPECT_FALSE(*known);
  EXPECT_FALSE(store_.uses_fingerprints());
}

// Through the handler, on the callers' thread: the answers' bytes of --discard.
class DiscardHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HandlerOptions options;
    options.log = [](std::string_view) {};
    handler_ = std::make_shared<Handler>(std::move(options), &worker_);
  }
  net::HttpResponse send(http::verb verb, const std::string& target, const std::string& body,
                         const std::string& key = "") {
    net::HttpRequest req{verb, target, 11};
    if (!key.empty()) req.set("Idempotency-Key", key);
    req.body() = body;
    std::promise<net::HttpResponse> promise;
    auto future = promise.get_future();
    handler_->handle(std::move(req),
                     [&promise](net::HttpResponse&& res) { promise.set_value(std::move(res)); });
    // The answer came on this thread, before handle() returned.
    EXPECT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::ready);
    return future.get();
  }
  net::HttpResponse fill(const std::string& rows, bool append, const std::string& key = "") {
    return send(http::verb::post, "/dataset-fill",
                testing::fill_body("u", "d", kColumns, rows, append, false), key);
  }

  StoreWorker worker_{std::make_unique<DiscardStore>(), StoreWorker::Threading::kCallersThread};
  std::shared_ptr<Handler> handler_;
};

TEST_F(DiscardHandlerTest, AnswersAsDiscardModeDoes) {
  auto res = fill(R"([["a"],["b"]])", true, "k");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(),
            R"({"data":{"status":"success","details":{"dataset-code":"d","rows-count":2,)"
            R"("rows-inserted":2}}})");
  res = fill(R"([["a"],["b"]])", true, "k");  // no replay: nothing is kept, not even keys
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.find("Idempotent-Replayed"), res.end());
  EXPECT_NE(res.body().find(R"("rows-count":4,"rows-inserted":2)"), std::string::npos);
  res = fill(R"([["a","extra"]])", true, "k");
  EXPECT_EQ(res.result_int(), 400);
  res = send(http::verb::get, "/datasets/u/d", "");
  EXPECT_EQ(res.body(), R"({"data":{"status":"success","details":{"rows-count":4}}})");
  res = send(http::verb::get, "/datasets/u/nope", "");
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(res.body(),
            R"x({"data":{"status":"error","message":"unknown dataset (discard mode)"}})x");
  res = send(http::verb::post, "/datasets",
             std::string(R"({"user-code":"u","dataset-code":"n","columns":)") + kColumns + "}");
  EXPECT_EQ(res.result_int(), 201);
  EXPECT_EQ(res.body(), R"({"data":{"status":"success","details":{}}})");
  res = send(http::verb::post, "/dataset-complete", R"({"user-code":"u","dataset-code":"d"})");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(),
            R"({"data":{"status":"success","details":{"dataset-code":"d","rows-count":4}}})");
}

}  // namespace
}  // namespace dsfill::server
