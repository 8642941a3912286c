// Handler tests that need a request held in flight: the store's thread is blocked on purpose,
// so concurrency limits (429) and in-flight Idempotency-Key repeats (409) are deterministic.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <new>
#include <optional>
#include <stdexcept>

#include "server/handler.h"
#include "server/sqlite_store.h"
#include "tests/server/test_support.h"

namespace dsfill::server {
namespace {

namespace http = boost::beast::http;

constexpr const char* kColumns =
    R"([{"name":"Name","alias":"Name","type":"dimension","subtype":"text"}])";

class HandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::temp_dir("handler");
    auto store = SqliteStore::open(dir_ + "/h.db");
    ASSERT_TRUE(store);
    auto columns = codec::parse_columns_json(kColumns);
    auto created = (*store)->create_dataset("u", "d", *columns);
    ASSERT_TRUE(created && created->created);
    worker_ = std::make_unique<StoreWorker>(std::move(*store));
    // Hold the store's thread until release_ is set.
    worker_->post([f = release_.get_future().share()](Store&) { f.wait(); });
  }
  void TearDown() override {
    if (!released_) release_.set_value();
    handler_.reset();
    worker_.reset();
    std::filesystem::remove_all(dir_);
  }

  void make_handler(Limits limits) {
    HandlerOptions options;
    options.limits = limits;
    options.log = [](std::string_view) {};
    handler_ = std::make_shared<Handler>(std::move(options), worker_.get());
  }

  // Sends one fill; the future gets the response.
  std::future<net::HttpResponse> send(const std::string& key, const std::string& rows) {
    net::HttpRequest req{http::verb::post, "/dataset-fill", 11};
    if (!key.empty()) req.set("Idempotency-Key", key);
    req.body() = testing::fill_body("u", "d", kColumns, rows, true, false);
    auto promise = std::make_shared<std::promise<net::HttpResponse>>();
    auto future = promise->get_future();
    handler_->handle(std::move(req),
                     [promise](net::HttpResponse&& res) { promise->set_value(std::move(res)); });
    return future;
  }

  void release() {
    release_.set_value();
    released_ = true;
  }

  std::string dir_;
  std::unique_ptr<StoreWorker> worker_;
  std::shared_ptr<Handler> handler_;
  std::promise<void> release_;
  bool released_ = false;
};

constexpr auto kWait = std::chrono::seconds(20);

TEST_F(HandlerTest, RepeatWhileInFlightIs409ThenReplays) {
  make_handler({});
  auto first = send("k1", R"([["a"]])");
  auto repeat = send("k1", R"([["a"]])");
  ASSERT_EQ(repeat.wait_for(kWait), std::future_status::ready);  // answered at once
  EXPECT_EQ(repeat.get().result_int(), 409);
  auto other_key = send("k2", R"([["b"]])");
  release();
  ASSERT_EQ(first.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(first.get().result_int(), 200);
  ASSERT_EQ(other_key.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(other_key.get().result_int(), 200);
  auto after = send("k1", R"([["a"]])");  // the first finished: now a replay
  ASSERT_EQ(after.wait_for(kWait), std::future_status::ready);
  auto res = after.get();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res["Idempotent-Replayed"], "true");
  EXPECT_EQ(testing::query(dir_ + "/h.db", "SELECT count(*) FROM ds_1"),
            std::vector<std::string>{"2"});
}

TEST_F(HandlerTest, ConcurrencyLimitIs429WithRetryAfter) {
  Limits limits;
  limits.max_concurrent = 2;
  make_handler(limits);
  auto a = send("", R"([["a"]])");
  auto b = send("", R"([["b"]])");
  auto c = send("", R"([["c"]])");
  ASSERT_EQ(c.wait_for(kWait), std::future_status::ready);
  auto res = c.get();
  EXPECT_EQ(res.result_int(), 429);
  EXPECT_EQ(res[http::field::retry_after], "1");
  release();
  ASSERT_EQ(a.wait_for(kWait), std::future_status::ready);
  ASSERT_EQ(b.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(a.get().result_int(), 200);
  EXPECT_EQ(b.get().result_int(), 200);
  // Slots are released after answers.
  auto d = send("", R"([["d"]])");
  ASSERT_EQ(d.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(d.get().result_int(), 200);
  EXPECT_EQ(testing::query(dir_ + "/h.db", "SELECT Name FROM ds_1 ORDER BY rowid"),
            (std::vector<std::string>{"a", "b", "d"}));
}

// A store whose fills throw: a failure inside the store's thread still gets an answer.
class ThrowingStore final : public Store {
 public:
  explicit ThrowingStore(bool bad_alloc) : bad_alloc_(bad_alloc) {}
  Result<CreateOutcome> create_dataset(std::string_view, std::string_view,
                                       const codec::Columns&) override {
    return CreateOutcome{};
  }
  Result<FillOutcome> fill(const FillJob&) override {
    if (bad_alloc_) throw std::bad_alloc();
    throw std::runtime_error("the disk caught fire");
  }
  Result<std::optional<StoredAnswer>> check_idempotency(std::string_view,
                                                        const IdempotencyKey&) override {
    return std::optional<StoredAnswer>();
  }
  Result<DatasetShape> complete(std::string_view, std::string_view) override {
    return DatasetShape{};
  }
  Result<DatasetInfo> describe(std::string_view, std::string_view) override {
    return DatasetInfo{};
  }
  bool uses_fingerprints() const override { return false; }

 private:
  bool bad_alloc_;
};

// Sends one fill to a handler over `store` and returns its answer and the log lines.
std::pair<net::HttpResponse, std::string> fill_through(std::unique_ptr<Store> store) {
  StoreWorker worker(std::move(store), StoreWorker::Threading::kCallersThread);
  auto lines = std::make_shared<std::string>();
  HandlerOptions options;
  options.log = [lines](std::string_view line) { *lines += std::string(line) + "\n"; };
  auto handler = std::make_shared<Handler>(std::move(options), &worker);
  net::HttpRequest req{http::verb::post, "/dataset-fill", 11};
  req.body() = testing::fill_body("u", "d", kColumns, R"([["a"]])", true, false);
  std::optional<net::HttpResponse> got;
  handler->handle(std::move(req), [&](net::HttpResponse&& res) { got = std::move(res); });
  EXPECT_TRUE(got.has_value());
  return {got ? std::move(*got) : net::HttpResponse{}, *lines};
}

TEST(HandlerFailures, OutOfMemoryIs503WithRetryAfter) {
  auto [res, log] = fill_through(std::make_unique<ThrowingStore>(true));
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_EQ(res[http::field::retry_after], "1");
  EXPECT_NE(res.body().find("out of memory"), std::string::npos) << res.body();
  EXPECT_NE(log.find("bad_alloc"), std::string::npos) << log;
}

TEST(HandlerFailures, OtherExceptionsAre500WithTheCauseLogged) {
  auto [res, log] = fill_through(std::make_unique<ThrowingStore>(false));
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_NE(log.find("the disk caught fire"), std::string::npos) << log;
  EXPECT_EQ(res.body().find("fire"), std::string::npos) << "the cause stays in the log";
}

}  // namespace
}  // namespace dsfill::server
