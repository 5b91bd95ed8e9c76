// Selection, seeded plans, ApplyFault's effect checks and the runner, on a
// fake target whose replicas change state as a runtime's would.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/error.h"
#include "harness/faults/fake_target.h"
#include "harness/faults/fault.h"
#include "harness/faults/fault_runner.h"
#include "harness/faults/targeting.h"

namespace chancho {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using std::chrono::milliseconds;

using fake::FakeTarget;
using fake::Movies;

TEST(SelectorTest, ParsesEveryKind) {
  EXPECT_EQ(ParseSelector("filter-1"), (Selector{Selector::Kind::kName, "filter-1", 1}));
  EXPECT_EQ(ParseSelector("prefix:filter"), (Selector{Selector::Kind::kPrefix, "filter", 1}));
  EXPECT_EQ(ParseSelector("regex:^f.*2$"), (Selector{Selector::Kind::kRegex, "^f.*2$", 1}));
  EXPECT_EQ(ParseSelector("role:master"), (Selector{Selector::Kind::kRole, "master", 1}));
  EXPECT_EQ(ParseSelector("random:3"), (Selector{Selector::Kind::kRandom, "", 3}));
  EXPECT_EQ(ParseSelector("random:2:join"), (Selector{Selector::Kind::kRandom, "join", 2}));
  for (const char* bad : {"random:0", "random:x", "prefix:", "regex:(", "color:red"}) {
    EXPECT_THROW(ParseSelector(bad), Error) << bad;
  }
  EXPECT_EQ(ToString(ParseSelector("random:2:join")), "random:2:join");
}

TEST(SelectorTest, EligibleSparesBrokerClientsHandlerAndOneHealthChecker) {
  EXPECT_THAT(Eligible(Movies(), fake::MoviesExclusions()),
              ElementsAre("filter-1", "filter-2", "health-checker-2", "join-1",
                          "master"));
  Exclusions none;
  none.roles.clear();

  EXPECT_EQ(Eligible(Movies(), none).size(), Movies().size());
}

TEST(SelectorTest, SelectsByNamePrefixRegexRoleAndRandom) {
  std::mt19937_64 rng(1);
  const auto all = Movies();
  const Exclusions ex = fake::MoviesExclusions();
  EXPECT_THAT(Select(ParseSelector("join-1"), all, ex, rng), ElementsAre("join-1"));
  EXPECT_THAT(Select(ParseSelector("prefix:filter"), all, ex, rng),
              ElementsAre("filter-1", "filter-2"));
  EXPECT_THAT(Select(ParseSelector("regex:-2$"), all, ex, rng),
              ElementsAre("filter-2", "health-checker-2"));
  EXPECT_THAT(Select(ParseSelector("role:master"), all, ex, rng), ElementsAre("master"));
  EXPECT_THAT(Select(ParseSelector("role:filter"), all, ex, rng),
              ElementsAre("filter-1", "filter-2"));
  EXPECT_EQ(Select(ParseSelector("random:3"), all, ex, rng).size(), 3u);
  EXPECT_EQ(Select(ParseSelector("random:50"), all, ex, rng).size(), 5u);
  // Excluded and unknown names are errors that say which.
  try {
    Select(ParseSelector("rabbitmq"), all, ex, rng);
    FAIL() << "the broker was selected";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("excluded"));
    EXPECT_THAT(e.what(), HasSubstr("broker"));
  }
  EXPECT_THROW(Select(ParseSelector("nobody"), all, ex, rng), Error);
  // The message names what the given exclusions spare, not the defaults.
  Exclusions only_broker;
  only_broker.roles = {"broker"};

  try {
    Select(ParseSelector("rabbitmq"), all, only_broker, rng);
    FAIL() << "the broker was selected";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("spared: broker)"));
  }
}

TEST(PlanTest, TheSameSeedGivesTheSamePlan) {
  const auto eligible = Eligible(Movies(), fake::MoviesExclusions());
  const AutoKill spec{milliseconds(2000), 3, milliseconds(1000), milliseconds(20000),
                      std::nullopt, std::nullopt};
  const auto a = PlanAutoKill(spec, eligible, 7);
  EXPECT_EQ(a, PlanAutoKill(spec, eligible, 7));
  EXPECT_NE(a, PlanAutoKill(spec, eligible, 8));
  ASSERT_EQ(a.size(), 10u);  // 1 s, 3 s, ..., 19 s
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].at, milliseconds(1000 + 2000 * static_cast<int>(i)));
    EXPECT_EQ(a[i].targets.size(), 3u);
    EXPECT_EQ(std::set<std::string>(a[i].targets.begin(), a[i].targets.end()).size(), 3u);
    for (const auto& t : a[i].targets) {
      EXPECT_NE(std::find(eligible.begin(), eligible.end(), t), eligible.end());
    }
  }
  // Over many picks every eligible replica is hit.
  std::set<std::string> hit;
  for (const auto& e : a) hit.insert(e.targets.begin(), e.targets.end());
  EXPECT_EQ(hit.size(), eligible.size());
  EXPECT_THAT(PlanBomb(milliseconds(5), eligible).targets,
              ::testing::ContainerEq(eligible));
}

