// Store tests: catalog, quoting of odd column names, transactions and idempotency records.
#include "server/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
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
    auto s = SqliteStore::open(dir_ + "/s.db");
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
  std::unique_ptr<SqliteStore> store_;
  codec::Columns columns_;
};

TEST_F(StoreTest, OddColumnNamesAreQuotedIdentifiers) {
  ASSERT_TRUE(store_->create_dataset("u", "d", columns_).value().created);
  RowBatch rows = batch({{"x", 1}, {"y", 2}});
  FillJob job{"u", "d", &columns_, true, false, &rows, nullptr, nullptr};
  auto outcome = store_->fill(job);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->rows_inserted, 2u);
  EXPECT_EQ(outcome->rows_count, 2u);
  EXPECT_EQ(testing::query(db(), R"(SELECT "we""ird; DROP TABLE datasets;--", Amount FROM ds_1)"),
            (std::vector<std::string>{"x|1", "y|2"}));
  EXPECT_EQ(testing::query(db(), "SELECT count(*) FROM datasets"), std::vector<std::string>{"1"});
  EXPECT_EQ(testing::query(db(), "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
}

TEST_F(StoreTest, FillIsAllOrNothingAndRecordsIdempotency) {
  ASSERT_TRUE(store_->create_dataset("u", "d", columns_).value().created);
  RowBatch rows = batch({{"x", 1}});
  IdempotencyKey key{"k", sha256("body")};
  const auto keep = [](const FillOutcome& o) {
    return StoredAnswer{200, "kept " + std::to_string(o.rows_count)};
  };
  FillJob job{"u", "d", &columns_, true, false, &rows, &key, keep};
  ASSERT_TRUE(store_->fill(job));
  // Same key, same hash: replay of the kept answer, no insert.
  auto replay = store_->fill(job);
  ASSERT_TRUE(replay && replay->replay);
  EXPECT_EQ(replay->replay->status, 200u);
  EXPECT_EQ(replay->replay->body, "kept 1");
  EXPECT_EQ(replay->rows_inserted, 0u);
  EXPECT_EQ(testing::query(db(), "SELECT count(*) FROM ds_1"), std::vector<std::string>{"1"});
  // Same key, other hash: kKeyReused.
  IdempotencyKey other{"k", sha256("other")};
  job.idempotency = &other;
  EXPECT_EQ(store_->fill(job).error().code, ErrorCode::kKeyReused);
  // Another user may use the same key.
  ASSERT_TRUE(store_->create_dataset("v", "d", columns_).value().created);
  FillJob job_v{"v", "d", &columns_, true, false, &rows, &other, keep};
  EXPECT_TRUE(store_->fill(job_v));
  // Unknown dataset: kNotFound, nothing stored, no idempotency record.
  IdempotencyKey fresh{"fresh", sha256("x")};
  FillJob unknown{"u", "nope", &columns_, true, false, &rows, &fresh, keep};
  EXPECT_EQ(store_->fill(unknown).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(testing::query(db(), "SELECT count(*) FROM idempotency"),
            std::vector<std::string>{"2"});
}

TEST_F(StoreTest, CreateConfirmsSameColumnsAndRefusesOthers) {
  auto created = store_->create_dataset("u", "d", columns_);
  ASSERT_TRUE(created);
  EXPECT_TRUE(created->created);
  ASSERT_TRUE(created->columns);
  EXPECT_EQ(created->columns->size(), 2u);
  auto again = store_->create_dataset("u", "d", columns_);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  codec::Columns other = columns_;
  other.pop_back();
  EXPECT_EQ(store_->create_dataset("u", "d", other).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->create_dataset("u", "e", {}).error().code, ErrorCode::kBadJson);
  // A fill with other columns is refused too, as a bad request.
  RowBatch rows = batch({{"x", 1}});
  FillJob job{"u", "d", &other, true, false, &rows, nullptr, nullptr};
  EXPECT_EQ(store_->fill(job).error().code, ErrorCode::kBadArgument);
}

TEST_F(StoreTest, FillCountsCompleteShapesDescribeCatalogues) {
  ASSERT_TRUE(store_->create_dataset("u", "d", columns_));
  RowBatch rows = batch({{"x", 3}, {"", 1}, {"y", 2}});
  FillJob job{"u", "d", &columns_, true, false, &rows, nullptr, nullptr};
  EXPECT_EQ(store_->fill(job)->rows_count, 3u);
  auto appended = store_->fill(job);
  EXPECT_EQ(appended->rows_inserted, 3u);
  EXPECT_EQ(appended->rows_count, 6u);
  job.append = false;
  EXPECT_EQ(store_->fill(job)->rows_count, 3u);

  auto shape = store_->complete("u", "d");
  ASSERT_TRUE(shape) << shape.error().message;
  EXPECT_TRUE(shape->profiled);
  EXPECT_EQ(shape->rows_count, 3u);
  EXPECT_EQ(shape->load_number, 1);
  ASSERT_EQ(shape->columns.size(), 2u);
  EXPECT_FALSE(shape->columns[0].measure);
  EXPECT_EQ(shape->columns[0].empty_count, 1u);
  EXPECT_TRUE(shape->columns[1].measure);
  EXPECT_EQ(shape->columns[1].min, 1.0);
  EXPECT_EQ(shape->columns[1].max, 3.0);

  auto info = store_->describe("u", "d");
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->catalogued);
  EXPECT_TRUE(info->completed);
  EXPECT_EQ(info->row_count, 3u);
  EXPECT_EQ(info->table_name, "ds_1");
  EXPECT_EQ(store_->describe("u", "x").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->complete("u", "x").error().code, ErrorCode::kNotFound);
  // The next fill starts the next load.
  EXPECT_TRUE(store_->fill(job));
  EXPECT_EQ(store_->complete("u", "d")->load_number, 2);
}

// Makes the idempotency record of `key` look written in 2000, through a connection of its own.
void age_record(const std::string& path, const std::string& key) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string sql =
      "UPDATE idempotency SET created_at='2000-01-01T00:00:00.000Z' WHERE key='" + key + "'";
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_close(db);
}

