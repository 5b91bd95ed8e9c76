#include "harness/faults/shrink.h"

#include "common/error.h"
#include "harness/faults/scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace chancho {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;

FaultEvent Kill(const std::string& target, int at_ms) {
  FaultEvent e;
  e.kind = FaultKind::kKill;
  e.targets = {target};
  e.at = milliseconds(at_ms);
  e.origin = "auto";
  e.id = "auto/" + target;
  return e;
}

// Twenty kills, one a second, of w0..w19.
std::vector<FaultEvent> Twenty() {
  std::vector<FaultEvent> out;
  for (int i = 0; i < 20; ++i) out.push_back(Kill("w" + std::to_string(i), 1000 * (i + 1)));
  return out;
}

bool Has(const std::vector<FaultEvent>& s, const std::string& target) {
  return std::any_of(s.begin(), s.end(),
                     [&](const FaultEvent& e) { return e.targets[0] == target; });
}

std::vector<std::string> Targets(const std::vector<FaultEvent>& s) {
  std::vector<std::string> out;
  for (const auto& e : s) out.push_back(e.targets[0]);
  return out;
}

ShrinkOptions NoShift() {
  ShrinkOptions o;
  o.shift_in_time = false;
  return o;
}

TEST(ShrinkTest, OneFaultThatMattersAmongTwenty) {
  int runs = 0;
  const auto r = ShrinkSchedule(
      Twenty(), [&](const auto& s) { ++runs; return Has(s, "w13"); }, NoShift());
  EXPECT_TRUE(r.reproduced);
  EXPECT_TRUE(r.proven);
  EXPECT_EQ(r.stopped, "");
  EXPECT_THAT(Targets(r.minimal), ElementsAre("w13"));
  EXPECT_EQ(r.runs, runs);
  // ddmin halves its way to one fault: far fewer candidates than subsets.
  EXPECT_LE(r.candidates, 20);
}

TEST(ShrinkTest, TwoFaultsThatMatterOnlyTogether) {
  const auto r = ShrinkSchedule(
      Twenty(), [](const auto& s) { return Has(s, "w2") && Has(s, "w17"); }, NoShift());
  EXPECT_TRUE(r.proven);
  EXPECT_THAT(Targets(r.minimal), ElementsAre("w2", "w17"));
}

TEST(ShrinkTest, AFlakyFailureDoesNotShrinkIntoNoise) {
  // Schedules with w5 fail every time; those with w3 but not w5 fail every
  // other run: with two repeats each, they never count as failing.
  int flaky = 0;
  const auto r = ShrinkSchedule(
      Twenty(),
      [&](const auto& s) {
        if (Has(s, "w5")) return true;
        return Has(s, "w3") && (flaky++ % 2 == 0);
      },
      NoShift());
  EXPECT_THAT(Targets(r.minimal), ElementsAre("w5"));
  EXPECT_GT(flaky, 0) << "the flaky schedules were never tried";
}

TEST(ShrinkTest, EachCandidateRunsUntilItPassesOrEveryRepeatFailed) {
  ShrinkOptions o = NoShift();
  o.repeats = 3;
  std::vector<int> sizes;
  const auto r = ShrinkSchedule(
      {Kill("a", 1000), Kill("b", 2000)},
      [&](const auto& s) { sizes.push_back(static_cast<int>(s.size())); return Has(s, "b"); }, o);
  EXPECT_THAT(Targets(r.minimal), ElementsAre("b"));
  // The whole (3 runs), none (1), {a} (1), {b} (3).
  EXPECT_THAT(sizes, ElementsAre(2, 2, 2, 0, 1, 1, 1, 1));
  EXPECT_EQ(r.candidates, 4);
  EXPECT_EQ(r.runs, 8);
}

TEST(ShrinkTest, AScheduleThatDoesNotFailAgainIsNotShrunk) {
  const auto r = ShrinkSchedule(Twenty(), [](const auto&) { return false; }, NoShift());
  EXPECT_FALSE(r.reproduced);
  EXPECT_FALSE(r.proven);
  EXPECT_EQ(r.runs, 1);
  EXPECT_EQ(r.minimal.size(), 20u);
}

TEST(ShrinkTest, AFailureWithoutFaultsShrinksToNone) {
  const auto r = ShrinkSchedule(Twenty(), [](const auto&) { return true; }, NoShift());
  EXPECT_TRUE(r.reproduced);
  EXPECT_TRUE(r.minimal.empty());
}

