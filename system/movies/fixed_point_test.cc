#include "system/movies/fixed_point.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chancho::movies {
namespace {

using ::testing::Optional;

// 2^127 - 1, the largest Int128.
constexpr Int128 kMax = ~(Int128{1} << 127);

TEST(Int128Test, WritesAndParsesDecimalText) {
  EXPECT_EQ(Int128ToString(0), "0");
  EXPECT_EQ(Int128ToString(-7), "-7");
  EXPECT_EQ(Int128ToString(Int128{INT64_MAX} * 4), "36893488147419103228");
  EXPECT_EQ(Int128ToString(kMax), "170141183460469231731687303715884105727");
  EXPECT_EQ(Int128ToString(-kMax - 1),
            "-170141183460469231731687303715884105728");
  for (Int128 value : {Int128{0}, Int128{-1}, Int128{123456789},
                       Int128{INT64_MIN} * 3, kMax / 7}) {
    EXPECT_EQ(ParseInt128(Int128ToString(value)), value);
  }
  EXPECT_EQ(ParseInt128(""), std::nullopt);
  EXPECT_EQ(ParseInt128("-"), std::nullopt);
  EXPECT_EQ(ParseInt128("12a"), std::nullopt);
  EXPECT_EQ(ParseInt128("+1"), std::nullopt);
  EXPECT_EQ(ParseInt128(std::string(39, '9')), std::nullopt);
}

TEST(FormatQuotientTest, RoundsHalfAwayFromZero) {
  EXPECT_EQ(FormatQuotient(7, 2), "3.500000");
  EXPECT_EQ(FormatQuotient(1, 3), "0.333333");
  EXPECT_EQ(FormatQuotient(2, 3), "0.666667");
  EXPECT_EQ(FormatQuotient(1, 2'000'000), "0.000001");  // 0.0000005
  EXPECT_EQ(FormatQuotient(1, 2'000'001), "0.000000");
  EXPECT_EQ(FormatQuotient(-1, 3), "-0.333333");
  EXPECT_EQ(FormatQuotient(-1, 2'000'000), "-0.000001");
  EXPECT_EQ(FormatQuotient(-1, 3'000'000), "0.000000");
  EXPECT_EQ(FormatQuotient(0, 5), "0.000000");
  // 999999.9999995 carries into the whole part.
  EXPECT_EQ(FormatQuotient(19'999'999'999'999, 20'000'000), "1000000.000000");
  EXPECT_EQ(FormatQuotient(5, 2, 0), "3");
  EXPECT_EQ(FormatQuotient(123456, 1000, 2), "123.46");
}

TEST(FormatQuotientTest, HandlesNumeratorsFarBeyondInt64) {
  EXPECT_EQ(FormatQuotient(kMax, 1),
            "170141183460469231731687303715884105727.000000");
  EXPECT_EQ(FormatQuotient(kMax, Int128{INT64_MAX} * 1'000'000'000),
            "18446744073.709552");
}

TEST(RoundedQuotientTest, RoundsHalfAwayFromZero) {
  EXPECT_EQ(RoundedQuotient(5, 2), 3);
  EXPECT_EQ(RoundedQuotient(-5, 2), -3);
  EXPECT_EQ(RoundedQuotient(4, 3), 1);
  EXPECT_EQ(RoundedQuotient(2, 3), 1);
}

TEST(CompareFractionsTest, ComparesExactly) {
  EXPECT_EQ(CompareFractions(1, 3, 2, 6), 0);
  EXPECT_EQ(CompareFractions(1, 3, 333'333, 1'000'000), 1);
  EXPECT_EQ(CompareFractions(75, 2, 113, 3), -1);  // 37.5 < 37.67
}

TEST(ParseFixedTest, ParsesDecimalsIntoUnits) {
  EXPECT_THAT(ParseFixed("30000000", 0), Optional(30'000'000));
  EXPECT_THAT(ParseFixed("373554033.0", 0), Optional(373'554'033));
  EXPECT_THAT(ParseFixed("3.5", 1), Optional(35));
  EXPECT_THAT(ParseFixed("4", 1), Optional(40));
  EXPECT_THAT(ParseFixed("0.50", 1), Optional(5));
  EXPECT_THAT(ParseFixed("9223372036854775807", 0), Optional(INT64_MAX));
  EXPECT_THAT(ParseFixed("0", 0), Optional(0));
}

TEST(ParseFixedTest, RejectsEverythingElse) {
  for (const char* text :
       {"", ".", "3.", ".5", "-1", "+1", "1e6", " 1", "1 ", "12.5", "3.05",
        "1,000", "nan", "9223372036854775808", "/ff9qCepilow.jpg"}) {
    EXPECT_EQ(ParseFixed(text, 0), std::nullopt) << text;
  }
  EXPECT_EQ(ParseFixed("3.25", 1), std::nullopt);
  EXPECT_EQ(ParseFixed("922337203685477580.8", 1), std::nullopt);
}

}  // namespace
}  // namespace chancho::movies