TEST_F(StoreTest, IdempotencyRecordsExpireAfterTheirTtl) {
  ASSERT_TRUE(store_->create_dataset("u", "d", columns_));
  RowBatch rows = batch({{"x", 1}});
  const auto keep = [](const FillOutcome&) { return StoredAnswer{200, "kept"}; };
  const auto fill_with = [&](const std::string& name) {
    IdempotencyKey key{name, sha256(name)};
    FillJob job{"u", "d", &columns_, true, false, &rows, &key, keep};
    ASSERT_TRUE(store_->fill(job));
  };
  const auto known = [&](const std::string& name) {
    return store_->check_idempotency("u", IdempotencyKey{name, sha256(name)}).value().has_value();
  };
  fill_with("old");
  fill_with("new");
  age_record(db(), "old");
  // At start (the server calls it once): the old record goes, the recent one stays.
  EXPECT_EQ(store_->keep_idempotency_for(std::chrono::hours(24 * 7)).value(), 1u);
  EXPECT_FALSE(known("old"));
  EXPECT_TRUE(known("new"));
  // Then amortised: within kPruneEvery records added, an expired one is gone.
  age_record(db(), "new");
  for (std::uint64_t i = 0; i < SqliteStore::kPruneEvery; ++i) fill_with("k" + std::to_string(i));
  EXPECT_FALSE(known("new"));
  EXPECT_TRUE(known("k0"));
  // 0 keeps records forever.
  age_record(db(), "k0");
  EXPECT_EQ(store_->keep_idempotency_for(std::chrono::seconds(0)).value(), 0u);
  EXPECT_TRUE(known("k0"));
}

