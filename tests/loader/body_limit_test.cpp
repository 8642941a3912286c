// Body limits (413): a batch the server refuses as too large is split in halves and sent again,
// each part with a key of its own, and later batches as large go out split without a refusal
// each; --max-body-bytes splits before the first refusal; one row over the limit on its own is
// an error that names it, or a reject when bad rows may be left out. Against a stub that
// answers 413 with an HTML page, as nginx does past client_max_body_size, and otherwise stores
// rows by Idempotency-Key (stored once, whatever is re-sent).
#include <atomic>
#include <map>

#include <gtest/gtest.h>
#include "loader/pipeline.h"
#include "tests/loader/e2e_support.h"
#include "tests/loader/keyed_store.h"
#include "tests/loader/stub_server.h"

namespace dsfill::testing {
namespace {

using loader::Outcome;

// Refuses bodies over `limit` as nginx does; stores the rest by key.
class LimitedStore {
 public:
  explicit LimitedStore(std::size_t limit) : limit_(limit) {}

  StubResponse answer(const Seen& seen) {
    if (seen.body.size() > limit_) {
      ++too_large_;
      StubResponse r =
          reply(413,
                "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n"
                "<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n"
                "<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n");
      r.set(boost::beast::http::field::content_type, "text/html");
      return r;
    }
    return rows_.store(seen);
  }
  std::map<std::string, int> ids() const { return rows_.ids(); }
  int too_large() const { return too_large_; }

 private:
  std::size_t limit_;
  std::atomic<int> too_large_{0};
  KeyedStore rows_;
};

// 4,000 rows of about 60 bytes, loaded in 1,000-row batches, uncompressed: bodies of ~70 KB.
class BodyLimit : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string csv = "id,name\n";
    for (int i = 0; i < 4000; ++i) {
      csv += std::to_string(i) + ",row number " + std::to_string(i) +
             " with some text to make it longer\n";
    }
    write_file(dir_.file("in.csv"), csv);
  }
  loader::LoadOptions options(const StubServer& stub) const {
    auto o = test_options(dir_.file("in.csv"), stub.url());
    o.compress = false;
    o.chunker.batch_rows = 1000;
    o.connections = 1;
    return o;
  }
  void expect_every_row_once(const LimitedStore& store) const {
    const auto ids = store.ids();
    EXPECT_EQ(ids.size(), 4000u);
    for (const auto& [id, times] : ids) EXPECT_EQ(times, 1) << id;
  }

  TempDir dir_;
};

TEST_F(BodyLimit, A413SplitsTheBatchAndLaterBatchesGoOutUnderTheLimit) {
  LimitedStore store(20'000);  // about 250 rows a body
  StubServer stub([&](int, const Seen& seen) { return store.answer(seen); });
  const auto report = loader::run_load(options(stub));
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.rows, 4000u);
  EXPECT_TRUE(report.completed);
  expect_every_row_once(store);
  EXPECT_GE(report.size_splits, 4u * 3u);  // each batch into at least four parts
  EXPECT_GT(report.smallest_body_refused, 20'000u);
  EXPECT_LE(report.largest_body_stored, 20'000u);
  // Only the first batch's halves learn the limit; every later body over it is split first.
  EXPECT_LE(store.too_large(), 4);
}

TEST_F(BodyLimit, MaxBodyBytesSplitsBeforeAnyRefusal) {
  LimitedStore store(20'000);
  StubServer stub([&](int, const Seen& seen) { return store.answer(seen); });
  auto o = options(stub);
  o.max_body_bytes = 20'000;
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  expect_every_row_once(store);
  EXPECT_EQ(store.too_large(), 0);
  EXPECT_GT(report.size_splits, 0u);
  EXPECT_EQ(report.smallest_body_refused, 0u);
}

TEST_F(BodyLimit, OneRowOverTheLimitIsNamedOrLeftOut) {
  std::string csv = "id,name\n1,short\n2," + std::string(30'000, 'x') + "\n3,short\n";
  write_file(dir_.file("in.csv"), csv);
  LimitedStore store(20'000);
  StubServer stub([&](int, const Seen& seen) { return store.answer(seen); });
  const auto stopped = loader::run_load(options(stub));
  EXPECT_EQ(stopped.outcome, Outcome::kRejected);
  EXPECT_NE(stopped.message.find("row 3 (bytes "), std::string::npos) << stopped.message;
  EXPECT_NE(stopped.message.find("413 Request Entity Too Large"), std::string::npos)
      << stopped.message;
  EXPECT_EQ(stopped.message.find("<html>"), std::string::npos) << stopped.message;
  EXPECT_NE(stopped.message.find("client_max_body_size"), std::string::npos) << stopped.message;

  // With bad rows allowed it goes to the rejects file and the rest is stored.
  auto o = options(stub);
  o.bad_rows.max_rows = 1;
  o.rejects_path = dir_.file("r.csv");
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(report.rows, 2u);
  EXPECT_EQ(report.rejects.rows, 1u);
  EXPECT_EQ(slurp(dir_.file("r.csv")), "id,name\n2," + std::string(30'000, 'x') + "\n");
  EXPECT_EQ(store.ids().count("1"), 1u);
  EXPECT_EQ(store.ids().count("3"), 1u);
}

}  // namespace
}  // namespace dsfill::testing
