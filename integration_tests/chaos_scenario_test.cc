// The shipped scenarios (integration_tests/scenarios/) through
// SystemTest::RunScenario, on each runtime: the movies pipeline with three
// clients, each paced at 20,000 rows/s so that its upload lasts about 5 s,
// under faults placed by triggers (the clients' progress lines, another
// fault's revival), so that they land while the clients work on any
// machine: a seeded auto-kill loop (every 1.5 s, 3 random eligible
// services), a 5 s partition of one filter replica from the broker through
// the TCP fault proxy, and the client-handler killed mid-session (its
// clients resume); every client's results are byte-identical to known-good
// each time. On the process runtime only: one bomb is survived, and a
// record replays through `chancho run --replay` (the same faults after the
// same triggers; neither depends on the runtime). The client-handler's kill
// and the partition run on processes and on a Swarm, the auto-kill loop
// on processes and under Docker.
//
// ctest runs this program three times: chaos_scenario_test (--gtest_filter
// '*/process*'), chaos_scenario_docker_test ('*/docker*') and
// chaos_scenario_swarm_test ('*/swarm*', on ctest's one-node Swarm). The
// container runs need an engine and the images (ci/start-docker.sh,
// ci/build-images.sh BUILD_DIR); without them they are skipped with the
// reason, unless CI=true, where that is a failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <tuple>

#include "fixtures/docker_support.h"
#include "fixtures/scratch_dir.h"
#include "fixtures/system_test.h"
#include "integration_tests/cli_support.h"
#include "integration_tests/scenario_support.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// Shared by the tests of this program: the setup steps' datasets (made once
// in its cache) and the runs of the CLI.
fs::path ScenarioDir() {
  static const fs::path dir = [] {
    fs::path made = ScratchDir("chancho-scenarios");
    fs::create_directories(made);
    return made;
  }();
  return dir;
}

// Removes ScenarioDir() at exit, unless a test failed: its runs (logs,
// record.json) stay for a look.
class RemoveScenarioDir : public ::testing::Environment {
 public:
  void TearDown() override {
    if (::testing::UnitTest::GetInstance()->failed_test_count() == 0) {
      std::error_code ignored;
      fs::remove_all(ScenarioDir(), ignored);
    }
  }
};
::testing::Environment* const kRemoveScenarioDir =
    ::testing::AddGlobalTestEnvironment(new RemoveScenarioDir);

RuntimeKind Kind(const std::string& runtime) {
  const auto kind = ParseRuntimeKind(runtime);
  if (!kind) throw Error("no runtime " + runtime);
  return *kind;
}

class ScenarioFixture : public SystemTest {
 protected:
  std::optional<std::string> DockerMissing() const override {
    return MoviesInDockerUnavailable();
  }

  // A shipped scenario, run on this test's runtime.
  RunRecord Run(const std::string& name, std::optional<std::uint64_t> seed = {}) {
    ScenarioRunOptions options;
    options.seed = seed;
    options.cache_dir = ScenarioDir() / "cache";
    return RunScenario(ScenarioPath(name), options);
  }

  static fs::path ScenarioPath(const std::string& name) {
    return SourceDir() / "integration_tests" / "scenarios" / (name + ".json");
  }
};

class ChaosScenarioTest : public ScenarioFixture,
                          public ::testing::WithParamInterface<std::string> {
 protected:
  RuntimeKind runtime_kind() const override { return Kind(GetParam()); }
};

// (runtime, seed)
class AutoKillTest
    : public ScenarioFixture,
      public ::testing::WithParamInterface<std::tuple<std::string, int>> {
 protected:
  RuntimeKind runtime_kind() const override {
    return Kind(std::get<0>(GetParam()));
  }
  std::uint64_t seed() const { return std::get<1>(GetParam()); }
};

