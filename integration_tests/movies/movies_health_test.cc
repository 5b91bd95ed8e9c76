// The health-checkers of system/movies/compose-spec.json (ping_interval
// 0.5 s, max_retries 3), on each runtime: a killed service is revived
// within ping_interval x (max_retries + 1) + 2 s, and killing two of the
// three checkers is survived: the third revives them and the services they
// watch. Under Docker the checkers revive with `docker start` through the
// engine's socket mounted into their containers.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "fixtures/docker_support.h"
#include "fixtures/system_test.h"
#include "integration_tests/movies/movies_support.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kRevivalBound{500 * (3 + 1) + 2000};
// A `docker start` takes about a second more than a process start
// (BENCHMARKS.md: start -> ready); seen here: 3.4-3.5 s on Docker against
// the 4 s bound, so a loaded machine gets that second twice over.
constexpr milliseconds kDockerStartAllowance{2000};

class MoviesHealthTest : public SystemTestP {
 protected:
  void SetUp() override {
    SystemTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(SharedMoviesData(data_));
    ASSERT_TRUE(StartSystem(MoviesSpec(3, data_, runtime_kind())));
  }
  std::optional<std::string> DockerMissing() const override {
    return MoviesInDockerUnavailable();
  }

  // Kills `replica` with SIGKILL and waits until it runs again as a new
  // start; returns how long that took, or nullopt past `timeout`.
  std::optional<milliseconds> KillAndTimeRevival(const std::string& replica,
                                                 milliseconds timeout) {
    const int starts = runtime().Status(replica).starts;
    const auto killed = Clock::now();
    runtime().Kill(replica, SIGKILL);
    return WaitRevived(replica, starts, killed, timeout);
  }

  std::optional<milliseconds> WaitRevived(const std::string& replica, int starts,
                                          Clock::time_point since,
                                          milliseconds timeout) {
    while (Clock::now() - since < timeout) {
      const auto s = runtime().Status(replica);
      if (s.state == ReplicaState::kRunning && s.starts > starts) {
        return std::chrono::duration_cast<milliseconds>(Clock::now() - since);
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    return std::nullopt;
  }

  // Waits until the checkers logged at least `n` successful revivals (a
  // checker logs one when `ctl start` answers, once the replica is ready).
  ::testing::AssertionResult RevivalLinesReach(int n) {
    const auto deadline = Clock::now() + seconds(30);
    int lines = 0;
    while ((lines = RevivalLines()) < n && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(50));
    }
    if (lines >= n) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << lines << " revive lines after 30 s, expected " << n;
  }

  // `revive | result: success` lines of all the checkers.
  int RevivalLines() {
    int lines = 0;
    for (const char* checker :
         {"health-checker-1", "health-checker-2", "health-checker-3"}) {
      for (const auto& e : Events(checker)) {
        lines += e.action == "revive" && e.result == "success";
      }
    }
    return lines;
  }

  std::filesystem::path data_;
};

TEST_P(MoviesHealthTest, AKilledServiceIsRevivedWithinTheBound) {
  // The first revival may wait for the checkers' grace period.
  ASSERT_TRUE(KillAndTimeRevival("filter-argentina-1", milliseconds(30000)));
  for (const char* victim : {"join-movie-ratings-2", "master-group-by-country-sum",
                             "client-handler"}) {
    const auto took = KillAndTimeRevival(victim, milliseconds(30000));
    ASSERT_TRUE(took) << victim << " was not revived";
    EXPECT_LE(*took, kRevivalBound + (runtime_kind() == RuntimeKind::kDocker
                                           ? kDockerStartAllowance
                                           : milliseconds(0)))
        << victim;
    std::cout << victim << " revived after " << took->count() << " ms\n";
  }
  EXPECT_TRUE(RevivalLinesReach(4));
}

TEST_P(MoviesHealthTest, KillingTwoOfThreeCheckersIsSurvived) {
  ASSERT_TRUE(KillAndTimeRevival("filter-argentina-1", milliseconds(30000)));
  // Its checker has finished the revival (the line is logged once the
  // replica is ready) before the checkers are killed.
  ASSERT_TRUE(RevivalLinesReach(1));
  const auto since = Clock::now();
  const int hc1 = runtime().Status("health-checker-1").starts;
  const int hc2 = runtime().Status("health-checker-2").starts;
  const int victim = runtime().Status("filter-spain-2000-2").starts;
  runtime().Kill("health-checker-1", SIGKILL);
  runtime().Kill("health-checker-2", SIGKILL);
  runtime().Kill("filter-spain-2000-2", SIGKILL);
  EXPECT_TRUE(WaitRevived("health-checker-1", hc1, since, milliseconds(30000)));
  EXPECT_TRUE(WaitRevived("health-checker-2", hc2, since, milliseconds(30000)));
  EXPECT_TRUE(WaitRevived("filter-spain-2000-2", victim, since, milliseconds(30000)));
  // One line per revival, by whoever revived it: filter-argentina-1, both
  // checkers and the filter.
  EXPECT_TRUE(RevivalLinesReach(4));
}

INSTANTIATE_TEST_SUITE_P(Runtimes, MoviesHealthTest, AllRuntimes(),
                         RuntimeParamName);

}  // namespace
}  // namespace chancho::testing
