// The movies pipeline on DockerRuntime, from system/movies/compose-spec.json
// and the chancho/movies image: three concurrent clients, each with its own
// `small` dataset mounted as their data directory, get results
// byte-identical to the known-good ones, with 1 replica per stage and with
// 3; and a worker container killed with `docker kill` is brought back by a
// health-checker with `docker start` through the Docker socket mounted into
// its container.
//
// Needs an engine (ci/start-docker.sh) and the images (ci/build-images.sh
// BUILD_DIR). Without them the tests are skipped with the reason, unless
// CI=true, where that is a failure.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "fixtures/docker_support.h"
#include "fixtures/system_test.h"
#include "harness/runtime/docker_command.h"
#include "harness/runtime/readiness.h"
#include "integration_tests/movies/movies_support.h"

namespace chancho::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kImage[] = "chancho/movies:latest";
constexpr auto kClientTimeout = seconds(240);
// ping_interval 0.5 s x (max_retries 3 + 1), the checker's first grace
// period (2 s), and a `docker start` on a loaded machine.
constexpr auto kRevivalTimeout = seconds(30);
const std::vector<std::string> kCheckers = {
    "health-checker-1", "health-checker-2", "health-checker-3"};

// Why the movies image cannot be used, or nullopt.
std::optional<std::string> MoviesImageMissing() {
  const CommandResult found =
      RunCommand({"docker", "image", "inspect", kImage}, {seconds(20)});
  if (found.timed_out || found.exit_code != 0) {
    return std::string("image ") + kImage +
           " is missing; run ci/build-images.sh BUILD_DIR";
  }
  return std::nullopt;
}

class MoviesDockerTest : public SystemTest {
 protected:
  RuntimeKind runtime_kind() const override { return RuntimeKind::kDocker; }

  void SetUp() override {
    SystemTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (const auto missing = MoviesImageMissing()) {
      if (IsCi()) {
        FAIL() << "CI=true, and the Docker runtime cannot run: " << *missing;
      }
      GTEST_SKIP() << *missing;
    }
    ASSERT_TRUE(SharedMoviesData(data_root_));
  }

  // Waits for every client to exit 0.
  ::testing::AssertionResult ClientsSucceed() {
    for (const auto& client : MoviesClients()) {
      auto exited = WaitForExit(client.name, kClientTimeout, 0);
      if (!exited) return exited;
    }
    return ::testing::AssertionSuccess();
  }

  std::filesystem::path data_root_;
};

class MoviesDockerReplicasTest : public MoviesDockerTest,
                                 public ::testing::WithParamInterface<int> {};

TEST_P(MoviesDockerReplicasTest, ThreeClientsGetTheirKnownGoodResults) {
  ASSERT_TRUE(
      StartSystem(MoviesSpec(GetParam(), data_root_, RuntimeKind::kDocker)));
  ASSERT_TRUE(ClientsSucceed());
  EXPECT_TRUE(ClientsMatchKnownGood(runtime().run_dir() / "results"));
}

INSTANTIATE_TEST_SUITE_P(Replicas, MoviesDockerReplicasTest,
                         ::testing::Values(1, 3), [](const auto& info) {
                           return std::to_string(info.param) + "_replicas";
                         });

TEST_F(MoviesDockerTest,
       AKilledWorkerIsRevivedByAHealthCheckerWithDockerStart) {
  // No clients: the revival alone is under test.
  Spec spec = MoviesSpec(1, data_root_, RuntimeKind::kDocker);
  std::erase_if(spec.services,
                [](const ServiceSpec& s) { return s.role == "client"; });
  ASSERT_TRUE(StartSystem(spec));
  const std::string victim = "filter-argentina";
  const std::string revived =
      "action: revive \\| result: success \\| service: " + victim + " \\|";
  // The checkers' log files, from now on (they are followed as written).
  std::vector<LogLineScanner> scanners;
  for (const auto& checker : kCheckers) {
    const auto log = runtime().LogPath(checker);
    scanners.emplace_back(log, revived, std::filesystem::file_size(log));
  }
  const int starts = runtime().Status(victim).starts;

  runtime().Kill(victim, SIGKILL);
  ASSERT_TRUE(WaitForExit(victim, seconds(10)));
  const auto deadline = Clock::now() + kRevivalTimeout;
  const auto logged = [&scanners] {
    return std::any_of(scanners.begin(), scanners.end(),
                       [](LogLineScanner& s) { return s.Poll().has_value(); });
  };
  while (!logged() && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_TRUE(std::any_of(scanners.begin(), scanners.end(),
                          [](const LogLineScanner& s) { return s.matched(); }))
      << "no health-checker logged the revival of " << victim << " within "
      << kRevivalTimeout.count() << " s";
  // The checker logs the line once `docker start` has returned.
  const ReplicaStatus status = runtime().Status(victim);
  EXPECT_EQ(status.state, ReplicaState::kRunning);
  EXPECT_EQ(status.starts, starts + 1) << victim << " was not started again";
  EXPECT_TRUE(WaitForHealthy(victim, seconds(60)));
}

}  // namespace
}  // namespace chancho::testing