TEST_F(StoreTest, CheckIdempotencyKnowsKeptAnswers) {
  ASSERT_TRUE(store_->create_dataset("u", "d", columns_));
  IdempotencyKey key{"k", sha256("body")};
  EXPECT_FALSE(store_->check_idempotency("u", key).value());
  RowBatch rows = batch({{"x", 1}});
  FillJob job{
      "u",   "d",   &columns_, true,
      false, &rows, &key,      [](const FillOutcome&) { return StoredAnswer{201, "kept"}; }};
  ASSERT_TRUE(store_->fill(job));
  auto known = store_->check_idempotency("u", key);
  ASSERT_TRUE(known && *known);
  EXPECT_EQ((*known)->status, 201u);
  EXPECT_EQ((*known)->body, "kept");
  EXPECT_EQ(store_->check_idempotency("u", IdempotencyKey{"k", sha256("x")}).error().code,
            ErrorCode::kKeyReused);
  EXPECT_FALSE(store_->check_idempotency("v", key).value());
  EXPECT_TRUE(store_->uses_fingerprints());
}

// Returns `n` columns c0..c{n-1}, every third a numeric measure.
codec::Columns many_columns(std::size_t n) {
  codec::Columns out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i].name = "c" + std::to_string(i);
    out[i].alias = out[i].name;
    out[i].type = i % 3 == 0 ? "measure" : "dimension";
    out[i].subtype = i % 3 == 0 ? "numeric" : "text";
  }
  return out;
}

TEST_F(StoreTest, DiskFullIs507WithNothingStoredAndNoRollbackNoise) {
  ASSERT_TRUE(store_->create_dataset("u", "d", columns_));
  // About a few pages more than the empty database: the big fill cannot fit.
  ASSERT_TRUE(store_->limit_size(64 * 1024));
  std::string text(4000, 'x');
  std::vector<std::pair<const char*, std::int64_t>> many(200, {text.c_str(), 1});
  RowBatch rows;
  rows.columns = 2;
  for (auto& [t, n] : many) {
    Value a;
    a.type = Value::Type::kText;
    a.data = t;
    a.size = static_cast<std::uint32_t>(text.size());
    Value b;
    b.type = Value::Type::kInteger;
    b.integer = n;
    rows.values.push_back(a);
    rows.values.push_back(b);
  }
  FillJob job{"u", "d", &columns_, true, false, &rows, nullptr, nullptr};
  ::testing::internal::CaptureStderr();
  auto full = store_->fill(job);
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ErrorCode::kDiskFull);
  EXPECT_NE(full.error().message.find("disk full"), std::string::npos) << full.error().message;
  EXPECT_NE(log.find("disk full"), std::string::npos) << log;
  EXPECT_EQ(log.find("cannot rollback"), std::string::npos) << log;
  EXPECT_EQ(testing::query(db(), "SELECT count(*) FROM ds_1"), std::vector<std::string>{"0"});
  // Space freed: the same request is stored, once.
  ASSERT_TRUE(store_->limit_size(0));
  auto stored = store_->fill(job);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->rows_count, 200u);
  EXPECT_EQ(testing::query(db(), "SELECT count(*) FROM ds_1"), std::vector<std::string>{"200"});
}

TEST_F(StoreTest, DatasetAtTheColumnLimitFillsAndCompletes) {
  const codec::Columns wide = many_columns(kMaxColumns);
  ASSERT_TRUE(store_->create_dataset("u", "wide", wide));
  RowBatch rows;
  rows.columns = wide.size();
  rows.values.resize(wide.size());
  for (std::size_t i = 0; i < wide.size(); ++i) {
    if (i % 3 == 0) {
      rows.values[i].type = Value::Type::kInteger;
      rows.values[i].integer = static_cast<std::int64_t>(i);
    }  // the others stay null: empty
  }
  FillJob job{"u", "wide", &wide, true, false, &rows, nullptr, nullptr};
  ASSERT_TRUE(store_->fill(job));
  auto shape = store_->complete("u", "wide");
  ASSERT_TRUE(shape) << shape.error().message;
  EXPECT_EQ(shape->rows_count, 1u);
  ASSERT_EQ(shape->columns.size(), kMaxColumns);
  EXPECT_EQ(shape->columns[1998].max, 1998.0);  // in the last of the shape's queries
  EXPECT_EQ(shape->columns[1999].empty_count, 1u);
  EXPECT_EQ(store_->create_dataset("u", "wider", many_columns(kMaxColumns + 1)).error().code,
            ErrorCode::kBadJson);
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
