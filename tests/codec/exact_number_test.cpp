#include "codec/exact_number.h"

#include <gtest/gtest.h>

namespace dsfill::codec {
namespace {

using Kind = ExactNumber::Kind;

Kind kind_of(const char* literal) { return exact_number(literal).kind; }

TEST(ExactNumber, IntegersThatFitInt64AreIntegers) {
  EXPECT_EQ(exact_number("42").integer, 42);
  EXPECT_EQ(kind_of("-9223372036854775808"), Kind::kInteger);
  EXPECT_EQ(exact_number("9223372036854775807").integer, INT64_MAX);
}

TEST(ExactNumber, DoublesThatHoldEveryDigitAreReal) {
  EXPECT_EQ(kind_of("100.00"), Kind::kReal);
  EXPECT_EQ(exact_number("100.00").real, 100.0);
  EXPECT_EQ(kind_of("0.1"), Kind::kReal);
  EXPECT_EQ(kind_of("-2.50"), Kind::kReal);
  EXPECT_EQ(kind_of("1e5"), Kind::kReal);
  EXPECT_EQ(kind_of("0.000125"), Kind::kReal);
  EXPECT_EQ(kind_of("1.7976931348623157e308"), Kind::kReal);
  EXPECT_EQ(kind_of("100000000000000000000"), Kind::kReal);  // 1e20: no digit lost
  EXPECT_EQ(kind_of("0.0"), Kind::kReal);
  EXPECT_EQ(kind_of("-0.0"), Kind::kReal);
}

TEST(ExactNumber, LiteralsADoubleWouldChangeAreText) {
  EXPECT_EQ(kind_of("12345678901234567890"), Kind::kText);  // a double reads ...567e19
  EXPECT_EQ(kind_of("9223372036854775808"), Kind::kText);   // INT64_MAX + 1
  EXPECT_EQ(kind_of("1.00000000000000000001"), Kind::kText);
  EXPECT_EQ(kind_of("0.10000000000000000555"), Kind::kText);
  EXPECT_EQ(kind_of("123456789012345678.5"), Kind::kText);
}

}  // namespace
}  // namespace dsfill::codec