TEST(ApplyFaultTest, ReportsWhetherEachFaultTookEffect) {
  FakeTarget target(Movies());
  FaultEvent kill;
  auto o = ApplyFault(target, kill, "join-1");
  EXPECT_TRUE(o.took_effect) << o.detail;
  // Killing what is not running is an error, not a silent no-op.
  o = ApplyFault(target, kill, "join-1");
  EXPECT_FALSE(o.took_effect);
  EXPECT_THAT(o.detail, HasSubstr("not running"));
  FaultEvent start;
  start.kind = FaultKind::kStart;
  EXPECT_TRUE(ApplyFault(target, start, "join-1").took_effect);
  FaultEvent pause;
  pause.kind = FaultKind::kPause;
  EXPECT_TRUE(ApplyFault(target, pause, "filter-1").took_effect);
  FaultEvent resume;
  resume.kind = FaultKind::kResume;
  EXPECT_TRUE(ApplyFault(target, resume, "filter-1").took_effect);
  FaultEvent restart;
  restart.kind = FaultKind::kRestart;
  EXPECT_TRUE(ApplyFault(target, restart, "master").took_effect);
  o = ApplyFault(target, kill, "nobody");
  EXPECT_FALSE(o.took_effect);
  EXPECT_THAT(o.detail, HasSubstr("nobody"));
  // A replica that shrugs the fault off: reported, after the bounded wait.
  target.inert_.insert("filter-2");
  o = ApplyFault(target, kill, "filter-2");
  EXPECT_FALSE(o.took_effect);
  EXPECT_THAT(o.detail, HasSubstr("no change"));
}

TEST(FaultRunnerTest, AppliesEventsInOrderAtTheirOffsets) {
  FakeTarget target(Movies());
  std::vector<FaultEvent> plan(2);
  plan[0].at = milliseconds(60);
  plan[0].targets = {"filter-1", "filter-2"};
  plan[1].at = milliseconds(0);
  plan[1].targets = {"join-1"};
  FaultRunner runner(target, plan);
  runner.Start();
  runner.Join();
  const auto outcomes = runner.outcomes();
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].target, "join-1");
  EXPECT_EQ(outcomes[1].target, "filter-1");
  EXPECT_EQ(outcomes[2].target, "filter-2");
  EXPECT_GE(outcomes[1].actual, milliseconds(60));
  for (const auto& o : outcomes) EXPECT_TRUE(o.took_effect) << o.target;
}

TEST(FaultRunnerTest, StopBeforeAnEventIsDueSkipsIt) {
  FakeTarget target(Movies());
  std::vector<FaultEvent> plan(1);
  plan[0].at = milliseconds(60000);
  plan[0].targets = {"join-1"};
  FaultRunner runner(target, plan);
  runner.Start();
  runner.Stop();
  runner.Join();
  EXPECT_TRUE(runner.outcomes().empty());
  EXPECT_TRUE(target.calls_.empty());
}

TEST(ApplyFaultTest, ALinkFaultReportsWhetherItsProxyTookIt) {
  fake::FakeTarget target(fake::Movies());
  target.linked_ = {{"filter-1", "none"}, {"filter-2", "none"}};
  target.inert_ = {"filter-2"};
  FaultEvent event;
  event.kind = FaultKind::kLink;
  event.link = ParseLinkFault("partition for=5000");
  const FaultOutcome cut = ApplyFault(target, event, "filter-1");
  EXPECT_TRUE(cut.took_effect) << cut.detail;
  EXPECT_EQ(cut.detail, "partition for=5000: set");
  EXPECT_EQ(target.linked_.at("filter-1"), "partition for=5000");
  EXPECT_FALSE(ApplyFault(target, event, "filter-2").took_effect);
  const FaultOutcome unlinked = ApplyFault(target, event, "join-1");
  EXPECT_FALSE(unlinked.took_effect);
  EXPECT_THAT(unlinked.detail, ::testing::HasSubstr("has no proxied link"));
}

}  // namespace
}  // namespace chancho
