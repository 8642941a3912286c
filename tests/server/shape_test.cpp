// The shape kept by the SQLite store: equal to a full recompute over random fills (append,
// replace, replays, refused and rolled-back requests), read without touching the rows, and built
// once for a database made before shapes were kept.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstring>
#include <deque>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "server/auth.h"
#include "server/sqlite_store.h"
#include "tests/server/test_support.h"

namespace dsfill::server {
namespace {

// Runs `sql` on a connection of its own, as an older server or an operator would.
void exec_on_file(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* msg = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
  EXPECT_EQ(rc, SQLITE_OK) << (msg ? msg : "");
  sqlite3_free(msg);
  sqlite3_close(db);
}

class ShapeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::temp_dir("shape");
    reopen();
    auto c = codec::parse_columns_json(
        R"([{"name":"t","alias":"t","type":"dimension","subtype":"text"},)"
        R"({"name":"m1","alias":"m1","type":"measure","subtype":"numeric"},)"
        R"({"name":"m2","alias":"m2","type":"measure","subtype":"numeric"},)"
        R"({"name":"d","alias":"d","type":"dimension","subtype":"numeric"}])");
    ASSERT_TRUE(c);
    columns_ = *c;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void reopen() {
    store_.reset();
    auto s = SqliteStore::open(db());
    ASSERT_TRUE(s) << s.error().describe();
    store_ = std::move(*s);
  }
  std::string db() const { return dir_ + "/s.db"; }

  // Returns a value of the kinds a numeric or text column may hold.
  Value random_value(std::mt19937& rng, bool numeric) {
    Value v;
    const char* texts[] = {"",      "a",  "zz",    "0", "-0", "+7", "1.5e3", "12345678901234567890",
                           "-2.25", "  ", "100.00"};
    const char* numeric_texts[] = {"",      "0",      "-0", "+7", "1.5e3", "12345678901234567890",
                                   "-2.25", "100.00", "3"};
    switch (rng() % 5) {
      case 0:
        v.type = Value::Type::kNull;
        break;
      case 1: {
        const std::string& s =
            pool_.emplace_back(numeric ? numeric_texts[rng() % std::size(numeric_texts)]
                                       : texts[rng() % std::size(texts)]);
        v.type = Value::Type::kText;
        v.data = s.data();
        v.size = static_cast<std::uint32_t>(s.size());
        break;
      }
      case 2:
      case 3:
        if (numeric) {
          v.type = Value::Type::kInteger;
          v.integer = static_cast<std::int64_t>(rng() % 2001) - 1000;
          break;
        }
        [[fallthrough]];
      default:
        v.type = Value::Type::kReal;
        v.real = (static_cast<double>(rng() % 20001) - 10000.0) / 8.0;
        if (!numeric) {
          const std::string& s = pool_.emplace_back(std::to_string(v.real));
          v.type = Value::Type::kText;
          v.data = s.data();
          v.size = static_cast<std::uint32_t>(s.size());
        }
        break;
    }
    return v;
  }
  RowBatch random_rows(std::mt19937& rng, std::size_t n) {
    RowBatch b;
    b.columns = 4;
    for (std::size_t r = 0; r < n; ++r) {
      for (int c = 0; c < 4; ++c) b.values.push_back(random_value(rng, c != 0));
    }
    return b;
  }

  // Returns the shape computed again from the rows: the table a database made before shapes
  // were kept lacks, so that opening the store rebuilds it by a scan.
  DatasetShape recomputed() {
    store_.reset();
    exec_on_file(db(), "DROP TABLE shape_columns");
    reopen();
    return store_->complete("u", "d").value();
  }

