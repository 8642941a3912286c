// The one ErrorCode -> HTTP status table, and the envelopes of the answers built from domain
// results (their bytes are what clients and the loader read).
#include "server/http_mapping.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "codec/columns.h"

namespace dsfill::server {
namespace {

TEST(HttpMappingTest, EveryErrorCodeHasItsStatus) {
  const std::vector<std::pair<ErrorCode, unsigned>> table = {
      {ErrorCode::kBadCsv, 400},          {ErrorCode::kBadEncoding, 400},
      {ErrorCode::kBadNumber, 400},       {ErrorCode::kBadDate, 400},
      {ErrorCode::kBadGzip, 400},         {ErrorCode::kBadBase64, 400},
      {ErrorCode::kBadJson, 400},         {ErrorCode::kBadArgument, 400},
      {ErrorCode::kUnauthenticated, 401}, {ErrorCode::kForbidden, 403},
      {ErrorCode::kNotFound, 404},        {ErrorCode::kBadMethod, 405},
      {ErrorCode::kConflict, 409},        {ErrorCode::kTooLarge, 413},
      {ErrorCode::kKeyReused, 422},       {ErrorCode::kBusy, 429},
      {ErrorCode::kStorage, 500},         {ErrorCode::kIo, 500},
      {ErrorCode::kInternal, 500},        {ErrorCode::kUnavailable, 503},
      {ErrorCode::kDiskFull, 507},
  };
  for (const auto& [code, status] : table) {
    EXPECT_EQ(http_status_for(make_error(code, "m")), status) << error_code_name(code);
  }
}

TEST(HttpMappingTest, ErrorAnswerIsTheEnvelopeOfTheMessage) {
  const Answer a = error_answer(make_error(ErrorCode::kKeyReused, "say \"no\"", 3, 7));
  EXPECT_EQ(a.status, 422u);
  EXPECT_EQ(a.body, R"({"data":{"status":"error","message":"say \"no\""}})");
  EXPECT_EQ(a.rows, 0u);
  EXPECT_FALSE(a.replayed);
}

TEST(HttpMappingTest, FillAnswerAndTheAnswerItKeepsAreTheSame) {
  FillOutcome o{2, 5, std::nullopt};
  const Answer a = fill_answer("d", o);
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, R"({"data":{"status":"success","details":{"dataset-code":"d","rows-count":5,)"
                    R"("rows-inserted":2}}})");
  EXPECT_EQ(a.rows, 2u);
  EXPECT_FALSE(a.replayed);
  const StoredAnswer kept = answer_to_keep("d", o);
  EXPECT_EQ(kept.status, a.status);
  EXPECT_EQ(kept.body, a.body);
}

TEST(HttpMappingTest, ReplayedFillSendsTheKeptAnswer) {
  FillOutcome o{0, 0, StoredAnswer{200, "kept"}};
  const Answer a = fill_answer("d", o);
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, "kept");
  EXPECT_EQ(a.rows, 0u);
  EXPECT_TRUE(a.replayed);
}

TEST(HttpMappingTest, CreateAnswerIs201Or200WithColumnsOrEmptyDetails) {
  auto columns = codec::parse_columns_json(
      R"([{"name":"N","alias":"N","type":"dimension","subtype":"text"}])");
  ASSERT_TRUE(columns);
  const Answer created = create_answer("u", "d", CreateOutcome{true, *columns});
  EXPECT_EQ(created.status, 201u);
  EXPECT_EQ(created.body.rfind(R"({"data":{"status":"success","details":{"user-code":"u",)"
                               R"("dataset-code":"d","columns":[{"name":"N")",
                               0),
            0u)
      << created.body;
  EXPECT_EQ(create_answer("u", "d", CreateOutcome{false, *columns}).status, 200u);
  EXPECT_EQ(create_answer("u", "d", CreateOutcome{true, std::nullopt}).body,
            R"({"data":{"status":"success","details":{}}})");
}

TEST(HttpMappingTest, ShapeAnswerWithAndWithoutProfile) {
  DatasetShape shape;
  shape.rows_count = 3;
  shape.load_number = 2;
  shape.columns.push_back({"T", false, 1, std::nullopt, std::nullopt});
  shape.columns.push_back({"M", true, 0, 1.5, 2.0});
  shape.columns.push_back({"E", true, 3, std::nullopt, std::nullopt});
  const Answer a = shape_answer("d", shape);
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.rows, 3u);
  EXPECT_EQ(a.body, R"({"data":{"status":"success","details":{"dataset-code":"d","rows-count":3,)"
                    R"("load-number":2,"columns":[{"name":"T","empty-count":1},)"
                    R"({"name":"M","empty-count":0,"min":1.5,"max":2},)"
                    R"({"name":"E","empty-count":3,"min":null,"max":null}]}}})");
  DatasetShape counted;
  counted.rows_count = 4;
  counted.profiled = false;
  EXPECT_EQ(shape_answer("d", counted).body,
            R"({"data":{"status":"success","details":{"dataset-code":"d","rows-count":4}}})");
}

TEST(HttpMappingTest, DescribeAnswerWithAndWithoutCatalog) {
  DatasetInfo info;
  info.table_name = "ds_1";
  info.row_count = 7;
  info.completed = true;
  info.load_number = 3;
  const Answer a = describe_answer("u", "d", info);
  EXPECT_EQ(a.rows, 7u);
  EXPECT_EQ(a.body,
            R"({"data":{"status":"success","details":{"user-code":"u","dataset-code":"d",)"
            R"("rows-count":7,"completed":true,"load-number":3,"table":"ds_1","columns":[]}}})");
  DatasetInfo counted;
  counted.catalogued = false;
  counted.row_count = 2;
  EXPECT_EQ(describe_answer("u", "d", counted).body,
            R"({"data":{"status":"success","details":{"rows-count":2}}})");
}

}  // namespace
}  // namespace dsfill::server
