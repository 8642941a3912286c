// Failures that are not the client's fault get the status that says a retry can succeed.
#include "server/failures.h"

#include <gtest/gtest.h>

#include "server/http_mapping.h"

namespace dsfill::server {
namespace {

TEST(Failures, SimdjsonOutOfMemoryIs503NotAJsonError) {
  const Error e = json_parse_error("request body is not JSON: ", simdjson::MEMALLOC);
  EXPECT_EQ(e.code, ErrorCode::kUnavailable);
  EXPECT_EQ(http_status_for(e), 503u);
  EXPECT_NE(e.message.find("out of memory"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("not JSON"), std::string::npos) << e.message;
}

TEST(Failures, OtherSimdjsonErrorsStayBadJsonWithTheirMessage) {
  const Error e = json_parse_error("request body is not JSON: ", simdjson::TAPE_ERROR);
  EXPECT_EQ(e.code, ErrorCode::kBadJson);
  EXPECT_EQ(e.message.rfind("request body is not JSON: ", 0), 0u) << e.message;
}

}  // namespace
}  // namespace dsfill::server
