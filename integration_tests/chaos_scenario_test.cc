// The shipped scenarios (integration_tests/scenarios/) through `chancho
// run`: the movies pipeline with three clients under a seeded auto-kill
// loop (every 2 s, 3 random eligible services) on three seeds, under one
// bomb, and with one stateful service killed; every client's results are
// byte-identical to known-good each time. A record replays: the same
// faults at the same offsets. A 5 s partition of one filter replica from
// the broker, through the TCP fault proxy, is survived too, and so is a
// SIGKILL of the client-handler, whose clients resume their sessions.
#include <gtest/gtest.h>

#include <fstream>

#include "integration_tests/cli_support.h"
#include "integration_tests/scenario_support.h"

namespace chancho::testing {
namespace {

namespace fs = std::filesystem;

class ChaosScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("chancho-scenarios-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  // A failed test keeps its runs (logs, record.json) for a look.
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(Runs());
  }

  // This test's runs, apart from the other tests'.
  fs::path Runs() const {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    return dir_ / "runs" / name;
  }

  // `chancho run ARGS` in a directory shared by the tests (the datasets of
  // the setup steps are made once in its .chancho/cache).
  CommandResult Run(const std::string& args) {
    return RunChancho("run " + args + " --runs-root '" + Runs().string() + "'",
                      dir_, 600);
  }

  static std::string Scenario(const std::string& name) { return ScenarioArg(name); }

  fs::path dir_;
};

class AutoKillTest : public ChaosScenarioTest,
                     public ::testing::WithParamInterface<int> {};

TEST_P(AutoKillTest, ThreeClientsMatchKnownGoodUnderAuto23) {
  Record record;
  const auto r = Run(Scenario("movies-auto-kill") + " --seed " + std::to_string(GetParam()));
  ASSERT_TRUE(Survived(r, record, 3));
  EXPECT_EQ(record.doc["seed"].GetUint64(), static_cast<uint64_t>(GetParam()));
  // Every 2 s, 3 targets, from 0.25 s.
  const auto& plan = record.doc["plan"];
  ASSERT_GE(plan.Size(), 2u);
  EXPECT_EQ(plan[0]["at_ms"].GetInt64(), 250);
  EXPECT_EQ(plan[1]["at_ms"].GetInt64(), 2250);
  EXPECT_EQ(plan[0]["targets"].Size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, AutoKillTest, ::testing::Values(7, 8, 9));

TEST_F(ChaosScenarioTest, ABombMidRunIsSurvived) {
  Record record;
  ASSERT_TRUE(Survived(Run(Scenario("movies-bomb")), record, 10));
  EXPECT_GT(record.doc["revivals"].GetInt(), 0);
  for (const auto& f : record.doc["faults"].GetArray()) {
    EXPECT_STREQ(f["origin"].GetString(), "bomb");
    const std::string target = f["target"].GetString();
    EXPECT_NE(target, "client-handler");
    EXPECT_NE(target, "rabbitmq");
    EXPECT_NE(target, "health-checker-1");
  }
}

TEST_F(ChaosScenarioTest, AReplayAppliesTheSameFaultsAtTheSameOffsets) {
  Record first;
  const auto r = Run(Scenario("movies-kill-join"));
  ASSERT_TRUE(Survived(r, first, 1));
  Record replay;
  const auto again = Run("--replay '" + RecordPath(r.out).string() + "'");
  ASSERT_TRUE(Survived(again, replay, 1));
  const auto& a = first.doc["faults"];
  const auto& b = replay.doc["faults"];
  ASSERT_EQ(a.Size(), b.Size());
  for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
    EXPECT_STREQ(a[i]["target"].GetString(), b[i]["target"].GetString());
    EXPECT_EQ(a[i]["planned_ms"].GetInt64(), b[i]["planned_ms"].GetInt64());
  }
  EXPECT_EQ(first.doc["plan"], replay.doc["plan"]);
}

TEST_F(ChaosScenarioTest, AFiveSecondPartitionOfOneFilterFromTheBrokerIsSurvived) {
  Record record;
  ASSERT_TRUE(Survived(Run(Scenario("movies-partition")), record, 1));
  ExpectThePartitionOfMoviesPartition(record);
}

TEST_F(ChaosScenarioTest, AKilledClientHandlerIsRevivedAndItsClientsResume) {
  Record record;
  ASSERT_TRUE(Survived(Run(Scenario("movies-kill-handler")), record, 1));
  // The health-checkers brought it back (no one else starts it here)...
  EXPECT_GE(record.doc["revivals"].GetInt(), 1) << record.text;
  // ...and every client carried its session over to the new handler.
  const fs::path logs = fs::path(record.doc["run_dir"].GetString()) / "logs";
  for (const char* client : {"client-1", "client-2", "client-3"}) {
    std::ifstream in(logs / (std::string(client) + ".log"));
    const std::string log(std::istreambuf_iterator<char>(in), {});
    EXPECT_NE(log.find("action: resume | result: success"), std::string::npos)
        << client << ":\n" << log;
  }
}

}  // namespace
}  // namespace chancho::testing
