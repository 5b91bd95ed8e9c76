// Shipped fault scenarios on DockerRuntime through `chancho run`: the
// movies pipeline in containers with three clients under the seeded
// auto-kill loop (every 2 s, 3 random eligible services, `docker kill`),
// revived by the health-checkers with `docker start`; and the 5 s partition
// of one filter from the broker through a fault proxy. Every client's
// results are byte-identical to known-good.
//
// Needs an engine and the images (ci/start-docker.sh, ci/build-images.sh
// BUILD_DIR); without them the test is skipped with the reason, unless
// CI=true, where that is a failure.
#include <gtest/gtest.h>

#include "fixtures/docker_support.h"
#include "harness/runtime/docker_command.h"
#include "integration_tests/cli_support.h"
#include "integration_tests/scenario_support.h"

namespace chancho::testing {
namespace {

class ChaosDockerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> why = DockerUnavailable();
    if (!why) {
      const auto image = RunCommand(
          {"docker", "image", "inspect", "chancho/movies:latest"},
          {std::chrono::seconds(20)});
      if (image.timed_out || image.exit_code != 0) {
        why = "image chancho/movies:latest is missing; run ci/build-images.sh BUILD_DIR";
      }
    }
    if (why) {
      if (IsCi()) FAIL() << "CI=true, and the Docker runtime cannot run: " << *why;
      GTEST_SKIP() << *why;
    }
    dir_ = BinDir().parent_path() / "test-chaos-docker";
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure() && !dir_.empty()) fs::remove_all(dir_ / "runs");
  }

  fs::path dir_;
};

TEST_F(ChaosDockerTest, ThreeClientsMatchKnownGoodUnderAuto23InContainers) {
  Record record;
  const auto r = RunChancho("run " + ScenarioArg("movies-auto-kill-docker") +
                                " --runs-root '" + (dir_ / "runs").string() + "'",
                            dir_, 900);
  ASSERT_TRUE(Survived(r, record, 3));
  EXPECT_STREQ(record.doc["runtime"].GetString(), "docker");
  EXPECT_GT(record.doc["revivals"].GetInt(), 0) << record.text;
  // Every 2 s from 0.25 s, 3 targets, none of them spared.
  const auto& plan = record.doc["plan"];
  ASSERT_GE(plan.Size(), 2u);
  EXPECT_EQ(plan[0]["at_ms"].GetInt64(), 250);
  EXPECT_EQ(plan[0]["targets"].Size(), 3u);
  for (const auto& f : record.doc["faults"].GetArray()) {
    const std::string target = f["target"].GetString();
    EXPECT_NE(target, "rabbitmq");
    EXPECT_NE(target, "client-handler");
  }
}

// The partition scenario of the process runtime, run in containers: the
// proxy listens on the run network's bridge, and the filter's container
// resolves the broker to it.
TEST_F(ChaosDockerTest, AFiveSecondPartitionOfOneFilterContainerIsSurvived) {
  Record record;
  const auto r = RunChancho("run " + ScenarioArg("movies-partition") +
                                " --runtime docker --runs-root '" +
                                (dir_ / "runs").string() + "'",
                            dir_, 600);
  ASSERT_TRUE(Survived(r, record, 1));
  EXPECT_STREQ(record.doc["runtime"].GetString(), "docker");
  ExpectThePartitionOfMoviesPartition(record);
  const std::string proxy = record.doc["links"][0]["proxy"].GetString();
  EXPECT_TRUE(proxy.ends_with(".254:5672")) << proxy;
}

}  // namespace
}  // namespace chancho::testing