TEST(ShrinkTest, StopsAtMaxRunsWithTheSmallestFailingScheduleSoFar) {
  ShrinkOptions o = NoShift();
  o.max_runs = 7;
  const auto r = ShrinkSchedule(Twenty(), [](const auto& s) { return Has(s, "w13"); }, o);
  EXPECT_EQ(r.stopped, "max-runs");
  EXPECT_EQ(r.runs, 7);
  EXPECT_FALSE(r.proven);
  EXPECT_LT(r.minimal.size(), 20u);
  EXPECT_TRUE(Has(r.minimal, "w13"));
}

TEST(ShrinkTest, StopsAtMaxTime) {
  ShrinkOptions o = NoShift();
  o.max_time = milliseconds(10000);
  milliseconds now{0};
  o.elapsed = [&] { return now; };
  const auto r = ShrinkSchedule(
      Twenty(), [&](const auto& s) { now += milliseconds(3000); return Has(s, "w13"); }, o);
  EXPECT_EQ(r.stopped, "max-time");
  EXPECT_EQ(r.runs, 4);
  EXPECT_EQ(r.elapsed, milliseconds(12000));
}

TEST(ShrinkTest, ABombIsSplitSoItsTargetsShrinkToo) {
  FaultEvent bomb = Kill("a", 5000);
  bomb.targets = {"a", "b", "c"};
  bomb.origin = "bomb";
  bomb.id = "bomb/0";
  const auto split = SplitTargets({bomb, Kill("d", 6000)});
  ASSERT_EQ(split.size(), 4u);
  EXPECT_EQ(split[0].id, "bomb/0/a");
  EXPECT_EQ(split[2].id, "bomb/0/c");
  EXPECT_EQ(split[2].at, milliseconds(5000));
  EXPECT_EQ(split[3].id, "auto/d");
  const auto r = ShrinkSchedule({bomb}, [](const auto& s) { return Has(s, "b"); }, NoShift());
  EXPECT_THAT(Targets(r.minimal), ElementsAre("b"));
}

TEST(ShrinkTest, SurvivorsMoveEarlierWhileTheyStillFail) {
  // Fails when w7 (at 8 s) comes at 1 s or later.
  const auto r = ShrinkSchedule(Twenty(), [](const auto& s) {
    return std::any_of(s.begin(), s.end(), [](const FaultEvent& e) {
      return e.targets[0] == "w7" && e.at >= milliseconds(1000);
    });
  }, ShrinkOptions{});
  ASSERT_EQ(r.minimal.size(), 1u);
  EXPECT_EQ(r.minimal[0].at, milliseconds(1000));  // 8 s halved three times
}

TEST(ShrinkTest, ASurvivorThatMustStayInItsWindowStays) {
  // Fails only when w7 comes between 7.5 s and 8.5 s: neither 4 s nor 12 s.
  std::vector<int> tried;
  const auto r = ShrinkSchedule(Twenty(), [&](const auto& s) {
    for (const auto& e : s) {
      if (e.targets[0] != "w7") continue;
      if (s.size() == 1) tried.push_back(static_cast<int>(e.at.count()));
      return e.at >= milliseconds(7500) && e.at <= milliseconds(8500);
    }
    return false;
  }, ShrinkOptions{});
  ASSERT_EQ(r.minimal.size(), 1u);
  EXPECT_EQ(r.minimal[0].at, milliseconds(8000));
  EXPECT_THAT(tried, ::testing::Contains(4000));
  EXPECT_THAT(tried, ::testing::Contains(12000));
}

TEST(ShrinkTest, TriggeredFaultsKeepTheirOffset) {
  FaultEvent e = Kill("w1", 3000);
  e.trigger = Trigger{};
  const auto r = ShrinkSchedule({e, Kill("w2", 1000)},
                                [](const auto& s) { return Has(s, "w1"); }, ShrinkOptions{});
  ASSERT_EQ(r.minimal.size(), 1u);
  EXPECT_EQ(r.minimal[0].at, milliseconds(3000));
  EXPECT_EQ(r.runs, 2 + 1 + 2);  // whole, none, {w1}; never moved
}

