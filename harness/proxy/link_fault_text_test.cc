// The one-line text form of a network fault.
#include "harness/proxy/link_fault_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "common/error.h"

namespace chancho {
namespace {

using std::chrono::microseconds;
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

TEST(LinkFaultText, ParsesTheToxics) {
  const DirectedLinkFault s =
      ParseLinkFault("slicer size=64 variation=16 delay=10us direction=down");
  EXPECT_EQ(s.fault.kind, LinkFaultKind::kSlicer);
  EXPECT_EQ(s.fault.average_size, 64u);
  EXPECT_EQ(s.fault.size_variation, 16u);
  EXPECT_EQ(s.fault.slice_delay, microseconds(10));
  EXPECT_EQ(s.direction, Direction::kServerToClient);
  EXPECT_EQ(s.fault.toxicity, 1.0);

  const DirectedLinkFault l = ParseLinkFault("limit_data bytes=1000 for=2s");
  EXPECT_EQ(l.fault.kind, LinkFaultKind::kLimitData);
  EXPECT_EQ(l.fault.bytes, 1000u);
  EXPECT_EQ(l.fault.duration, milliseconds(2000));

  const DirectedLinkFault t = ParseLinkFault("timeout timeout=2s");
  EXPECT_EQ(t.fault.kind, LinkFaultKind::kTimeout);
  EXPECT_EQ(t.fault.timeout, milliseconds(2000));
  EXPECT_EQ(ParseLinkFault("timeout").fault.timeout, milliseconds(0));

  const DirectedLinkFault c = ParseLinkFault("slow_close delay=500ms");
  EXPECT_EQ(c.fault.kind, LinkFaultKind::kSlowClose);
  EXPECT_EQ(c.fault.delay, milliseconds(500));

  EXPECT_EQ(ParseLinkFault("blackhole toxicity=0.5").fault.toxicity, 0.5);
  EXPECT_EQ(ParseLinkFault("latency delay=7").fault,
            ParseLinkFault("delay delay=7").fault);
}

TEST(LinkFaultText, SlicerDelayIsInMicroseconds) {
  EXPECT_EQ(ParseLinkFault("slicer size=8 delay=250").fault.slice_delay,
            microseconds(250));
  EXPECT_EQ(ParseLinkFault("slicer size=8 delay=1.5ms").fault.slice_delay,
            microseconds(1500));
  EXPECT_EQ(FormatLinkFault(ParseLinkFault("slicer size=8 delay=2ms")),
            "slicer size=8 delay=2000us");
}

TEST(LinkFaultText, ParsesAStackInOrder) {
  const DirectedLinkFault f = ParseLinkFault(
      "delay delay=100ms + slicer size=64 delay=1ms + limit_data bytes=4096");
  EXPECT_EQ(f.fault.kind, LinkFaultKind::kDelay);
  EXPECT_EQ(f.fault.delay, milliseconds(100));
  ASSERT_EQ(f.fault.stacked.size(), 2u);
  EXPECT_EQ(f.fault.stacked[0].kind, LinkFaultKind::kSlicer);
  EXPECT_EQ(f.fault.stacked[0].slice_delay, microseconds(1000));
  EXPECT_EQ(f.fault.stacked[1].kind, LinkFaultKind::kLimitData);
  EXPECT_EQ(f.fault.stacked[1].bytes, 4096u);
  EXPECT_EQ(f.direction, Direction::kBoth);
  EXPECT_EQ(FormatLinkFault(f),
            "delay delay=100 + slicer size=64 delay=1000us + limit_data "
            "bytes=4096");

  // One direction for the line, written in the first fault.
  const DirectedLinkFault down = ParseLinkFault(
      "delay delay=5 for=9 + slicer size=4 direction=down toxicity=0.25");
  EXPECT_EQ(down.direction, Direction::kServerToClient);
  EXPECT_EQ(down.fault.stacked.at(0).toxicity, 0.25);
  EXPECT_EQ(FormatLinkFault(down),
            "delay delay=5 direction=down for=9 + slicer size=4 "
            "toxicity=0.25");
}

TEST(LinkFaultText, ToxicsAndStacksGoRoundTrip) {
  for (const char* text :
       {"slow_close delay=500", "timeout", "timeout timeout=2000 for=10",
        "slicer size=64", "slicer size=64 variation=16 delay=10us",
        "limit_data bytes=0", "limit_data bytes=1000 direction=up",
        "blackhole toxicity=0.5", "delay delay=1 toxicity=0",
        "bandwidth rate=10 toxicity=0.001 direction=down for=5",
        "delay delay=100 + slicer size=64 delay=1000us + limit_data bytes=1",
        "timeout timeout=5 direction=up + slow_close delay=3 toxicity=0.75"}) {
    const DirectedLinkFault f = ParseLinkFault(text);
    EXPECT_EQ(FormatLinkFault(f), text);
    EXPECT_EQ(ParseLinkFault(FormatLinkFault(f)), f) << text;
  }
  // Any toxicity comes back exactly.
  std::mt19937_64 random(5);
  for (int i = 0; i < 200; ++i) {
    DirectedLinkFault f;
    f.fault.kind = LinkFaultKind::kBlackhole;
    f.fault.toxicity = std::uniform_real_distribution<double>(0, 1)(random);
    EXPECT_EQ(ParseLinkFault(FormatLinkFault(f)), f) << FormatLinkFault(f);
  }
}

TEST(LinkFaultText, DropsToxicFieldsThatDoNotApply) {
  EXPECT_EQ(FormatLinkFault(ParseLinkFault(
                "limit_data bytes=5 size=3 timeout=4 delay=2 rate=1")),
            "limit_data bytes=5");
  EXPECT_EQ(FormatLinkFault(ParseLinkFault("reset toxicity=0.5")), "reset");
  EXPECT_EQ(FormatLinkFault(ParseLinkFault("slow_close delay=5 jitter=3")),
            "slow_close delay=5");
}

TEST(LinkFaultText, RejectsBadToxicsAndStacksWithOneLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"slicer", "slicer needs size=BYTES above 0"},
      {"slicer size=0", "slicer needs size=BYTES above 0"},
      {"slicer size=4 variation=4", "variation= below size="},
      {"slicer size=4 delay=5x", "delay= needs a duration (250ms, 1.5s) or "
                                 "microseconds"},
      {"limit_data", "limit_data needs bytes=N"},
      {"limit_data bytes=-1", "bytes= needs a non-negative integer"},
      {"slow_close", "slow_close needs delay=MS"},
      {"timeout timeout=never", "timeout= needs a duration"},
      {"blackhole toxicity=2", "toxicity= needs a number from 0 to 1"},
      {"blackhole toxicity=nan", "toxicity= needs a number from 0 to 1"},
      {"blackhole toxicity=-0.5", "toxicity= needs a number from 0 to 1"},
      {"blackhole toxicity=0.5x", "toxicity= needs a number from 0 to 1"},
      {"+", "\"+\" needs a fault before it"},
      {"+ blackhole", "\"+\" needs a fault before it"},
      {"blackhole +", "\"+\" needs a fault after it"},
      {"blackhole + + timeout", "\"+\" needs a fault before it"},
      {"reset + blackhole", "\"reset\" cannot be stacked"},
      {"blackhole + none", "\"none\" cannot be stacked"},
      {"blackhole + flood", "unknown kind \"flood\""},
      {"blackhole direction=up + timeout direction=down",
       "direction=down differs from direction=up"},
      {"blackhole size=", "size= needs a non-negative integer"},
  };
  for (const auto& [text, error] : cases) {
    const std::string what = ErrorOf(text);
    EXPECT_THAT(what, HasSubstr(error)) << text;
    EXPECT_EQ(what.find('\n'), std::string::npos) << text;
  }
}