TEST_P(AutoKillTest, ThreeClientsMatchKnownGoodUnderAuto23) {
  const RunRecord record = Run("movies-auto-kill", seed());
  ASSERT_TRUE(ScenarioPassed(record));
  EXPECT_TRUE(FaultsTookEffect(record, 3));
  EXPECT_EQ(record.runtime, std::get<0>(GetParam()));
  EXPECT_EQ(record.seed, seed());
  // Every 1.5 s, 3 targets, from client-1's first progress line until a
  // client has sent all its ratings (none can be done before); the clients
  // upload at 20,000 rows/s, about 5 s.
  const auto& plan = record.plan;
  ASSERT_GE(plan.size(), 2u);
  EXPECT_EQ(plan[0].at, milliseconds(0));
  EXPECT_EQ(plan[1].at, milliseconds(1500));
  EXPECT_EQ(plan[0].targets.size(), 3u);
  ASSERT_TRUE(plan[0].trigger && plan[1].until);
  EXPECT_EQ(plan[0].trigger->regex, "action: progress");
  EXPECT_EQ(plan[1].until->file, "ratings.csv");
  // A tick that was due before the loop ended hits its targets one after
  // the other (in containers, each kill and its check take a while): the
  // last may land once a client is done, but never after all are.
  EXPECT_TRUE(FaultsLandedMidWork(record, false));
  // The loop ended with the first complete upload: what was left of it was
  // cancelled, not applied after the work.
  EXPECT_TRUE(std::any_of(record.unapplied.begin(), record.unapplied.end(),
                          [](const UnappliedEvent& u) {
                            return u.why == UnappliedEvent::Why::kCancelled;
                          }));
  // The health-checkers brought the victims back; the broker and the
  // client-handler are spared by the scenario.
  EXPECT_TRUE(Revived(record, 1));
  for (const auto& f : record.faults) {
    EXPECT_NE(f.target, "rabbitmq");
    EXPECT_NE(f.target, "client-handler");
  }
}

const auto kSeedName = [](const auto& info) {
  return std::get<0>(info.param) + "_seed" + std::to_string(std::get<1>(info.param));
};
// Three seeds on processes; one in containers, where a run takes longer.
INSTANTIATE_TEST_SUITE_P(Process, AutoKillTest,
                         ::testing::Combine(::testing::Values("process"),
                                            ::testing::Values(7, 8, 9)),
                         kSeedName);
INSTANTIATE_TEST_SUITE_P(Docker, AutoKillTest,
                         ::testing::Combine(::testing::Values("docker"),
                                            ::testing::Values(7)),
                         kSeedName);

// Processes only: under Docker the bomb's storm of kills and `docker
// start`s can leave the engine (20.10) with a phantom endpoint on the run
// network, which it then refuses to remove, so the run's down fails.
using BombTest = ChaosScenarioTest;

TEST_P(BombTest, ABombMidRunIsSurvived) {
  const RunRecord record = Run("movies-bomb");
  ASSERT_TRUE(ScenarioPassed(record));
  EXPECT_TRUE(FaultsTookEffect(record, 10));
  // At 20% of client-1's ratings: every client is still uploading.
  EXPECT_TRUE(FaultsLandedMidWork(record, true));
  EXPECT_TRUE(Revived(record, 1));
  for (const auto& f : record.faults) {
    EXPECT_EQ(f.origin, "bomb");
    EXPECT_NE(f.target, "client-handler");
    EXPECT_NE(f.target, "rabbitmq");
    EXPECT_NE(f.target, "health-checker-1");
  }
}

INSTANTIATE_TEST_SUITE_P(Runtimes, BombTest, ::testing::Values("process"),
                         [](const auto& info) { return info.param; });

using ReplayTest = ChaosScenarioTest;

