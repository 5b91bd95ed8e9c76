// The echo probe passes against the tp0 server and a healthy echo mock, and
// fails against a mock that answers "error reading data: " + the message.
// The shutdown probe passes only for a graceful exit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "harness/probes/echo_probe.h"
#include "harness/runtime/readiness.h"
#include "integration_tests/tp0/tp0_env.h"

namespace chancho::testing {
namespace {

using std::chrono::seconds;

ServiceSpec Mock(const std::string& name, const std::string& mode) {
  ServiceSpec mock;
  mock.name = name;
  mock.role = "server";
  mock.command = {"echo-mock", "--mode", mode, "--port", "12345"};
  mock.readiness.kind = Readiness::Kind::kTcp;
  mock.readiness.port = 12345;
  return mock;
}

class Tp0ProbeTest : public SystemTest {};

TEST_F(Tp0ProbeTest, EchoProbeAgainstServerAndMocks) {
  Spec spec = Tp0(0, 1);
  spec.services.push_back(Mock("healthy-mock", "echo"));
  spec.services.push_back(Mock("broken-mock", "error"));
  ASSERT_TRUE(StartSystem(spec));
  const auto address = [&](const std::string& name) {
    return runtime().Status(name).address;
  };
  const auto server = EchoProbe(address("server"), 12345, "hello tp0", seconds(5));
  EXPECT_TRUE(server.success) << server.reason;
  const auto healthy =
      EchoProbe(address("healthy-mock"), 12345, "hello mock", seconds(5));
  EXPECT_TRUE(healthy.success) << healthy.reason;
  const auto broken =
      EchoProbe(address("broken-mock"), 12345, "hello mock", seconds(5));
  EXPECT_FALSE(broken.success);
  EXPECT_THAT(broken.reason, ::testing::HasSubstr("error reading data: hello mock"));
  EXPECT_TRUE(WaitForLogLine("server", "action: receive_message \\| result: success \\| "
                                       "ip: .* \\| msg: hello tp0$",
                             seconds(5)));
}


TEST_F(Tp0ProbeTest, HeartbeatReadinessAndLogTails) {
  Spec spec = Tp0(1, 2);
  ServiceSpec& server = spec.services[0];
  ASSERT_EQ(server.name, "server");
  server.heartbeat_port = 4444;
  server.readiness = Readiness{};
  server.readiness.kind = Readiness::Kind::kHeartbeat;
  ASSERT_TRUE(StartSystem(spec));
  EXPECT_TRUE(WaitForHealthy("server", seconds(5)));
  ASSERT_TRUE(WaitForExit("client1", seconds(30), 0));
  // What a failing test prints: every replica's name and its last lines.
  const std::string tails = LogTails(1);
  EXPECT_THAT(tails, ::testing::HasSubstr("---- server (last 1 lines)"));
  EXPECT_THAT(tails, ::testing::HasSubstr("---- client1 (last 1 lines)"));
  EXPECT_THAT(tails, ::testing::HasSubstr("action: loop_finished | result: success"));
  // A paused server answers no heartbeat; resumed, it does again.
  const std::string address = runtime().Status("server").address;
  runtime().Pause("server");
  EXPECT_FALSE(HeartbeatAnswers(address, 4444, std::chrono::milliseconds(200)));
  runtime().Resume("server");
  EXPECT_TRUE(HeartbeatAnswers(address, 4444, seconds(2)));
}

}  // namespace
}  // namespace chancho::testing
