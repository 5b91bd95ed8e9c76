// The movies pipeline from system/movies/compose-spec.json: three
// concurrent clients, each with its own `small` dataset, get results
// byte-identical to the known-good ones, with 1 replica per stage and with
// 3, on each runtime; and, on ProcessRuntime, a stateful service killed with
// SIGKILL mid-run and restarted with `chancho ctl start` changes nothing in
// the results, the client-handler included (its clients resume their
// sessions).
//
// ctest runs this program twice: movies_pipeline_test (--gtest_filter
// '-*Docker*') and movies_docker_test ('*Docker*'), which needs an engine
// and the images (ci/start-docker.sh, ci/build-images.sh BUILD_DIR) and
// fails without them when CI=true, else skips with the reason.
#include <gtest/gtest.h>
#include <signal.h>

#include <tuple>

#include "fixtures/docker_support.h"
#include "fixtures/system_test.h"
#include "integration_tests/cli_support.h"
#include "integration_tests/movies/movies_support.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using std::chrono::seconds;

constexpr auto kClientTimeout = seconds(240);

class MoviesPipelineTest : public SystemTest {
 protected:
  void SetUp() override {
    SystemTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(SharedMoviesData(data_root_));
  }
  std::optional<std::string> DockerMissing() const override {
    return MoviesInDockerUnavailable();
  }

  // Waits for every client to exit 0.
  ::testing::AssertionResult ClientsSucceed() {
    for (const auto& client : MoviesClients()) {
      auto exited = WaitForExit(client.name, kClientTimeout, 0);
      if (!exited) return exited;
    }
    return ::testing::AssertionSuccess();
  }

  std::filesystem::path results_dir() { return runtime().run_dir() / "results"; }

  std::filesystem::path data_root_;
};

// (runtime, replicas per stage)
class MoviesReplicasTest
    : public MoviesPipelineTest,
      public ::testing::WithParamInterface<std::tuple<RuntimeKind, int>> {
 protected:
  RuntimeKind runtime_kind() const override { return std::get<0>(GetParam()); }
};

TEST_P(MoviesReplicasTest, ThreeClientsGetTheirKnownGoodResults) {
  ASSERT_TRUE(StartSystem(
      MoviesSpec(std::get<1>(GetParam()), data_root_, runtime_kind())));
  ASSERT_TRUE(ClientsSucceed());
  EXPECT_TRUE(ClientsMatchKnownGood(results_dir()));
}

const auto kReplicasName = [](const auto& info) {
  return RuntimeName(std::get<0>(info.param)) + "_" +
         std::to_string(std::get<1>(info.param)) + "_replicas";
};
INSTANTIATE_TEST_SUITE_P(
    Replicas, MoviesReplicasTest,
    ::testing::Combine(AllRuntimes(), ::testing::Values(1, 3)), kReplicasName);
// One Swarm run, with a replica of each stage: each is a service of its own.
INSTANTIATE_TEST_SUITE_P(
    Swarm, MoviesReplicasTest,
    ::testing::Values(std::make_tuple(RuntimeKind::kSwarm, 1)), kReplicasName);

class MoviesCrashTest : public MoviesPipelineTest,
                        public ::testing::WithParamInterface<const char*> {};

// The victim dies mid-upload: after the first client's movies are in (its
// credits and ratings, and the other clients' uploads, are still to come),
// before any client has its results.
TEST_P(MoviesCrashTest, KilledAndRestartedStatefulServiceChangesNothing) {
  const std::string victim = GetParam();
  // Paced at 20,000 rows/s, each client's upload lasts about 5 s, so the
  // kill lands while they all work, on a fast machine as on a slow one.
  Spec spec = MoviesSpec(3, data_root_);
  for (auto& service : spec.services) {
    if (service.role == "client") service.environment["ROWS_PER_SECOND"] = "20000";
  }
  ASSERT_TRUE(StartSystem(spec));
  ASSERT_TRUE(WaitForLogLine("client-handler",
                             "action: read_file \\| result: success .*"
                             "file: movies_metadata.csv",
                             seconds(120)));
  runtime().Kill(victim, SIGKILL);
  ASSERT_TRUE(WaitForExit(victim, seconds(10)));
  for (const auto& client : MoviesClients()) {
    ASSERT_EQ(runtime().Status(client.name).state, ReplicaState::kRunning)
        << client.name << " finished before " << victim
        << " was killed: the kill was not mid-run";
  }

  const auto ctl = RunChancho(
      "ctl start " + victim + " --run '" + runtime().run_dir().string() + "'",
      runtime().run_dir() / "ctl");
  ASSERT_EQ(ctl.exit_code, 0) << ctl.out << ctl.err;
  ASSERT_TRUE(WaitForHealthy(victim, seconds(60)));

  ASSERT_TRUE(ClientsSucceed());
  EXPECT_TRUE(ClientsMatchKnownGood(results_dir()));
  if (victim == "client-handler") {
    // Every client was cut off mid-session and carried on from the new
    // handler's checkpoint rather than starting over.
    for (const auto& client : MoviesClients()) {
      EXPECT_TRUE(WaitForLogLine(client.name,
                                 "action: resume \\| result: success",
                                 seconds(1)));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Victims, MoviesCrashTest,
                         ::testing::Values("join-movie-ratings-2",
                                           "group-by-movie-average-1",
                                           "group-by-actor-count-3",
                                           // Its clients resume their
                                           // sessions with the new one.
                                           "client-handler"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace chancho::testing
