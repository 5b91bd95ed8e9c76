// The one-line text form of a network fault.
#include "harness/proxy/link_fault_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/error.h"

namespace chancho {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

std::string ErrorOf(std::string_view text) {
  try {
    ParseLinkFault(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(LinkFaultText, ParsesEveryField) {
  const DirectedLinkFault f =
      ParseLinkFault("delay delay=200 jitter=50 direction=up for=5000");
  EXPECT_EQ(f.fault.kind, LinkFaultKind::kDelay);
  EXPECT_EQ(f.fault.delay, milliseconds(200));
  EXPECT_EQ(f.fault.jitter, milliseconds(50));
  EXPECT_EQ(f.direction, Direction::kClientToServer);
  EXPECT_EQ(f.fault.duration, milliseconds(5000));

  const DirectedLinkFault b = ParseLinkFault("bandwidth rate=1000 direction=down");
  EXPECT_EQ(b.fault.kind, LinkFaultKind::kBandwidth);
  EXPECT_EQ(b.fault.bytes_per_second, 1000u);
  EXPECT_EQ(b.direction, Direction::kServerToClient);
  EXPECT_EQ(b.fault.duration, milliseconds(0));
}

TEST(LinkFaultText, FormatThenParseGivesTheSameFault) {
  for (const char* text :
       {"none", "none direction=up", "delay delay=10", "delay delay=1 jitter=2 for=3",
        "bandwidth rate=5 direction=down", "blackhole direction=up for=100",
        "reset", "partition for=5000"}) {
    const DirectedLinkFault f = ParseLinkFault(text);
    EXPECT_EQ(FormatLinkFault(f), text);
    EXPECT_EQ(ParseLinkFault(FormatLinkFault(f)), f) << text;
  }
}

TEST(LinkFaultText, DropsFieldsThatDoNotApplyToTheKind) {
  // A partition acts on whole connections: no direction, no delay.
  EXPECT_EQ(FormatLinkFault(ParseLinkFault("partition direction=up delay=5 for=10")),
            "partition for=10");
  EXPECT_EQ(FormatLinkFault(ParseLinkFault("blackhole rate=7")), "blackhole");
}

TEST(LinkFaultText, TimesTakeUnitsAndBareMilliseconds) {
  const auto f = ParseLinkFault("delay delay=1.5s jitter=20ms for=1m");
  EXPECT_EQ(f.fault.delay, std::chrono::milliseconds(1500));
  EXPECT_EQ(f.fault.jitter, std::chrono::milliseconds(20));
  EXPECT_EQ(f.fault.duration, std::chrono::milliseconds(60000));
  EXPECT_EQ(ParseLinkFault("partition for=2500").fault.duration,
            std::chrono::milliseconds(2500));
  // The canonical text is in bare milliseconds.
  EXPECT_EQ(FormatLinkFault(f), "delay delay=1500 jitter=20 for=60000");
}

TEST(LinkFaultText, RejectsBadInputWithOneLine) {
  EXPECT_THAT(ErrorOf(""), HasSubstr("empty"));
  EXPECT_THAT(ErrorOf("flood"), HasSubstr("unknown kind \"flood\""));
  EXPECT_THAT(ErrorOf("delay"), HasSubstr("delay needs delay=MS"));
  EXPECT_THAT(ErrorOf("bandwidth rate=0"), HasSubstr("rate=BYTES_PER_S above 0"));
  EXPECT_THAT(ErrorOf("delay delay=-5"), HasSubstr("delay= needs a duration"));
  EXPECT_THAT(ErrorOf("delay delay=5x"), HasSubstr("delay= needs a duration"));
  EXPECT_THAT(ErrorOf("partition for=soon"), HasSubstr("for= needs a duration"));
  EXPECT_THAT(ErrorOf("bandwidth rate=1.5"), HasSubstr("non-negative integer"));
  // Out of range: beyond 64 bits, and beyond a hundred years.
  EXPECT_THAT(ErrorOf("bandwidth rate=99999999999999999999999"),
              HasSubstr("rate= needs a non-negative integer"));
  EXPECT_THAT(ErrorOf("delay delay=99999999999999999999"), HasSubstr("delay= needs a duration"));
  EXPECT_THAT(ErrorOf("partition for=40000d"), HasSubstr("for= needs a duration"));
  EXPECT_THAT(ErrorOf("partition 5"), HasSubstr("expected key=value"));
  EXPECT_THAT(ErrorOf("partition until=5"), HasSubstr("unknown key \"until\""));
  EXPECT_THAT(ErrorOf("blackhole direction=sideways"),
              HasSubstr("unknown direction \"sideways\""));
  for (const char* bad : {"", "flood", "delay", "partition 5"}) {
    EXPECT_EQ(ErrorOf(bad).find('\n'), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace chancho
