// Name resolution and the shell revive command.
#include "system/healthcheck/health_checker.h"
#include "system/healthcheck/shell_reviver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "system/common/heartbeat.h"
#include "system/healthcheck/config.h"

namespace chancho::healthcheck {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using ::testing::HasSubstr;
using udp = asio::ip::udp;

// --- Resolution and revive commands -----------------------------------------

class IoThreadTest : public ::testing::Test {
 protected:
  IoThreadTest() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~IoThreadTest() override {
    work_.reset();
    thread_.join();
  }

  // Calls `start(done)` on the io thread and waits for `done`'s result.
  template <typename Result, typename Start>
  Result Await(Start start) {
    std::promise<Result> result;
    asio::post(io_, [&] {
      start([&result](Result r) { result.set_value(std::move(r)); });
    });
    auto future = result.get_future();
    EXPECT_EQ(future.wait_for(10s), std::future_status::ready);
    return future.get();
  }

  ReviveResult RunRevive(ShellReviver& reviver, const std::string& name) {
    return Await<ReviveResult>(
        [&](auto done) { reviver.Revive(name, std::move(done)); });
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

using ResolverTest = IoThreadTest;

TEST_F(ResolverTest, IpLiteralsAndTheHostsFile) {
  const auto hosts = std::filesystem::temp_directory_path() /
                     ("hc-hosts-" + std::to_string(::getpid()));
  std::ofstream(hosts) << "127.0.3.7 server\n";
  auto resolve = MakeResolver(
      io_, 4444, common::MapEnv({{"CHANCHO_HOSTS_FILE", hosts.string()}}));
  using Answer = std::pair<boost::system::error_code, udp::endpoint>;
  auto lookup = [&](const std::string& name) {
    return Await<Answer>([&](auto done) {
      resolve(name, [done](const boost::system::error_code& ec,
                           const udp::endpoint& to) {
        done(Answer{ec, to});
      });
    });
  };
  EXPECT_EQ(lookup("server").second,
            udp::endpoint(asio::ip::make_address("127.0.3.7"), 4444));
  EXPECT_EQ(lookup("127.0.0.9").second,
            udp::endpoint(asio::ip::make_address("127.0.0.9"), 4444));
  std::filesystem::remove(hosts);
}

using ShellReviverTest = IoThreadTest;

TEST_F(ShellReviverTest, SubstitutesTheNameEverywhere) {
  ShellReviver reviver(io_, "start {name} --as {name}", 1s);
  EXPECT_EQ(reviver.Command("web-1"), "start web-1 --as web-1");
}

TEST_F(ShellReviverTest, ExitZeroIsSuccess) {
  ShellReviver reviver(io_, "test {name} = web-1", 5s);
  const ReviveResult result = RunRevive(reviver, "web-1");
  EXPECT_TRUE(result.success) << result.error;
  EXPECT_EQ(result.error, "");
}

TEST_F(ShellReviverTest, FailureCarriesStatusAndOutput) {
  ShellReviver reviver(io_, "echo cannot start {name}; echo oops >&2; exit 3",
                       5s);
  const ReviveResult result = RunRevive(reviver, "web-1");
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error, "exit status 3: cannot start web-1\noops");
}

TEST_F(ShellReviverTest, ATimeoutKillsTheWholeCommand) {
  // The background sleep holds the output open: it must die too.
  ShellReviver reviver(io_, "sleep 30 & sleep 30", 200ms);
  const auto start = Clock::now();
  const ReviveResult result = RunRevive(reviver, "x");
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error, "timed out after 0.200 s");
}

TEST_F(ShellReviverTest, CancelEndsCommandsInFlight) {
  ShellReviver reviver(io_, "sleep 30", 60s);
  std::promise<ReviveResult> result;
  asio::post(io_, [&] {
    reviver.Revive("x", [&](ReviveResult r) { result.set_value(r); });
    reviver.Cancel();
  });
  auto future = result.get_future();
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(future.get().error, "cancelled");
}

TEST_F(ShellReviverTest, RefusesNamesThatAreNotPlainWords) {
  ShellReviver reviver(io_, "true {name}", 5s);
  const ReviveResult result = RunRevive(reviver, "x; rm -rf /");
  EXPECT_FALSE(result.success);
  EXPECT_THAT(result.error, HasSubstr("refusing"));
}

}  // namespace
}  // namespace chancho::healthcheck