// Lines of random words: each one parses, and then goes round trip, or is
// refused with one chancho::Error line; nothing else escapes.
TEST(LinkFaultText, RandomLinesParseOrFailCleanly) {
  const char* words[] = {
      "delay", "slicer", "limit_data", "timeout", "slow_close", "blackhole",
      "bandwidth", "reset", "none", "+", "+", "delay=5", "delay=10us",
      "delay=1e9", "size=3", "size=0", "variation=2", "variation=9",
      "bytes=7", "rate=3", "timeout=1s", "toxicity=0.3", "toxicity=1",
      "toxicity=inf", "direction=up", "direction=down", "for=2",
      "for=99999999999999d", "jitter=1", "=", "x=", "size=18446744073709551615",
      "variation=18446744073709551614", "latency", "upstream=rabbitmq",
      "upstream=server", "upstream=a/b"};
  std::mt19937_64 random(9);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const int n = 1 + static_cast<int>(random() % 8);
    for (int w = 0; w < n; ++w) {
      text += words[random() % std::size(words)];
      text += ' ';
    }
    try {
      const DirectedLinkFault f = ParseLinkFault(text);
      ++parsed;
      EXPECT_EQ(ParseLinkFault(FormatLinkFault(f)), f) << text;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << text;
    }
  }
  EXPECT_GT(parsed, 100);
}

TEST(LinkFaultText, UpstreamNarrowsTheLineToOneLink) {
  const DirectedLinkFault f =
      ParseLinkFault("delay delay=5 + slicer size=4 upstream=rabbitmq direction=up");
  EXPECT_EQ(f.upstream, "rabbitmq");
  EXPECT_EQ(f.direction, Direction::kClientToServer);
  EXPECT_EQ(FormatLinkFault(f),
            "delay delay=5 direction=up upstream=rabbitmq + slicer size=4");
  EXPECT_EQ(ParseLinkFault(FormatLinkFault(f)), f);
  EXPECT_EQ(ParseLinkFault("partition upstream=server-1").upstream, "server-1");
  EXPECT_EQ(ParseLinkFault("partition").upstream, "");
  EXPECT_THAT(ErrorOf("partition upstream="), HasSubstr("no replica or service name"));
  EXPECT_THAT(ErrorOf("partition upstream=a/b"), HasSubstr("no replica or service name"));
  EXPECT_THAT(ErrorOf("delay delay=1 upstream=a + slicer size=1 upstream=b"),
              HasSubstr("one upstream for the whole line"));
}

}  // namespace
}  // namespace chancho
