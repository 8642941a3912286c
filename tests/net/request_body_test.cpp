// The server's request body: grows as bytes arrive, never from the declared length, and stops
// when the in-flight budget is spent.
#include "net/request_body.h"

#include <gtest/gtest.h>

#include <string>

#include <boost/beast/http/message.hpp>

namespace dsfill::net {
namespace {

namespace http = boost::beast::http;

// Puts `data` into a fresh reader of `body` for a request declaring `declared` bytes.
boost::system::error_code put(RequestBody::value_type& body, std::uint64_t declared,
                              const std::string& data) {
  http::request_header<> header;
  RequestBody::reader reader(header, body);
  boost::system::error_code ec;
  reader.init(declared, ec);
  EXPECT_FALSE(ec);
  reader.put(boost::asio::buffer(data), ec);
  return ec;
}

TEST(RequestBody, ADeclaredLengthIsNotReserved) {
  BodyBudget budget(1ull << 30);
  RequestBody::value_type body;
  body.charge = BodyCharge(&budget);
  EXPECT_FALSE(put(body, 60'000'000, R"({"user-code":"u1",)"));
  EXPECT_EQ(body.text, R"({"user-code":"u1",)");
  EXPECT_LT(body.text.capacity(), 64u * 1024);  // not 60 MB
  EXPECT_LT(budget.used(), 64u * 1024);
}

TEST(RequestBody, AKnownLengthEndsWithItsPaddingAndNoMore) {
  BodyBudget budget(1ull << 30);
  RequestBody::value_type body;
  body.charge = BodyCharge(&budget);
  http::request_header<> header;
  RequestBody::reader reader(header, body);
  boost::system::error_code ec;
  const std::uint64_t declared = 1'000'000;
  reader.init(declared, ec);
  const std::string piece(1000, 'x');
  for (int i = 0; i < 1000; ++i) {
    reader.put(boost::asio::buffer(piece), ec);
    ASSERT_FALSE(ec);
  }
  EXPECT_EQ(body.text.size(), declared);
  EXPECT_GE(body.text.capacity(), declared + kBodySpareBytes);
  EXPECT_EQ(budget.used(), declared + kBodySpareBytes);
  body.charge.reset();
  EXPECT_EQ(budget.used(), 0u);
}

TEST(RequestBody, ASpentBudgetStopsTheRead) {
  BodyBudget budget(4096);
  RequestBody::value_type body;
  body.charge = BodyCharge(&budget);
  const auto ec = put(body, 0, std::string(10'000, 'x'));
  EXPECT_EQ(ec, boost::system::errc::no_buffer_space);
  EXPECT_TRUE(body.text.empty());
  EXPECT_EQ(budget.used(), 0u);
}

TEST(RequestBody, ChargesAreGivenBackWhenDropped) {
  BodyBudget budget(1ull << 20);
  {
    RequestBody::value_type body;
    body.charge = BodyCharge(&budget);
    EXPECT_FALSE(put(body, 0, std::string(1000, 'x')));
    EXPECT_GT(budget.used(), 0u);
  }
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace dsfill::net