// The replay goes through the CLI, `chancho run --replay record.json`.
TEST_P(ReplayTest, AReplayAppliesTheSameFaultsAtTheSameOffsets) {
  // join-movie-ratings-2 is killed at 10% of client-1's ratings, and again
  // 0.2 s after it came back and was ready.
  const RunRecord first = Run("movies-kill-join");
  ASSERT_TRUE(ScenarioPassed(first));
  ASSERT_TRUE(FaultsTookEffect(first, 2));
  EXPECT_TRUE(FaultsLandedMidWork(first, false));
  ASSERT_EQ(first.faults.size(), 2u);
  EXPECT_EQ(first.faults[1].trigger, "fault events/0 ready");
  // The second kill waited for the first one's victim to be back.
  EXPECT_GT(first.faults[1].triggered, first.faults[0].actual);

  const fs::path runs = ScenarioDir() / "runs" / "replay";
  const auto again = RunChancho("run --replay '" + first.run_dir + "/record.json'" +
                                    " --runs-root '" + runs.string() + "'",
                                ScenarioDir(), 600);
  Record replay;
  ASSERT_TRUE(Survived(again, replay, 2));
  EXPECT_EQ(replay.doc["plan"].Size(), first.plan.size());
  const auto& b = replay.doc["faults"];
  ASSERT_EQ(b.Size(), 2u);
  for (rapidjson::SizeType i = 0; i < b.Size(); ++i) {
    const FaultOutcome& a = first.faults[i];
    EXPECT_EQ(a.target, b[i]["target"].GetString());
    EXPECT_EQ(a.event, b[i]["event"].GetString());
    EXPECT_EQ(a.trigger, b[i]["trigger"].GetString());
    // The same offset after the same trigger, wherever it fell in time.
    EXPECT_EQ((a.planned - a.triggered).count(),
              b[i]["planned_ms"].GetInt64() - b[i]["triggered_ms"].GetInt64());
  }
  // Each replayed fault landed while a client was still working.
  std::int64_t last_done = 0;
  for (const auto& c : replay.doc["clients"].GetArray()) {
    last_done = std::max(last_done, c["completed_ms"].GetInt64());
  }
  for (const auto& f : b.GetArray()) EXPECT_LT(f["actual_ms"].GetInt64(), last_done);
  std::error_code ignored;
  if (!HasFailure()) fs::remove_all(runs, ignored);
}

INSTANTIATE_TEST_SUITE_P(Runtimes, ReplayTest, ::testing::Values("process"),
                         [](const auto& info) { return info.param; });

TEST_P(ChaosScenarioTest, AFiveSecondPartitionOfOneFilterFromTheBrokerIsSurvived) {
  const RunRecord record = Run("movies-partition");
  ASSERT_TRUE(ScenarioPassed(record));
  ASSERT_TRUE(FaultsTookEffect(record, 1));
  ASSERT_EQ(record.faults.size(), 1u);
  EXPECT_EQ(record.faults[0].kind, FaultKind::kLink);
  EXPECT_EQ(record.faults[0].target, "filter-argentina-2");
  ASSERT_EQ(record.plan.size(), 1u);
  EXPECT_EQ(FormatLinkFault(record.plan[0].link), "partition for=5000");
  // The cut comes with client-1's first progress line, before the filter
  // got its share of the movies, so no client can finish until it is back.
  ASSERT_TRUE(record.plan[0].trigger);
  EXPECT_EQ(record.plan[0].trigger->regex, "action: progress");
  EXPECT_TRUE(FaultsLandedMidWork(record, true));
  // Only the partitioned replica's link was proxied, and the partition
  // really cut it: its open connection was reset and its attempts to come
  // back were refused until the heal, after which traffic flowed again.
  ASSERT_EQ(record.links.size(), 1u);
  const LinkStatus& link = record.links[0];
  EXPECT_EQ(link.replica, "filter-argentina-2");
  EXPECT_EQ(link.upstream, "rabbitmq");
  EXPECT_GE(link.stats.connections_reset, 1u);
  EXPECT_GE(link.stats.connections_refused, 1u);
  // Refused connections are not counted as accepted: one more than those
  // reset is a connection made after the heal.
  EXPECT_GT(link.stats.connections_accepted, link.stats.connections_reset);
  if (GetParam() != "process") {
    // On the run's network (under Docker, on its bridge on the host; on a
    // Swarm, in a container of its own on the overlay), not on the
    // container's loopback.
    EXPECT_TRUE(link.proxy_address.ends_with(".254:5672")) << link.proxy_address;
  }
}

// The client-handler is killed at 30% of client-1's ratings, while all
// three clients are mid-session, on either runtime.
using KillHandlerTest = ChaosScenarioTest;

