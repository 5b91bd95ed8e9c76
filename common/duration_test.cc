#include "common/duration.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace chancho::common {
namespace {

using std::chrono::microseconds;

TEST(ParseDurationTest, ParsesEachUnit) {
  EXPECT_EQ(ParseDuration("150ms"), microseconds(150'000));
  EXPECT_EQ(ParseDuration("5s"), microseconds(5'000'000));
  EXPECT_EQ(ParseDuration("2m"), microseconds(120'000'000));
  EXPECT_EQ(ParseDuration("1h"), microseconds(3'600'000'000LL));
  EXPECT_EQ(ParseDuration("7d"), microseconds(7 * 86'400'000'000LL));
  EXPECT_EQ(ParseDuration("100us"), microseconds(100));
  EXPECT_EQ(ParseDuration("100\xC2\xB5s"), microseconds(100));
  EXPECT_EQ(ParseDuration("2000ns"), microseconds(2));
}

TEST(ParseDurationTest, ParsesFractionsSumsAndZero) {
  EXPECT_EQ(ParseDuration("1.5s"), microseconds(1'500'000));
  EXPECT_EQ(ParseDuration(".5ms"), microseconds(500));
  EXPECT_EQ(ParseDuration("1m30s"), microseconds(90'000'000));
  EXPECT_EQ(ParseDuration("0"), microseconds(0));
  EXPECT_EQ(ParseDuration("0s"), microseconds(0));
  EXPECT_EQ(ParseDuration(" 10ms "), microseconds(10'000));
}

TEST(ParseDurationTest, RejectsBadInputWithAClearMessage) {
  for (const char* bad : {"", "  ", "150", "ms", "5x", "-5s", "1.s5", "1e3ms",
                          "inf", "5 s", "s5", "1..5s", "9999999h"}) {
    EXPECT_THROW(ParseDuration(bad), std::invalid_argument) << bad;
  }
  try {
    ParseDuration("150");
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "invalid duration '150': missing unit (use ns, us, ms, s, m, h "
              "or d)");
  }
}

}  // namespace
}  // namespace chancho::common

namespace chancho::common {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ParseDurationOrTest, ABareNumberCountsInTheOptionsOwnUnit) {
  EXPECT_EQ(ParseDurationOr("2500", milliseconds(1)), milliseconds(2500));
  EXPECT_EQ(ParseDurationOr("30", seconds(1)), milliseconds(30000));
  EXPECT_EQ(ParseDurationOr("1.5", seconds(1)), milliseconds(1500));
  EXPECT_EQ(ParseDurationOr(" 0 ", seconds(1)), milliseconds(0));
  EXPECT_EQ(ParseDurationOr("2", std::chrono::hours(24)), std::chrono::hours(48));
}

TEST(ParseDurationOrTest, AUnitWinsWhateverTheOptionsUnit) {
  for (const auto bare : {milliseconds(1), milliseconds(1000)}) {
    EXPECT_EQ(ParseDurationOr("500ms", bare), milliseconds(500));
    EXPECT_EQ(ParseDurationOr("2s", bare), milliseconds(2000));
    EXPECT_EQ(ParseDurationOr("1m", bare), milliseconds(60000));
    EXPECT_EQ(ParseDurationOr("1m30s", bare), milliseconds(90000));
  }
}

TEST(ParseDurationOrTest, BadTextIsAnError) {
  for (const char* text : {"", "-5", "5x", "s", "1e3", "ten"}) {
    EXPECT_THROW(ParseDurationOr(text, milliseconds(1)), std::invalid_argument) << text;
  }
}

}  // namespace
}  // namespace chancho::common
