// The chancho CLI end to end: help on every subcommand, one-line errors, and
// the life of a detached run (up, ps, logs, ctl, probe, wait, down).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "harness/runtime/control_commands.h"
#include "integration_tests/cli_support.h"

namespace chancho::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = BinDir().parent_path() / "test-cli" / info->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    // Whatever a failed test left running goes down with its run.
    RunChancho("down --grace 1000", dir_, 30);
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

TEST_F(CliTest, EverySubcommandHasHelp) {
  for (const char* sub : {"", "compose", "up", "down", "ps", "logs", "probe",
                          "probe echo", "probe shutdown", "ctl", "wait"}) {
    const auto r = RunChancho(std::string(sub) + " --help", dir_);
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_THAT(r.out, HasSubstr("Usage:")) << sub;
  }
}

TEST_F(CliTest, ErrorsAreOneLine) {
  std::ofstream(dir_ / "bad.json")
      << R"({"name": "x", "services": [{"name": "a", "command": ["sleep"], "replicas": "three"}]})";
  auto r = RunChancho("compose bad.json", dir_);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err,
            "chancho: error: bad.json: /services/0/replicas: expected a "
            "positive integer, got \"three\"\n");
  r = RunChancho("ps --run /nonexistent", dir_);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_THAT(r.err, StartsWith("chancho: error: "));
  r = RunChancho("ps", dir_);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("no live run"));
  r = RunChancho("frobnicate", dir_);
  EXPECT_NE(r.exit_code, 0);
}

TEST_F(CliTest, ComposeTp0) {
  const auto r = RunChancho("compose tp0 --clients 3 -o out/compose.yaml", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ostringstream yaml;
  yaml << std::ifstream(dir_ / "out" / "compose.yaml").rdbuf();
  EXPECT_THAT(yaml.str(), HasSubstr("client3:"));
  EXPECT_THAT(yaml.str(), Not(HasSubstr("client4:")));
  EXPECT_THAT(yaml.str(), HasSubstr("testing_net"));
}

TEST_F(CliTest, DetachedRunLifecycle) {
  // Clients that loop long enough to be seen running, then finish.
  auto r = RunShell("'" + (BinDir() / "chancho").string() +
                        "' up tp0 --clients 2 --detach",
                    dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("action: up | result: success"));

  r = RunChancho("ps --json", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto statuses = StatusesFromJson(r.out);
  ASSERT_EQ(statuses.size(), 3u);
  EXPECT_EQ(statuses[0].name, "server");
  EXPECT_EQ(statuses[0].state, ReplicaState::kRunning);

  r = RunChancho("probe echo --target server:12345 --message 'cli probe'", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "action: test_echo_server | result: success\n");

  r = RunChancho("wait client1 client2 --timeout 30", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  r = RunChancho("logs client1", dir_);
  EXPECT_THAT(r.out, HasSubstr("action: loop_finished | result: success | client_id: 1"));

  r = RunChancho("ctl start client1", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunChancho("ps --json", dir_);
  EXPECT_EQ(StatusesFromJson(r.out)[1].restarts, 1);

  r = RunChancho("ctl pause nobody", dir_);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("no replica named \"nobody\""));

  r = RunChancho("probe shutdown server --timeout 1", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, StartsWith("action: graceful_shutdown | result: success"));

  r = RunChancho("probe echo --target server:12345 --timeout 1", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, StartsWith("action: test_echo_server | result: fail | reason: "));

  r = RunChancho("down", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunChancho("ps", dir_);
  EXPECT_NE(r.exit_code, 0);
}

}  // namespace
}  // namespace chancho::testing