TEST_P(KillHandlerTest, AKilledClientHandlerIsRevivedAndItsClientsResume) {
  const RunRecord record = Run("movies-kill-handler");
  ASSERT_TRUE(ScenarioPassed(record));
  ASSERT_TRUE(FaultsTookEffect(record, 1));
  EXPECT_TRUE(FaultsLandedMidWork(record, true));
  // The health-checkers brought it back (no one else starts it here)...
  EXPECT_TRUE(Revived(record, 1));
  // ...and every client, whose session the kill cut, carried it over to the
  // new handler.
  const fs::path logs = fs::path(record.run_dir) / "logs";
  for (const char* client : {"client-1", "client-2", "client-3"}) {
    std::ifstream in(logs / (std::string(client) + ".log"));
    const std::string log(std::istreambuf_iterator<char>(in), {});
    EXPECT_NE(log.find("action: resume | result: in_progress"), std::string::npos)
        << client << "'s session was not cut:\n" << log;
    EXPECT_NE(log.find("action: resume | result: success"), std::string::npos)
        << client << " did not resume:\n" << log;
  }
}

// A fault whose trigger never fires is not a silent skip: the run fails and
// says which trigger it was, though every result matches.
using NeverFiredTest = ChaosScenarioTest;

TEST_P(NeverFiredTest, ATriggerThatNeverFiresFailsTheRun) {
  const fs::path scenarios = SourceDir() / "integration_tests" / "scenarios";
  std::ifstream in(scenarios / "movies-kill-join.json");
  std::string text(std::istreambuf_iterator<char>(in), {});
  // The same run without pacing, and a first kill that waits for a line no
  // client writes.
  const auto replace = [&](const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace(R"("ROWS_PER_SECOND": "20000")", R"("ROWS_PER_SECOND": "0")");
  replace(R"("progress": "client-1",)", R"("log": "no such line", "replica": "client-1",)");
  replace(R"("file": "ratings.csv",)", "");
  replace(R"("fraction": 0.1)", R"("nth": 1)");
  replace(R"("spec": "../../)", R"("spec": ")" + SourceDir().string() + "/");
  replace(R"("known_good": "movies-known-good")",
          R"("known_good": ")" + (scenarios / "movies-known-good").string() + "\"");
  const fs::path file = ScenarioDir() / "never-fired.json";
  std::ofstream(file) << text;
  ScenarioRunOptions options;
  options.cache_dir = ScenarioDir() / "cache";
  const RunRecord record = RunScenario(file, options);
  EXPECT_EQ(record.exit_code, 1);
  EXPECT_TRUE(record.faults.empty());
  EXPECT_EQ(record.verdict,
            "trigger never fired: log client-1 /no such line/ #1; "
            "trigger never fired: fault events/0 ready");
  // The second kill waited for the first, so neither was applied.
  ASSERT_EQ(record.unapplied.size(), 2u);
  EXPECT_EQ(record.unapplied[0].why, UnappliedEvent::Why::kTriggerNeverFired);
  EXPECT_EQ(record.unapplied[1].why, UnappliedEvent::Why::kTriggerNeverFired);
  ASSERT_EQ(record.triggers.size(), 2u);
  EXPECT_FALSE(record.triggers[0].fired);
}

INSTANTIATE_TEST_SUITE_P(Runtimes, NeverFiredTest, ::testing::Values("process"),
                         [](const auto& info) { return info.param; });

// In containers on a Swarm only: a revival through the engine under Docker
// is movies_docker_test's, and the clients' resumption does not depend on
// the runtime.
INSTANTIATE_TEST_SUITE_P(Runtimes, KillHandlerTest,
                         ::testing::Values("process", "swarm"),
                         [](const auto& info) { return info.param; });

// In containers on a Swarm; under Docker, a link's proxy and its
// partition are runtime_conformance_test's (a case for each runtime), and
// the filter's recovery does not depend on the runtime.
INSTANTIATE_TEST_SUITE_P(Runtimes, ChaosScenarioTest,
                         ::testing::Values("process", "swarm"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace chancho::testing
