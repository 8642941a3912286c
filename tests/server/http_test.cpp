// HTTP-level tests of the reference server, in-process on 127.0.0.1 with an ephemeral port and a
// real client. After every rejected request the stored rows are checked unchanged.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "codec/base64.h"
#include "codec/gzip.h"
#include "server/server.h"
#include "tests/server/test_support.h"

namespace dsfill::server {
namespace {

using testing::compress_payload;
using testing::fill_body;
using testing::http_request;
using testing::query;
using testing::raw_request;

constexpr const char* kColumns =
    R"([{"name":"Name","alias":"Name","type":"dimension","subtype":"text"},)"
    R"({"name":"Qty","alias":"Qty","type":"measure","subtype":"numeric"},)"
    R"({"name":"Day","alias":"Day","type":"dimension","subtype":"date","format":"%Y-%m-%d"}])";
constexpr const char* kRows = R"([["apple","3","2024-01-31"],["pear, \"ripe\"",2.5,"2024-02-29"]])";

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::temp_dir("http");
    db_ = dir_ + "/test.db";
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Starts the server with `options` (db, address and port filled in) and dataset u1/d1.
  void start(ServeOptions options = {}, bool create = true) {
    options.db_path = db_;
    options.address = "127.0.0.1";
    options.port = 0;
    options.log = [this](std::string_view line) {
      std::lock_guard lock(log_mu_);
      log_.emplace_back(line);
    };
    if (create) {
      auto columns = codec::parse_columns_json(kColumns);
      ASSERT_TRUE(columns);
      options.create.push_back({"u1", "d1", *columns});
    }
    auto started = DatasetServer::start(std::move(options));
    ASSERT_TRUE(started) << started.error().describe();
    server_ = std::move(*started);
  }

  testing::ClientResponse fill(std::string_view body, const testing::Headers& headers = {}) {
    return http_request(server_->port(), "POST", "/dataset-fill", body, headers);
  }
  testing::ClientResponse fill_rows(std::string_view rows, bool append, bool compressed = true) {
    return fill(fill_body("u1", "d1", kColumns, compressed ? compress_payload(rows) : rows, append,
                          compressed));
  }
  std::vector<std::string> stored() { return query(db_, "SELECT * FROM ds_1 ORDER BY rowid"); }

  // Checks that `body` is rejected with `status`, a message holding `needle`, and no change.
  void expect_rejected(std::string_view body, unsigned status, std::string_view needle,
                       const testing::Headers& headers = {}) {
    const auto before = stored();
    auto res = fill(body, headers);
    EXPECT_EQ(res.status, status) << res.body;
    EXPECT_NE(res.body.find(R"({"data":{"status":"error","message":)"), std::string::npos)
        << res.body;
    EXPECT_NE(res.body.find(needle), std::string::npos)
        << "want '" << needle << "' in " << res.body;
    EXPECT_EQ(stored(), before);
  }

  std::string dir_;
  std::string db_;
  std::unique_ptr<DatasetServer> server_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

TEST_F(ServerTest, CompressedFillIsStoredExactly) {
  start();
  auto res = fill_rows(kRows, false);
  ASSERT_EQ(res.status, 200u) << res.body;
  EXPECT_EQ(res.body, R"({"data":{"status":"success","details":{"dataset-code":"d1",)"
                      R"("rows-count":2,"rows-inserted":2}}})");
  EXPECT_EQ(stored(),
            (std::vector<std::string>{"apple|3|2024-01-31", "pear, \"ripe\"|2.5|2024-02-29"}));
  // Numbers sent as JSON numbers are stored as numbers; numeric strings as sent.
  EXPECT_EQ(query(db_, "SELECT typeof(Qty) FROM ds_1 ORDER BY rowid"),
            (std::vector<std::string>{"text", "real"}));
}

