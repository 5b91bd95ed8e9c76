// The shipped scenarios (integration_tests/scenarios/) through `chancho
// run`, on each runtime (`--runtime`): the movies pipeline with three
// clients, each paced at 20,000 rows/s so that its upload lasts about 5 s,
// under faults placed by triggers (the clients' progress lines, another
// fault's revival, a client's exit), so that they land while the clients
// work on any machine: a seeded auto-kill loop (every 1.5 s, 3 random
// eligible services), a 5 s partition of one filter replica from the broker
// through the TCP fault proxy, and the client-handler killed mid-session
// (its clients resume); every client's results are byte-identical to
// known-good each time. On the process runtime only: one bomb is survived,
// and a record replays (the same faults after the same triggers; neither
// depends on the runtime).
//
// ctest runs this program twice: chaos_scenario_test (--gtest_filter
// '*/process*') and chaos_scenario_docker_test ('*/docker*'). The Docker
// runs need an engine and the images (ci/start-docker.sh,
// ci/build-images.sh BUILD_DIR); without them they are skipped with the
// reason, unless CI=true, where that is a failure.
#include <gtest/gtest.h>

#include <fstream>
#include <tuple>

#include "fixtures/docker_support.h"
#include "fixtures/scratch_dir.h"
#include "integration_tests/cli_support.h"
#include "integration_tests/scenario_support.h"