// The minimal scenario that shrink writes reads back as its events, with
// its paths pointing where the original's did.
TEST(ScenarioWithEventsTest, TheMinimalScenarioReadsBackAsItsEvents) {
  const std::string text = R"({"name": "x", "spec": "../sys/spec.json",
    "known_good": "kg", "setup": [{"command": ["gen", "{scenario_dir}/data"]}],
    "network": {"upstream": "rabbitmq", "port": 5672},
    "faults": {"seed": 3, "auto": {"every": 1, "kill": 2}}})";
  const Scenario s = ParseScenario(text, "/tmp/proj/scenarios/x.json");
  FaultEvent kill = Kill("join-2", 1500);
  kill.signal = SIGTERM;
  FaultEvent stop = Kill("a", 2000);
  stop.kind = FaultKind::kStop;
  stop.grace = milliseconds(3000);
  FaultEvent cut = Kill("f-1", 1000);
  cut.kind = FaultKind::kLink;
  cut.link.fault.kind = LinkFaultKind::kDelay;
  cut.link.fault.delay = milliseconds(200);
  cut.link.fault.jitter = milliseconds(50);
  cut.link.fault.duration = milliseconds(5000);
  cut.link.direction = Direction::kClientToServer;
  FaultEvent late = Kill("h", 500);
  late.trigger = Trigger{};
  late.trigger->replicas = ParseSelector("client-1");
  late.trigger->regex = "upload";

  const Scenario back = ParseScenario(ScenarioWithEvents(s, {kill, stop, cut, late}, 9),
                                      "/elsewhere/minimal.json");
  EXPECT_EQ(back.name, "x");
  EXPECT_EQ(back.spec, "/tmp/proj/sys/spec.json");
  EXPECT_EQ(back.known_good, "/tmp/proj/scenarios/kg");
  ASSERT_EQ(back.setup.size(), 1u);
  EXPECT_THAT(back.setup[0].command, ElementsAre("gen", "/tmp/proj/scenarios/data"));
  EXPECT_FALSE(back.auto_kill);
  ASSERT_TRUE(back.seed);
  EXPECT_EQ(*back.seed, 9u);
  ASSERT_EQ(back.events.size(), 4u);
  EXPECT_EQ(back.events[0].kind, FaultKind::kKill);
  EXPECT_EQ(back.events[0].at, milliseconds(1500));
  EXPECT_EQ(back.events[0].signal, SIGTERM);
  EXPECT_EQ(back.events[0].target, ParseSelector("join-2"));
  EXPECT_EQ(back.events[1].kind, FaultKind::kStop);
  EXPECT_EQ(back.events[1].grace, milliseconds(3000));
  EXPECT_EQ(back.events[2].kind, FaultKind::kLink);
  EXPECT_EQ(back.events[2].link, cut.link);
  EXPECT_EQ(back.events[3].on, late.trigger);
  EXPECT_EQ(back.events[3].at, milliseconds(500));
  EXPECT_EQ(back.events[3].target, ParseSelector("h"));
}

// Every link fault has a scenario form: toxics by their own actions and
// fields, stacks by the action "link" and the text form, an upstream kept.
TEST(ScenarioWithEventsTest, EveryLinkFaultGoesRoundTrip) {
  const Scenario s = ParseScenario(
      R"({"spec": "spec.json", "network": [{"upstream": "mq", "port": 5672},
          {"upstream": "db", "port": 5432}]})",
      "/tmp/x.json");
  std::vector<FaultEvent> events;
  for (const char* text :
       {"slicer size=64 variation=8 delay=300us toxicity=0.5 direction=down",
        "slow_close delay=250 for=2000", "timeout timeout=100 upstream=db",
        "limit_data bytes=4096 direction=up",
        "delay delay=100 upstream=mq + slicer size=4 + limit_data bytes=9",
        "partition upstream=db for=5000", "bandwidth rate=1000 direction=up"}) {
    FaultEvent e = Kill("f-1", 1000 + 100 * static_cast<int>(events.size()));
    e.kind = FaultKind::kLink;
    e.link = ParseLinkFault(text);
    events.push_back(e);
  }
  const Scenario back = ParseScenario(ScenarioWithEvents(s, events, 1), "/tmp/y.json");
  ASSERT_EQ(back.events.size(), events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(FormatLinkFault(back.events[i].link), FormatLinkFault(events[i].link));
    EXPECT_EQ(back.events[i].link, events[i].link);
  }
  ASSERT_EQ(back.networks.size(), 2u);
  EXPECT_EQ(back.networks[1].upstream, "db");
}

}  // namespace
}  // namespace chancho