TEST_F(ServerTest, NumbersAndDatesAreStoredAsSentAndSort) {
  ServeOptions options;
  options.auto_create = true;
  start(options, false);
  constexpr const char* kDayFirst =
      R"([{"name":"N","alias":"N","type":"measure","subtype":"numeric"},)"
      R"({"name":"D","alias":"D","type":"dimension","subtype":"date","format":"DD/MM/YYYY"}])";
  const std::string rows = R"([[100.00,"31/01/2024"],[12345678901234567890,"01/02/2024"],)"
                           R"([1.00000000000000000001,"15/12/2023"],[0.1,""],[-7,null]])";
  auto res = fill(fill_body("u1", "dates", kDayFirst, compress_payload(rows), true, true));
  ASSERT_EQ(res.status, 200u) << res.body;
  EXPECT_EQ(query(db_, "SELECT typeof(N), N FROM ds_1 ORDER BY rowid"),
            (std::vector<std::string>{"real|100.0", "text|12345678901234567890",
                                      "text|1.00000000000000000001", "real|0.1", "integer|-7"}));
  // Dates in ISO 8601: ordering by the column is ordering by date.
  EXPECT_EQ(query(db_, "SELECT D FROM ds_1 WHERE D <> '' ORDER BY D"),
            (std::vector<std::string>{"2023-12-15", "2024-01-31", "2024-02-01"}));
  // The shape reads the text numbers as numbers too.
  res = http_request(server_->port(), "POST", "/dataset-complete",
                     R"({"user-code":"u1","dataset-code":"dates"})");
  ASSERT_EQ(res.status, 200u) << res.body;
  EXPECT_NE(res.body.find(R"("min":-7)"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find(R"("max":1.2345678901234567e+19)"), std::string::npos) << res.body;
}

TEST_F(ServerTest, XFirstRowNamesTheFileRow) {
  start();
  const std::string bad = fill_body(
      "u1", "d1", kColumns, compress_payload(R"([["a","1",null],["b","x",null]])"), true, true);
  expect_rejected(bad, 400, R"(rows[1] (row 1001 of the file) column 1 \"Qty\")",
                  {{"X-First-Row", "1000"}});
  expect_rejected(bad, 400, R"(rows[1] column 1)");
  expect_rejected(bad, 400, "X-First-Row must be a positive integer", {{"X-First-Row", "0"}});
}

TEST_F(ServerTest, UncompressedFillIsStored) {
  start();
  auto res = fill_rows(R"([["a","1",null],["b","",""]])", false, false);
  ASSERT_EQ(res.status, 200u) << res.body;
  EXPECT_EQ(stored(), (std::vector<std::string>{"a|1|NULL", "b||"}));
}

TEST_F(ServerTest, InsertDataWithEscapedSlashesIsDecoded) {
  start();
  // Some JSON writers escape '/' as "\/"; base64 uses '/', so such a payload must still decode.
  std::string rows = "[";
  std::string payload;
  std::vector<std::string> want;
  for (int i = 0; payload.find('/') == std::string::npos; ++i) {
    if (i > 0) rows += ',';
    rows += R"([")" + std::to_string(i * 7919) + R"(","1","2024-01-31"])";
    want.push_back(std::to_string(i * 7919) + "|1|2024-01-31");
    payload = compress_payload(rows + "]");
  }
  std::string escaped;
  for (char ch : payload) escaped += ch == '/' ? std::string("\\/") : std::string(1, ch);
  std::string body = fill_body("u1", "d1", kColumns, "PAYLOAD", false, true);
  body.replace(body.find("PAYLOAD"), 7, escaped);
  auto res = fill(body);
  ASSERT_EQ(res.status, 200u) << res.body;
  EXPECT_EQ(stored(), want);
}

TEST_F(ServerTest, RequestsOfChangingSizesDoNotSeeEachOthersBytes) {
  start();
  // The server reuses its decoding buffers between requests: a small request after a large one
  // (and a bad one after a good one) must see only its own bytes.
  const auto rows_of = [](int from, int count) {
    std::string rows = "[";
    for (int i = from; i < from + count; ++i) {
      if (i > from) rows += ',';
      rows += R"(["row )" + std::to_string(i) + R"(",")" + std::to_string(i) + R"(",null])";
    }
    return rows + "]";
  };
  std::vector<std::string> want;
  const auto expect_row_range = [&](int from, int count) {
    for (int i = from; i < from + count; ++i) {
      want.push_back("row " + std::to_string(i) + "|" + std::to_string(i) + "|NULL");
    }
  };
  const int sizes[] = {3000, 1, 700, 5000, 2};
  int next = 0;
  for (int count : sizes) {
    for (bool compressed : {true, false}) {
      auto res = fill_rows(rows_of(next, count), true, compressed);
      ASSERT_EQ(res.status, 200u) << res.body;
      expect_row_range(next, count);
      next += count;
    }
    // A corrupt payload (its CRC-32 no longer matches) right after a valid one is refused.
    std::string gz;
    ASSERT_TRUE(codec::base64_decode(compress_payload(rows_of(0, 2)), gz));
    gz[gz.size() - 8] = static_cast<char>(gz[gz.size() - 8] ^ 1);
    std::string corrupt;
    codec::base64_encode(gz, corrupt);
    expect_rejected(fill_body("u1", "d1", kColumns, corrupt, true, true), 400, "insert-data");
    expect_rejected(fill_body("u1", "d1", kColumns, R"([["x","1",null],["y")", true, false), 400,
                    "insert-data");
  }
  EXPECT_EQ(stored(), want);
}

TEST_F(ServerTest, AppendAddsAndReplaceTruncates) {
  start();
  ASSERT_EQ(fill_rows(kRows, false).status, 200u);
  auto res = fill_rows(R"([["x","1","2024-03-01"]])", true);
  ASSERT_EQ(res.status, 200u);
  EXPECT_NE(res.body.find(R"("rows-count":3,"rows-inserted":1)"), std::string::npos) << res.body;
  EXPECT_EQ(stored().size(), 3u);
  res = fill_rows(R"([["y","7","2024-03-02"]])", false);
  ASSERT_EQ(res.status, 200u);
  EXPECT_NE(res.body.find(R"("rows-count":1,"rows-inserted":1)"), std::string::npos) << res.body;
  EXPECT_EQ(stored(), (std::vector<std::string>{"y|7|2024-03-02"}));
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  const std::string body = fill_body("u1", "d1", kColumns, "[]", true, false);
  std::string raw;
  for (int i = 0; i < 3; ++i) {
    raw +=
        "POST /dataset-fill HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
  }
  raw += "GET /datasets/u1/d1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  // raw_request reads the first response only; pipelining must not confuse the server.
  auto res = raw_request(server_->port(), raw);
  EXPECT_EQ(res.status, 200u) << res.body;
  auto second = http_request(server_->port(), "GET", "/datasets/u1/d1");
  EXPECT_EQ(second.status, 200u);
  EXPECT_NE(second.body.find(R"("rows-count":0)"), std::string::npos) << second.body;
}

TEST_F(ServerTest, ChunkedBodyIsAccepted) {
  start();
  const std::string body = fill_body("u1", "d1", kColumns, compress_payload(kRows), true, true);
  const std::size_t half = body.size() / 2;
  char size1[32], size2[32];
  std::snprintf(size1, sizeof size1, "%zx", half);
  std::snprintf(size2, sizeof size2, "%zx", body.size() - half);
  std::string raw = "POST /dataset-fill HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  raw += std::string(size1) + "\r\n" + body.substr(0, half) + "\r\n";
  raw += std::string(size2) + "\r\n" + body.substr(half) + "\r\n0\r\n\r\n";
  auto res = raw_request(server_->port(), raw);
  EXPECT_EQ(res.status, 200u) << res.body;
  EXPECT_EQ(stored().size(), 2u);
}

TEST_F(ServerTest, FramingOtherThanLengthOrChunkedIsRefused) {
  start();
  auto res = raw_request(server_->port(), "POST /dataset-fill HTTP/1.1\r\nHost: x\r\n\r\n{}");
  EXPECT_EQ(res.status, 411u) << res.body;
  res = raw_request(server_->port(),
                    "POST /dataset-fill HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked"
                    "\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(res.status, 501u) << res.body;
  res = raw_request(server_->port(),
                    "POST /dataset-fill HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    "zz\r\n\r\n");
  EXPECT_EQ(res.status, 400u) << res.body;
  EXPECT_TRUE(stored().empty());
}

TEST_F(ServerTest, RoutesAndMethods) {
  start();
  EXPECT_EQ(http_request(server_->port(), "GET", "/nope").status, 404u);
  EXPECT_EQ(http_request(server_->port(), "GET", "/dataset-fill").status, 405u);
  EXPECT_EQ(http_request(server_->port(), "GET", "/datasets/u1/unknown").status, 404u);
  EXPECT_EQ(http_request(server_->port(), "GET", "/datasets/u1").status, 404u);
}

TEST_F(ServerTest, RequestValidationErrors) {
  start();
  ASSERT_EQ(fill_rows(kRows, false).status, 200u);
  const std::string ok_data = compress_payload(kRows);
  const auto body = [&](std::string_view columns, std::string_view data, bool compressed = true) {
    return fill_body("u1", "d1", columns, data, true, compressed);
  };
  expect_rejected("{not json", 400, "not JSON");
  expect_rejected("[1,2]", 400, "JSON object");
  expect_rejected(R"({"user-code":"u1"})", 400, R"(missing required field \"dataset-code\")");
  expect_rejected(R"({"user-code":"u1","dataset-code":"d1","columns":[],"insert-data":"[]",)"
                  R"("append":"yes","compressed":false})",
                  400, R"(\"append\" must be true or false)");
  expect_rejected(R"({"user-code":7,"dataset-code":"d1"})", 400,
                  R"(\"user-code\" must be a string)");
  expect_rejected(R"({"user-code":"u1","user-code":"u1"})", 400, "appears twice");
  expect_rejected(fill_body("u 1", "d1", kColumns, ok_data, true, true), 400, "user-code must be");
  expect_rejected(body(R"([{"name":"Name","alias":"Name","type":"dimension"}])", ok_data), 400,
                  "subtype");
  expect_rejected(
      body(R"([{"name":"Name","alias":"Name","type":"fact","subtype":"text"}])", ok_data), 400,
      "columns[0].type");
  expect_rejected(
      body(R"([{"name":"Name","alias":"Name","type":"measure","subtype":"text"}])", ok_data), 400,
      "a measure must be");
  expect_rejected(
      body(R"([{"name":"a","alias":"a","type":"dimension","subtype":"date","format":"%Q"}])",
           ok_data),
      400, "unsupported date directive %Q");
  expect_rejected(body(R"([{"name":"a","alias":"a","type":"dimension","subtype":"text"},)"
                       R"({"name":"A","alias":"A","type":"dimension","subtype":"text"}])",
                       ok_data),
                  400, "repeats columns[0].name");
  // Columns that differ from the dataset's definition name the first difference.
  std::string other = kColumns;
  other.replace(other.find(R"("alias":"Qty")"), 13, R"("alias":"Amount")");
  expect_rejected(body(other, ok_data), 400, R"(columns[1].alias: the dataset has \"Qty\")");
  // Rows.
  const auto rows = [&](std::string_view json) { return body(kColumns, compress_payload(json)); };
  expect_rejected(rows(R"([["a","1"]])"), 400, "rows[0]: 2 values, expected 3");
  expect_rejected(rows(R"([["a","1","2024-01-01","x"]])"), 400, "rows[0]: more values");
  expect_rejected(rows(R"([["a","1","2024-01-01"],["b","x1","2024-01-01"]])"), 400,
                  R"(rows[1] column 1 \"Qty\" (numeric): \"x1\" is not a number)");
  expect_rejected(rows(R"([["a","1","2024-02-30"]])"), 400,
                  R"(rows[0] column 2 \"Day\" (date): \"2024-02-30\" is not a date)");
  expect_rejected(rows(R"([["a","1",20240101]])"), 400, "a date must be a string");
  expect_rejected(rows(R"([["a",true,"2024-01-01"]])"), 400, "got a boolean");
  expect_rejected(rows(R"([["a",{},"2024-01-01"]])"), 400, "got an object");
  expect_rejected(rows(R"([["a","1","2024-01-01"],7])"), 400, "rows[1]: expected an array");
  expect_rejected(rows(R"({"a":1})"), 400, "expected a JSON array of rows");
  expect_rejected(rows(R"([["a","1","2024-01-01"])"), 400, "insert-data");
  expect_rejected(rows(R"([["a","1","2024-01-01"]] [])"), 400, "trailing content");
  expect_rejected(rows(R"([["a",01,"2024-01-01"]])"), 400, "insert-data");
  // Payload encoding.
  expect_rejected(body(kColumns, "not*base64!"), 400, "insert-data");
  {
    // A gzip member missing its tail: the size trailer is gone too, so either check may fire.
    codec::GzipCompressor gz;
    std::string member, encoded;
    gz.compress(kRows, member);
    codec::base64_encode(member.substr(0, member.size() - 10), encoded);
    const auto before = stored();
    auto res = fill(body(kColumns, encoded));
    EXPECT_TRUE(res.status == 400 || res.status == 413) << res.status << " " << res.body;
    EXPECT_EQ(stored(), before);
    // Deflate data cut in the middle, trailer kept: corrupt gzip.
    std::string cut = member.substr(0, 12) + member.substr(member.size() - 8);
    encoded.clear();
    codec::base64_encode(cut, encoded);
    expect_rejected(body(kColumns, encoded), 400, "insert-data");
  }
  expect_rejected(body(kColumns, R"([["a","1","2024-01-01"]])", true), 400, "insert-data");
  expect_rejected(body(kColumns, "not json", false), 400, "insert-data");
  EXPECT_EQ(stored().size(), 2u);
}

TEST_F(ServerTest, ConcatenatedGzipMembersAreRefused) {
  start();
  codec::GzipCompressor gz;
  std::string a, b;
  gz.compress(R"([["a","1","2024-01-01"]])", a);
  gz.compress(R"([["b","2","2024-01-02"]])", b);
  std::string encoded;
  codec::base64_encode(a + b, encoded);
  expect_rejected(fill_body("u1", "d1", kColumns, encoded, true, true), 400, "insert-data");
  EXPECT_TRUE(stored().empty());
}

TEST_F(ServerTest, UnknownDatasetIs404UnlessAutoCreate) {
  start();
  expect_rejected(fill_body("u1", "nope", kColumns, compress_payload(kRows), true, true), 404,
                  "does not exist");
  EXPECT_EQ(query(db_, "SELECT count(*) FROM datasets"), std::vector<std::string>{"1"});
}

TEST_F(ServerTest, AutoCreateDefinesColumnsFromFirstFill) {
  ServeOptions options;
  options.auto_create = true;
  start(options, false);
  auto res = fill(fill_body("u9", "fresh", kColumns, compress_payload(kRows), true, true));
  ASSERT_EQ(res.status, 200u) << res.body;
  EXPECT_EQ(query(db_, "SELECT Name, Day FROM ds_1 ORDER BY rowid"),
            (std::vector<std::string>{"apple|2024-01-31", "pear, \"ripe\"|2024-02-29"}));
  auto desc = http_request(server_->port(), "GET", "/datasets/u9/fresh");
  EXPECT_EQ(desc.status, 200u);
  EXPECT_NE(desc.body.find(R"("rows-count":2)"), std::string::npos) << desc.body;
  EXPECT_NE(desc.body.find(R"("format":"%Y-%m-%d")"), std::string::npos) << desc.body;
}

TEST_F(ServerTest, CreateDatasetEndpoint) {
  start({}, false);
  const std::string body =
      std::string(R"({"user-code":"u2","dataset-code":"d2","columns":)") + kColumns + "}";
  EXPECT_EQ(http_request(server_->port(), "POST", "/datasets", body).status, 201u);
  EXPECT_EQ(http_request(server_->port(), "POST", "/datasets", body).status, 200u);
  const std::string other = R"({"user-code":"u2","dataset-code":"d2","columns":)"
                            R"([{"name":"x","alias":"x","type":"dimension","subtype":"text"}]})";
  EXPECT_EQ(http_request(server_->port(), "POST", "/datasets", other).status, 409u);
  auto res = fill(fill_body("u2", "d2", kColumns, compress_payload(kRows), true, true));
  EXPECT_EQ(res.status, 200u) << res.body;
  EXPECT_EQ(query(db_, "SELECT Qty FROM ds_1 ORDER BY rowid"),
            (std::vector<std::string>{"3", "2.5"}));
}

TEST_F(ServerTest, MoreColumnsThanSqliteAllowsAre400AtCreationAndFill) {
  ServeOptions options;
  options.auto_create = true;
  start(std::move(options), false);
  std::string columns = "[";
  std::string row = "[[";
  for (int i = 0; i <= 2000; ++i) {  // 2001 columns
    if (i > 0) {
      columns += ',';
      row += ',';
    }
    columns += R"({"name":"c)" + std::to_string(i) + R"(","alias":"a","type":"dimension",)" +
               R"("subtype":"text"})";
    row += R"("v")";
  }
  columns += "]";
  row += "]]";
  auto created =
      http_request(server_->port(), "POST", "/datasets",
                   R"({"user-code":"u2","dataset-code":"wide","columns":)" + columns + "}");
  EXPECT_EQ(created.status, 400u) << created.body;
  EXPECT_NE(created.body.find("limit of 2000"), std::string::npos) << created.body;
  auto filled = fill(fill_body("u2", "wide", columns, row, true, false));
  EXPECT_EQ(filled.status, 400u) << filled.body;
  EXPECT_NE(filled.body.find("limit of 2000"), std::string::npos) << filled.body;
  EXPECT_EQ(query(db_, "SELECT count(*) FROM datasets"), std::vector<std::string>{"0"});
}

TEST_F(ServerTest, CompleteReturnsShapeAndNextFillStartsNewLoad) {
  start();
  ASSERT_EQ(
      fill_rows(R"([["a","3","2024-01-01"],["","",null],["c",-1.5,"2024-01-03"]])", false).status,
      200u);
  auto res = http_request(server_->port(), "POST", "/dataset-complete",
                          R"({"user-code":"u1","dataset-code":"d1"})");
  ASSERT_EQ(res.status, 200u) << res.body;
  EXPECT_NE(res.body.find(R"("rows-count":3,"load-number":1)"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find(R"({"name":"Name","empty-count":1})"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find(R"({"name":"Qty","empty-count":1,"min":-1.5,"max":3})"),
            std::string::npos)
      << res.body;
  EXPECT_NE(res.body.find(R"({"name":"Day","empty-count":1})"), std::string::npos) << res.body;
  EXPECT_EQ(query(db_, "SELECT completed, load_number FROM datasets"),
            std::vector<std::string>{"1|1"});
  ASSERT_EQ(fill_rows(kRows, true).status, 200u);
  EXPECT_EQ(query(db_, "SELECT completed, load_number FROM datasets"),
            std::vector<std::string>{"0|2"});
  EXPECT_EQ(http_request(server_->port(), "POST", "/dataset-complete",
                         R"({"user-code":"u1","dataset-code":"zz"})")
                .status,
            404u);
}

TEST_F(ServerTest, IdempotentReplayAndConflict) {
  start();
  const std::string body = fill_body("u1", "d1", kColumns, compress_payload(kRows), true, true);
  const testing::Headers key{{"Idempotency-Key", "\"batch-0-1000\""}};
  auto first = fill(body, key);
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(first.headers.count("Idempotent-Replayed"), 0u);
  auto again = fill(body, key);
  EXPECT_EQ(again.status, 200u);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.headers["Idempotent-Replayed"], "true");
  EXPECT_EQ(stored().size(), 2u);
  // Same key, different body: 422, nothing stored; also when the other body is invalid.
  expect_rejected(
      fill_body("u1", "d1", kColumns, compress_payload(R"([["z","1","2024-01-01"]])"), true, true),
      422, "different request body", key);
  expect_rejected(fill_body("u1", "d1", kColumns, "garbage", true, true), 422,
                  "different request body", key);
  EXPECT_EQ(query(db_, "SELECT user_code, key, status FROM idempotency"),
            std::vector<std::string>{"u1|batch-0-1000|200"});
  expect_rejected(body, 400, "Idempotency-Key must be", {{"Idempotency-Key", ""}});
}

// A key is bound to what the request stores, not to its bytes: a resumed `--level auto` load
// re-sends an in-flight batch at whatever level it uses then.
TEST_F(ServerTest, SameRowsEncodedDifferentlyReplayUnderTheirKey) {
  start();
  const testing::Headers key{{"Idempotency-Key", "load-7-0-4096"}};
  auto first = fill(fill_body("u1", "d1", kColumns, compress_payload(kRows), true, true), key);
  ASSERT_EQ(first.status, 200u) << first.body;
  auto plain = fill(fill_body("u1", "d1", kColumns, kRows, true, false), key);
  EXPECT_EQ(plain.status, 200u) << plain.body;
  EXPECT_EQ(plain.headers["Idempotent-Replayed"], "true");
  EXPECT_EQ(stored().size(), 2u);  // stored once
  // The same rows in replace mode, or for other columns, are another request.
  expect_rejected(fill_body("u1", "d1", kColumns, kRows, false, false), 422,
                  "different request body", key);
}

TEST_F(ServerTest, AuthenticationWithBearerTokens) {
  ServeOptions options;
  options.tokens.add("u1", "s3cret-u1");
  options.tokens.add("u2", "s3cret-u2");
  start(options);
  const std::string body = fill_body("u1", "d1", kColumns, compress_payload(kRows), true, true);
  auto res = fill(body);
  EXPECT_EQ(res.status, 401u);
  EXPECT_EQ(res.headers["WWW-Authenticate"], "Bearer");
  expect_rejected(body, 401, "Authorization", {{"Authorization", "Basic dTE6eA=="}});
  expect_rejected(body, 401, "Authorization", {{"Authorization", "Bearer"}});
  expect_rejected(body, 403, "not valid for any user-code", {{"Authorization", "Bearer nope"}});
  expect_rejected(body, 403, "not valid", {{"Authorization", "Bearer s3cret-u2"}});
  expect_rejected(body, 403, "not valid", {{"Authorization", "Bearer s3cret-u1x"}});
  EXPECT_EQ(fill(body, {{"Authorization", "Bearer s3cret-u1"}}).status, 200u);
  EXPECT_EQ(http_request(server_->port(), "GET", "/datasets/u1/d1").status, 401u);
  EXPECT_EQ(http_request(server_->port(), "GET", "/datasets/u1/d1", "",
                         {{"Authorization", "Bearer s3cret-u2"}})
                .status,
            403u);
  EXPECT_EQ(http_request(server_->port(), "GET", "/datasets/u1/d1", "",
                         {{"Authorization", "bearer s3cret-u1"}})
                .status,
            200u);
  // Tokens never reach the log.
  std::lock_guard lock(log_mu_);
  for (const auto& line : log_) EXPECT_EQ(line.find("s3cret"), std::string::npos) << line;
  EXPECT_FALSE(log_.empty());
}

TEST_F(ServerTest, HealthzAnswersWithoutATokenEvenWhenBusy) {
  ServeOptions options;
  options.tokens.add("u1", "s3cret-u1");
  options.limits.max_concurrent = 0;  // every counted request is refused as busy
  start(options);
  auto res = http_request(server_->port(), "GET", "/healthz");
  EXPECT_EQ(res.status, 200u) << res.body;
  EXPECT_EQ(res.body,
            R"({"data":{"status":"success","details":{"status":"ok","active-requests":0}}})");
  EXPECT_EQ(res.headers["Content-Type"], "application/json");
  EXPECT_EQ(http_request(server_->port(), "GET", "/healthz?probe=1").status, 200u);
  EXPECT_EQ(http_request(server_->port(), "POST", "/healthz").status, 405u);
  EXPECT_EQ(http_request(server_->port(), "GET", "/datasets/u1/d1").status, 401u);
}

TEST_F(ServerTest, Http11RequestsNeedExactlyOneHost) {
  start();
  auto none = raw_request(server_->port(), "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(none.status, 400u) << none.body;
  EXPECT_NE(none.body.find("Host header"), std::string::npos) << none.body;
  auto two = raw_request(server_->port(), "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  EXPECT_EQ(two.status, 400u) << two.body;
  EXPECT_EQ(raw_request(server_->port(), "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n").status, 200u);
  // HTTP/1.0 has no Host requirement.
  EXPECT_EQ(raw_request(server_->port(), "GET /healthz HTTP/1.0\r\n\r\n").status, 200u);
}

TEST_F(ServerTest, BodyAndHeaderLimits) {
  ServeOptions options;
  options.limits.max_body_bytes = 4096;
  options.limits.max_header_bytes = 1024;
  start(options);
  std::string big_rows = "[";
  for (int i = 0; i < 400; ++i) big_rows += std::string(i ? "," : "") + R"(["n","1","2024-01-01"])";
  big_rows += "]";
  expect_rejected(fill_body("u1", "d1", kColumns, big_rows, true, false), 413,
                  "request body exceeds 4096 bytes");
  auto res = http_request(server_->port(), "POST", "/dataset-fill", "{}",
                          {{"X-Padding", std::string(2000, 'p')}});
  EXPECT_EQ(res.status, 431u) << res.body;
  EXPECT_TRUE(stored().empty());
  // The server still answers after the rejections.
  EXPECT_EQ(fill_rows(kRows, true).status, 200u);
}

TEST_F(ServerTest, DecodedSizeRatioRowAndFieldLimits) {
  ServeOptions options;
  options.limits.max_decoded_bytes = 20000;
  options.limits.max_ratio = 50;
  options.limits.max_rows = 3;
  options.limits.max_field_bytes = 10;
  start(options);
  // Decoded size: 30 KB of rows, low ratio (random-ish names), uncompressed and compressed.
  std::string rows = "[";
  for (int i = 0; i < 1000; ++i)
    rows += std::string(i ? "," : "") + R"(["n)" + std::to_string(i * 7919) + R"(","1",null])";
  rows += "]";
  expect_rejected(fill_body("u1", "d1", kColumns, rows, true, false), 413, "decoded-size limit");
  expect_rejected(fill_body("u1", "d1", kColumns, compress_payload(rows), true, true), 413,
                  "insert-data");
  // Ratio: a small but very repetitive payload.
  std::string repetitive(15000, ' ');
  repetitive.replace(0, 2, "[]");
  expect_rejected(fill_body("u1", "d1", kColumns, compress_payload(repetitive), true, true), 413,
                  "insert-data");
  expect_rejected(fill_body("u1", "d1", kColumns,
                            compress_payload(R"([["a","1",null],["a","1",null],["a","1",null],)"
                                             R"(["a","1",null]])"),
                            true, true),
                  413, "more than 3 rows");
  expect_rejected(fill_body("u1", "d1", kColumns, compress_payload(R"([["abcdefghijk","1",null]])"),
                            true, true),
                  413, "exceeds 10");
  EXPECT_EQ(fill_rows(R"([["a","1",null],["b","2",null],["c","3",null]])", true).status, 200u);
}

TEST_F(ServerTest, GzipBombIsRefusedWithDefaultLimits) {
  start();
  // Over the default decoded-size cap (256 MiB): refused from the gzip size field, before the
  // output is allocated; the cap, not the compression ratio, is the defence.
  const std::string zeros((256u << 20) + 1, '0');
  const std::string bomb = compress_payload(zeros);
  EXPECT_LT(bomb.size(), 600u * 1024);  // the request is small...
  expect_rejected(fill_body("u1", "d1", kColumns, bomb, true, true), 413,
                  "exceeds the decoded-size limit of 268435456");
}

TEST_F(ServerTest, RepetitiveDataUnderTheDecodedCapIsAccepted) {
  // A legitimate 5 MB value of one repeated character compresses about 1000:1, as a bomb does;
  // under the decoded-size cap it is stored (the old ratio cap of 200 refused it).
  ServeOptions options;
  options.limits.max_field_bytes = 8u << 20;
  start(options);
  const std::string rows = R"([[")" + std::string(5'000'000, 'x') + R"(","1",null]])";
  const std::string gz = compress_payload(rows);
  EXPECT_LT(gz.size() * 200, rows.size());  // more than 200:1
  auto res = fill(fill_body("u1", "d1", kColumns, gz, true, true));
  ASSERT_EQ(res.status, 200u) << res.body;
  const auto rows_stored = stored();
  ASSERT_EQ(rows_stored.size(), 1u);
}

TEST_F(ServerTest, DiscardValidatesButStoresNothing) {
  ServeOptions options;
  options.discard = true;
  start(options, false);
  auto res = fill(fill_body("u1", "any", kColumns, compress_payload(kRows), true, true));
  ASSERT_EQ(res.status, 200u) << res.body;
  res = fill(fill_body("u1", "any", kColumns, compress_payload(kRows), true, true));
  EXPECT_NE(res.body.find(R"("rows-count":4,"rows-inserted":2)"), std::string::npos) << res.body;
  res = fill(fill_body("u1", "any", kColumns, compress_payload(R"([["a","x",null]])"), true, true));
  EXPECT_EQ(res.status, 400u);
  EXPECT_FALSE(std::filesystem::exists(db_));
}

TEST_F(ServerTest, StopFinishesAndRestartKeepsData) {
  start();
  ASSERT_EQ(fill_rows(kRows, true).status, 200u);
  server_->stop();
  server_.reset();
  start({}, true);  // --create of an identical dataset is accepted
  ASSERT_EQ(fill_rows(kRows, true).status, 200u);
  EXPECT_EQ(stored().size(), 4u);
  std::lock_guard lock(log_mu_);
  ASSERT_FALSE(log_.empty());
  EXPECT_EQ(log_.back().rfind("POST /dataset-fill 200 rows=2 ", 0), 0u) << log_.back();
}

// Returns the process's virtual memory size in KiB (VmSize in /proc/self/status).
std::uint64_t vm_size_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7));
  }
  return 0;
}

std::string fill_header(std::uint64_t length, std::string_view extra = "") {
  return "POST /dataset-fill HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
         std::string(extra) + "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

TEST_F(ServerTest, AuthAndRoutingAreDecidedBeforeTheBodyIsRead) {
  ServeOptions options;
  options.tokens.add("u1", "s3cret-u1");
  start(options);
  const auto started = std::chrono::steady_clock::now();
  // A declared 60 MB that never comes: the answer cannot wait for it.
  testing::RawConnection no_auth(server_->port(), 5000);
  ASSERT_TRUE(no_auth.send(fill_header(60'000'000)));
  auto res = no_auth.read();
  EXPECT_EQ(res.status, 401u) << res.body;
  EXPECT_EQ(res.headers["WWW-Authenticate"], "Bearer");
  EXPECT_TRUE(no_auth.closed_by_peer());
  testing::RawConnection unknown_token(server_->port(), 5000);
  ASSERT_TRUE(unknown_token.send(fill_header(60'000'000, "Authorization: Bearer nope\r\n")));
  EXPECT_EQ(unknown_token.read().status, 403u);
  testing::RawConnection no_route(server_->port(), 5000);
  ASSERT_TRUE(no_route.send("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 60000000\r\n\r\n"));
  EXPECT_EQ(no_route.read().status, 404u);
  testing::RawConnection bad_method(server_->port(), 5000);
  ASSERT_TRUE(
      bad_method.send("PUT /dataset-fill HTTP/1.1\r\nHost: x\r\nContent-Length: 60000000\r\n\r\n"));
  EXPECT_EQ(bad_method.read().status, 405u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
  // A request without a body keeps its connection after a header-level answer.
  testing::RawConnection keep(server_->port(), 5000);
  ASSERT_TRUE(
      keep.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(keep.read().status, 404u);
  EXPECT_EQ(keep.read().status, 404u);
  EXPECT_EQ(fill(fill_body("u1", "d1", kColumns, compress_payload(kRows), true, true),
                 {{"Authorization", "Bearer s3cret-u1"}})
                .status,
            200u);
}

TEST_F(ServerTest, DeclaredLengthsAreNotReservedUpFront) {
  start();
  const std::uint64_t before = vm_size_kib();
  ASSERT_GT(before, 0u);
  std::vector<std::unique_ptr<testing::RawConnection>> held;
  for (int i = 0; i < 20; ++i) {  // 20 x 60 MB declared, 20 bytes each sent
    held.push_back(std::make_unique<testing::RawConnection>(server_->port(), 5000));
    ASSERT_TRUE(held.back()->send(fill_header(60'000'000) + R"({"user-code":"u1",)"));
  }
  // The server has read them once a request on another connection is answered after them.
  EXPECT_EQ(http_request(server_->port(), "GET", "/datasets/u1/d1").status, 200u);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::uint64_t after = vm_size_kib();
  // Reserving the declared lengths would add 1.2 GB of address space.
  EXPECT_LT(after, before + 200 * 1024) << before << " KiB -> " << after << " KiB";
}

TEST_F(ServerTest, InflightBudgetIs503WithRetryAfter) {
  ServeOptions options;
  options.limits.max_inflight_bytes = 256 * 1024;
  start(options);
  std::string big = R"([)";
  for (int i = 0; i < 20'000; ++i) big += R"(["a fairly long name for a row",1,"2024-01-31"],)";
  big.back() = ']';
  const std::string body = fill_body("u1", "d1", kColumns, big, true, false);
  ASSERT_GT(body.size(), 512u * 1024);
  auto res = fill(body);
  EXPECT_EQ(res.status, 503u) << res.body;
  EXPECT_EQ(res.headers["Retry-After"], "1");
  EXPECT_NE(res.body.find("retry later"), std::string::npos) << res.body;
  EXPECT_EQ(stored().size(), 0u);
  // The budget is given back: a request within it is served.
  EXPECT_EQ(fill_rows(kRows, true).status, 200u);
}

TEST_F(ServerTest, ConnectionsBeyondTheCapAre503) {
  ServeOptions options;
  options.limits.max_connections = 2;
  start(options);
  auto a = std::make_unique<testing::RawConnection>(server_->port(), 5000);
  auto b = std::make_unique<testing::RawConnection>(server_->port(), 5000);
  // Both are accepted once a request on one of them is answered.
  ASSERT_TRUE(a->send("GET /datasets/u1/d1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(a->read().status, 200u);
  ASSERT_TRUE(b->send("GET /datasets/u1/d1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(b->read().status, 200u);
  testing::RawConnection c(server_->port(), 5000);
  auto res = c.read();  // answered without a request
  EXPECT_EQ(res.status, 503u) << res.body;
  EXPECT_EQ(res.headers["Retry-After"], "1");
  a.reset();
  b.reset();
  // Closed connections free their places (the server sees the close at once).
  unsigned status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    status = fill_rows(kRows, true).status;
  }
  EXPECT_EQ(status, 200u);
}

TEST_F(ServerTest, IdleKeepAliveConnectionsAreClosedAfterIdleTimeout) {
  ServeOptions options;
  options.limits.idle_timeout = std::chrono::milliseconds(300);
  start(options);
  testing::RawConnection conn(server_->port(), 5000);
  ASSERT_TRUE(conn.send("GET /datasets/u1/d1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(conn.read().status, 200u);
  const auto idle_since = std::chrono::steady_clock::now();
  EXPECT_TRUE(conn.closed_by_peer());
  const auto waited = std::chrono::steady_clock::now() - idle_since;
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_LT(waited, std::chrono::seconds(3));
}

}  // namespace
}  // namespace dsfill::server