  std::string dir_;
  std::unique_ptr<SqliteStore> store_;
  codec::Columns columns_;
  std::deque<std::string> pool_;
};

void expect_same_shape(const DatasetShape& kept, const DatasetShape& scanned) {
  EXPECT_EQ(kept.rows_count, scanned.rows_count);
  ASSERT_EQ(kept.columns.size(), scanned.columns.size());
  for (std::size_t i = 0; i < kept.columns.size(); ++i) {
    SCOPED_TRACE(kept.columns[i].name);
    EXPECT_EQ(kept.columns[i].empty_count, scanned.columns[i].empty_count);
    EXPECT_EQ(kept.columns[i].min.has_value(), scanned.columns[i].min.has_value());
    EXPECT_EQ(kept.columns[i].max.has_value(), scanned.columns[i].max.has_value());
    if (kept.columns[i].min && scanned.columns[i].min) {
      EXPECT_EQ(std::signbit(*kept.columns[i].min), std::signbit(*scanned.columns[i].min));
      EXPECT_EQ(*kept.columns[i].min, *scanned.columns[i].min);
    }
    if (kept.columns[i].max && scanned.columns[i].max) {
      EXPECT_EQ(std::signbit(*kept.columns[i].max), std::signbit(*scanned.columns[i].max));
      EXPECT_EQ(*kept.columns[i].max, *scanned.columns[i].max);
    }
  }
}

TEST_F(ShapeTest, KeptShapeEqualsAFullRecomputeOverRandomFills) {
  ASSERT_TRUE(store_->create_dataset("u", "d", columns_));
  std::mt19937 rng(19);
  const auto keep = [](const FillOutcome& o) {
    return StoredAnswer{200, std::to_string(o.rows_count)};
  };
  std::vector<std::pair<IdempotencyKey, RowBatch>> keyed;
  int replays = 0, refused = 0, rolled_back = 0;
  for (int round = 0; round < 6; ++round) {
    for (int op = 0; op < 40; ++op) {
      const unsigned kind = rng() % 10;
      if (kind == 0 && !keyed.empty()) {  // a replay: the kept answer, nothing applied again
        auto& [key, rows] = keyed[rng() % keyed.size()];
        FillJob job{"u", "d", &columns_, true, false, &rows, &key, keep};
        auto outcome = store_->fill(job);
        ASSERT_TRUE(outcome && outcome->replay);
        ++replays;
      } else if (kind == 1 && !keyed.empty()) {  // a key reused with another body: refused
        IdempotencyKey other{keyed.front().first.key, sha256("other")};
        RowBatch rows = random_rows(rng, 5);
        FillJob job{"u", "d", &columns_, true, false, &rows, &other, keep};
        EXPECT_EQ(store_->fill(job).error().code, ErrorCode::kKeyReused);
        ++refused;
      } else if (kind == 2) {  // rows inserted, then the disk is full: all rolled back
        ASSERT_TRUE(store_->limit_size(1));
        RowBatch rows = random_rows(rng, 20000);
        FillJob job{"u", "d", &columns_, rng() % 2 == 0, false, &rows, nullptr, nullptr};
        EXPECT_EQ(store_->fill(job).error().code, ErrorCode::kDiskFull);
        ASSERT_TRUE(store_->limit_size(0));
        ++rolled_back;
      } else {
        RowBatch rows = random_rows(rng, rng() % 60);
        const bool append = rng() % 6 != 0;
        if (rng() % 2 == 0) {
          IdempotencyKey key{"k" + std::to_string(keyed.size()), sha256(std::to_string(op))};
          keyed.emplace_back(key, std::move(rows));
          FillJob job{"u", "d", &columns_, append, false, &keyed.back().second, &keyed.back().first,
                      keep};
          ASSERT_TRUE(store_->fill(job));
        } else {
          FillJob job{"u", "d", &columns_, append, false, &rows, nullptr, nullptr};
          ASSERT_TRUE(store_->fill(job));
        }
      }
    }
    SCOPED_TRACE("round " + std::to_string(round));
    const DatasetShape kept = store_->complete("u", "d").value();
    expect_same_shape(kept, recomputed());
  }
  EXPECT_GT(replays, 0);
  EXPECT_GT(refused, 0);
  EXPECT_GT(rolled_back, 0);
}

TEST_F(ShapeTest, CompleteReadsTheKeptShapeNotTheRows) {
  ASSERT_TRUE(store_->create_dataset("u", "d", columns_));
  std::mt19937 rng(7);
  RowBatch rows = random_rows(rng, 100);
  FillJob job{"u", "d", &columns_, true, false, &rows, nullptr, nullptr};
  ASSERT_TRUE(store_->fill(job));
  const DatasetShape before = store_->complete("u", "d").value();
  // Rows removed behind the store's back: a complete that scanned them would see none.
  exec_on_file(db(), "DELETE FROM ds_1");
  const DatasetShape after = store_->complete("u", "d").value();
  EXPECT_EQ(after.rows_count, 100u);
  expect_same_shape(after, before);
}

TEST_F(ShapeTest, ReplaceResetsTheShapeAndOlderDatabasesGetOneBuiltAtOpen) {
  ASSERT_TRUE(store_->create_dataset("u", "d", columns_));
  std::mt19937 rng(3);
  RowBatch many = random_rows(rng, 200);
  FillJob job{"u", "d", &columns_, true, false, &many, nullptr, nullptr};
  ASSERT_TRUE(store_->fill(job));
  RowBatch one;
  one.columns = 4;
  for (int c = 0; c < 4; ++c) {
    Value v;
    v.type = Value::Type::kInteger;
    v.integer = 42;
    one.values.push_back(v);
  }
  FillJob replace{"u", "d", &columns_, false, false, &one, nullptr, nullptr};
  ASSERT_TRUE(store_->fill(replace));
  const DatasetShape shape = store_->complete("u", "d").value();
  EXPECT_EQ(shape.rows_count, 1u);
  EXPECT_EQ(shape.columns[1].empty_count, 0u);
  EXPECT_EQ(shape.columns[1].min, 42.0);
  EXPECT_EQ(shape.columns[1].max, 42.0);
  expect_same_shape(shape, recomputed());
  EXPECT_EQ(testing::query(db(), "SELECT count(*) FROM shape_columns"),
            std::vector<std::string>{"4"});
}

// A client's column named RowId (or oid, _rowid_) shadows SQLite's rowid: the rows of a fill
// must still be told apart by the real one, whatever the column holds.
TEST_F(ShapeTest, AColumnNamedRowIdDoesNotHideTheRowsOfAFill) {
  const std::vector<std::vector<std::string>> cases = {{"RowId"}, {"RowId", "_ROWID_", "Oid"}};
  for (const auto& names : cases) {
    SCOPED_TRACE(names.size());
    TearDown();
    SetUp();
    std::string json = "[";
    for (const std::string& name : names) {
      json += R"({"name":")" + name + R"(","alias":")" + name +
              R"(","type":"measure","subtype":"numeric"},)";
    }
    json += R"({"name":"m","alias":"m","type":"measure","subtype":"numeric"}])";
    auto c = codec::parse_columns_json(json);
    ASSERT_TRUE(c);
    codec::Columns columns = *c;
    ASSERT_TRUE(store_->create_dataset("u", "d", columns));
    const std::size_t width = columns.size();
    // The first fill's RowId values exceed the second's: a fill told apart by the column would
    // miss every row of the second.
    const auto rows = [&](std::int64_t first_id, std::int64_t m) {
      RowBatch b;
      b.columns = width;
      for (std::int64_t r = 0; r < 10; ++r) {
        for (std::size_t col = 0; col < width; ++col) {
          Value v;
          v.type = Value::Type::kInteger;
          v.integer = col + 1 == width ? m : first_id + r;
          b.values.push_back(v);
        }
      }
      return b;
    };
    RowBatch high = rows(1000, 1);
    RowBatch low = rows(1, 99);
    FillJob a{"u", "d", &columns, true, false, &high, nullptr, nullptr};
    FillJob b{"u", "d", &columns, true, false, &low, nullptr, nullptr};
    ASSERT_TRUE(store_->fill(a));
    ASSERT_TRUE(store_->fill(b));
    const DatasetShape shape = store_->complete("u", "d").value();
    EXPECT_EQ(shape.rows_count, 20u);
    EXPECT_EQ(shape.columns.back().min, 1.0);
    EXPECT_EQ(shape.columns.back().max, 99.0);
    EXPECT_EQ(shape.columns.front().min, 1.0);
    expect_same_shape(shape, recomputed());
  }
}

}  // namespace
}  // namespace dsfill::server