namespace chancho::testing {
namespace {

namespace fs = std::filesystem;

// Shared by the tests of this program: the setup steps' datasets (made once
// in its .chancho/cache) and each test's runs.
fs::path ScenarioDir() {
  static const fs::path dir = ScratchDir("chancho-scenarios");
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

class ScenarioFixture : public ::testing::Test {
 protected:
  virtual std::string runtime() const = 0;

  void SetUp() override {
    if (runtime() == "docker") {
      if (const auto why = MoviesInDockerUnavailable()) {
        if (IsCi()) FAIL() << "CI=true, and the Docker runtime cannot run: " << *why;
        GTEST_SKIP() << *why;
      }
    }
    dir_ = ScenarioDir();
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure() && !dir_.empty()) fs::remove_all(Runs());
  }

  // This test's runs, apart from the other tests'.
  fs::path Runs() const {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    return dir_ / "runs" / name;
  }

  // `chancho run ARGS` on this test's runtime, in ScenarioDir().
  CommandResult Run(const std::string& args) {
    return RunChancho("run " + args + " --runtime " + runtime() +
                          " --runs-root '" + Runs().string() + "'",
                      dir_, 600);
  }

  static std::string Scenario(const std::string& name) { return ScenarioArg(name); }

  fs::path dir_;
};

class ChaosScenarioTest : public ScenarioFixture,
                          public ::testing::WithParamInterface<std::string> {
 protected:
  std::string runtime() const override { return GetParam(); }
};

// (runtime, seed)
class AutoKillTest
    : public ScenarioFixture,
      public ::testing::WithParamInterface<std::tuple<std::string, int>> {
 protected:
  std::string runtime() const override { return std::get<0>(GetParam()); }
  int seed() const { return std::get<1>(GetParam()); }
};

TEST_P(AutoKillTest, ThreeClientsMatchKnownGoodUnderAuto23) {
  Record record;
  const auto r = Run(Scenario("movies-auto-kill") + " --seed " + std::to_string(seed()));
  ASSERT_TRUE(Survived(r, record, 3));
  EXPECT_EQ(record.doc["runtime"], runtime().c_str());
  EXPECT_EQ(record.doc["seed"].GetUint64(), static_cast<uint64_t>(seed()));
  // Every 1.5 s, 3 targets, from client-1's first progress line until a
  // client has sent all its ratings (none can be done before); the clients
  // upload at 20,000 rows/s, about 5 s.
  const auto& plan = record.doc["plan"];
  ASSERT_GE(plan.Size(), 2u);
  EXPECT_EQ(plan[0]["at_ms"].GetInt64(), 0);
  EXPECT_EQ(plan[1]["at_ms"].GetInt64(), 1500);
  EXPECT_EQ(plan[0]["targets"].Size(), 3u);
  EXPECT_STREQ(plan[0]["on"]["log"].GetString(), "action: progress");
  EXPECT_STREQ(plan[1]["until"]["progress"].GetString(), "prefix:client-");
  EXPECT_TRUE(LandedMidWork(record, true));
  // The loop ended with the first complete upload: what was left of it was
  // cancelled, not applied after the work.
  bool cancelled = false;
  for (const auto& u : record.doc["unapplied"].GetArray()) {
    cancelled |= std::string(u["why"].GetString()) == "cancelled";
  }
  EXPECT_TRUE(cancelled) << record.text;
  // The health-checkers brought the victims back; the broker and the
  // client-handler are spared by the scenario.
  EXPECT_GT(record.doc["revivals"].GetInt(), 0) << record.text;
  for (const auto& f : record.doc["faults"].GetArray()) {
    const std::string target = f["target"].GetString();
    EXPECT_NE(target, "rabbitmq");
    EXPECT_NE(target, "client-handler");
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
  Record record;
  ASSERT_TRUE(Survived(Run(Scenario("movies-bomb")), record, 10));
  // At 20% of client-1's ratings: every client is still uploading.
  EXPECT_TRUE(LandedMidWork(record, true));
  EXPECT_GT(record.doc["revivals"].GetInt(), 0);
  for (const auto& f : record.doc["faults"].GetArray()) {
    EXPECT_STREQ(f["origin"].GetString(), "bomb");
    const std::string target = f["target"].GetString();
    EXPECT_NE(target, "client-handler");
    EXPECT_NE(target, "rabbitmq");
    EXPECT_NE(target, "health-checker-1");
  }
}

INSTANTIATE_TEST_SUITE_P(Runtimes, BombTest, ::testing::Values("process"),
                         [](const auto& info) { return info.param; });

using ReplayTest = ChaosScenarioTest;

TEST_P(ReplayTest, AReplayAppliesTheSameFaultsAtTheSameOffsets) {
  // join-movie-ratings-2 is killed at 10% of client-1's ratings, and again
  // 0.2 s after it came back and was ready.
  Record first;
  const auto r = Run(Scenario("movies-kill-join"));
  ASSERT_TRUE(Survived(r, first, 2));
  EXPECT_TRUE(LandedMidWork(first, false));
  Record replay;
  const auto again = Run("--replay '" + RecordPath(r.out).string() + "'");
  ASSERT_TRUE(Survived(again, replay, 2));
  EXPECT_TRUE(LandedMidWork(replay, false));
  EXPECT_EQ(first.doc["plan"], replay.doc["plan"]);
  const auto& a = first.doc["faults"];
  const auto& b = replay.doc["faults"];
  ASSERT_EQ(a.Size(), 2u);
  ASSERT_EQ(b.Size(), 2u);
  EXPECT_STREQ(a[1]["trigger"].GetString(), "fault events/0 ready");
  for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
    EXPECT_STREQ(a[i]["target"].GetString(), b[i]["target"].GetString());
    EXPECT_STREQ(a[i]["event"].GetString(), b[i]["event"].GetString());
    EXPECT_STREQ(a[i]["trigger"].GetString(), b[i]["trigger"].GetString());
    // The same offset after the same trigger, wherever it fell in time.
    EXPECT_EQ(a[i]["planned_ms"].GetInt64() - a[i]["triggered_ms"].GetInt64(),
              b[i]["planned_ms"].GetInt64() - b[i]["triggered_ms"].GetInt64());
  }
  // The second kill waited for the first one's victim to be back.
  EXPECT_GT(a[1]["triggered_ms"].GetInt64(), a[0]["actual_ms"].GetInt64());
}

INSTANTIATE_TEST_SUITE_P(Runtimes, ReplayTest, ::testing::Values("process"),
                         [](const auto& info) { return info.param; });

TEST_P(ChaosScenarioTest, AFiveSecondPartitionOfOneFilterFromTheBrokerIsSurvived) {
  Record record;
  ASSERT_TRUE(Survived(Run(Scenario("movies-partition")), record, 1));
  ExpectThePartitionOfMoviesPartition(record);
  if (runtime() == "docker") {
    // On the run network's bridge, not on the container's loopback.
    const std::string proxy = record.doc["links"][0]["proxy"].GetString();
    EXPECT_TRUE(proxy.ends_with(".254:5672")) << proxy;
  }
}

// The client-handler is killed at 30% of client-1's ratings, while all
// three clients are mid-session, on either runtime.
using KillHandlerTest = ChaosScenarioTest;

TEST_P(KillHandlerTest, AKilledClientHandlerIsRevivedAndItsClientsResume) {
  Record record;
  ASSERT_TRUE(Survived(Run(Scenario("movies-kill-handler")), record, 1));
  EXPECT_TRUE(LandedMidWork(record, true));
  // The health-checkers brought it back (no one else starts it here)...
  EXPECT_GE(record.doc["revivals"].GetInt(), 1) << record.text;
  // ...and every client, whose session the kill cut, carried it over to the
  // new handler.
  const fs::path logs = fs::path(record.doc["run_dir"].GetString()) / "logs";
  for (const char* client : {"client-1", "client-2", "client-3"}) {
    std::ifstream in(logs / (std::string(client) + ".log"));
    const std::string log(std::istreambuf_iterator<char>(in), {});
    EXPECT_NE(log.find("action: resume | result: in_progress"), std::string::npos)
        << client << "'s session was not cut:\n" << log;
    EXPECT_NE(log.find("action: resume | result: success"), std::string::npos)
        << client << " did not resume:\n" << log;
  }
}

INSTANTIATE_TEST_SUITE_P(Runtimes, KillHandlerTest, ::testing::Values("process", "docker"),
                         [](const auto& info) { return info.param; });

INSTANTIATE_TEST_SUITE_P(Runtimes, ChaosScenarioTest,
                         ::testing::Values("process", "docker"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace chancho::testing
