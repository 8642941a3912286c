// Store tests: catalog, quoting of odd column names, transactions and idempotency records.
#include "server/store.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "server/auth.h"
#include "tests/server/test_support.h"

namespace dsfill::server {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::temp_dir("store");
    auto s = Store::open(dir_ + "/s.db");
    ASSERT_TRUE(s) << s.error().describe();
    store_ = std::move(*s);
    auto c = codec::parse_columns_json(
        R"([{"name":"we\"ird; DROP TABLE datasets;--","alias":"w","type":"dimension","subtype":"text"},)"
        R"({"name":"Amount","alias":"Amount","type":"measure","subtype":"numeric"}])");
    ASSERT_TRUE(c);
    columns_ = *c;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  RowBatch batch(std::initializer_list<std::pair<const char*, std::int64_t>> rows) {
    RowBatch b;
    b.columns = 2;
    for (auto& [text, n] : rows) {
      Value t;
      t.type = Value::Type::kText;
      t.data = text;
      t.size = static_cast<std::uint32_t>(std::strlen(text));
      Value v;
      v.type = Value::Type::kInteger;
      v.integer = n;
      b.values.push_back(t);
      b.values.push_back(v);
    }
    return b;
  }
  std::string db() const { return dir_ + "/s.db"; }

  std::string dir_;
  std::unique_ptr<Store> store_;
  codec::Columns columns_;
};

TEST_F(StoreTest, OddColumnNamesAreQuotedIdentifiers) {
  ASSERT_EQ(store_->create_dataset("u", "d", columns_).status, 201u);
  RowBatch rows = batch({{"x", 1}, {"y", 2}});
  FillJob job{"u", "d", &columns_, true, false, &rows, nullptr};
  auto reply = store_->fill(job);
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(testing::query(db(), R"(SELECT "we""ird; DROP TABLE datasets;--", Amount FROM ds_1)"),
            (std::vector<std::string>{"x|1", "y|2"}));
  EXPECT_EQ(testing::query(db(), "SELECT count(*) FROM datasets"), std::vector<std::string>{"1"});
  EXPECT_EQ(testing::query(db(), "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
}

TEST_F(StoreTest, FillIsAllOrNothingAndRecordsIdempotency) {
  ASSERT_EQ(store_->create_dataset("u", "d", columns_).status, 201u);
  RowBatch rows = batch({{"x", 1}});
  IdempotencyKey key{"k", sha256("body")};
  FillJob job{"u", "d", &columns_, true, false, &rows, &key};
  ASSERT_EQ(store_->fill(job).status, 200u);
  // Same key, same hash: replay, no insert.
  auto replay = store_->fill(job);
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(testing::query(db(), "SELECT count(*) FROM ds_1"), std::vector<std::string>{"1"});
  // Same key, other hash: 422.
  IdempotencyKey other{"k", sha256("other")};
  job.idempotency = &other;
  EXPECT_EQ(store_->fill(job).status, 422u);
  // Another user may use the same key.
  ASSERT_EQ(store_->create_dataset("v", "d", columns_).status, 201u);
  FillJob job_v{"v", "d", &columns_, true, false, &rows, &other};
  EXPECT_EQ(store_->fill(job_v).status, 200u);
  // Unknown dataset: 404, nothing stored, no idempotency record.
  IdempotencyKey fresh{"fresh", sha256("x")};
  FillJob unknown{"u", "nope", &columns_, true, false, &rows, &fresh};
  EXPECT_EQ(store_->fill(unknown).status, 404u);
  EXPECT_EQ(testing::query(db(), "SELECT count(*) FROM idempotency"),
            std::vector<std::string>{"2"});
}

TEST_F(StoreTest, TokensCompareByUser) {
  TokenTable t;
  t.add("u", "tok");
  EXPECT_TRUE(t.allows("u", "tok"));
  EXPECT_FALSE(t.allows("u", "tok2"));
  EXPECT_FALSE(t.allows("v", "tok"));
  std::string_view token;
  EXPECT_TRUE(TokenTable::bearer_token("Bearer abc", token));
  EXPECT_EQ(token, "abc");
  EXPECT_FALSE(TokenTable::bearer_token("Bearer a b", token));
  EXPECT_FALSE(TokenTable::bearer_token("Token abc", token));
}

}  // namespace
}  // namespace dsfill::server
