// Clients x messages: every client logs every echo and loop_finished, no line
// says fail, and the server is still running at the end.
#include <gtest/gtest.h>

#include "integration_tests/tp0/tp0_env.h"

namespace chancho::testing {
namespace {

using std::chrono::seconds;

struct Load {
  int clients;
  int messages;
};

class Tp0EchoTest
    : public SystemTest,
      public ::testing::WithParamInterface<std::tuple<Load, RuntimeKind>> {
 protected:
  RuntimeKind runtime_kind() const override { return std::get<1>(GetParam()); }
};

TEST_P(Tp0EchoTest, EveryClientGetsEveryEcho) {
  const Load load = std::get<0>(GetParam());
  ASSERT_TRUE(StartSystem(Tp0(load.clients, load.messages)));
  for (int i = 1; i <= load.clients; ++i) {
    const std::string client = "client" + std::to_string(i);
    ASSERT_TRUE(WaitForExit(client, seconds(30), 0));
    int echoes = 0;
    bool finished = false;
    for (const common::LogEvent& e : Events(client)) {
      EXPECT_NE(e.result, "fail") << client << ": " << e.action;
      if (e.action == "receive_message" && e.result == "success") {
        ++echoes;
        EXPECT_EQ(e.Get("client_id"), std::to_string(i));
        EXPECT_EQ(e.Get("msg"), "[CLIENT " + std::to_string(i) +
                                    "] Message N°" + std::to_string(echoes));
      }
      if (e.action == "loop_finished" && e.result == "success") {
        finished = true;
        EXPECT_EQ(e.Get("client_id"), std::to_string(i));
      }
    }
    EXPECT_EQ(echoes, load.messages) << client;
    EXPECT_TRUE(finished) << client << " never logged loop_finished";
  }
  int received = 0;
  for (const common::LogEvent& e : Events("server")) {
    EXPECT_NE(e.result, "fail") << "server: " << e.action;
    if (e.action == "receive_message") ++received;
  }
  EXPECT_EQ(received, load.clients * load.messages);
  EXPECT_EQ(runtime().Status("server").state, ReplicaState::kRunning);
}

const auto kLoadName =
    [](const ::testing::TestParamInfo<std::tuple<Load, RuntimeKind>>& info) {
      const Load& load = std::get<0>(info.param);
      return std::to_string(load.clients) + "x" +
             std::to_string(load.messages) + "_" +
             RuntimeName(std::get<1>(info.param));
    };
INSTANTIATE_TEST_SUITE_P(
    Loads, Tp0EchoTest,
    ::testing::Combine(::testing::Values(Load{1, 1}, Load{1, 3}, Load{2, 1},
                                         Load{5, 1}, Load{5, 5}),
                       AllRuntimes()),
    kLoadName);
// One load on a Swarm: each client a service of its own.
INSTANTIATE_TEST_SUITE_P(
    Swarm, Tp0EchoTest,
    ::testing::Values(std::make_tuple(Load{5, 5}, RuntimeKind::kSwarm)),
    kLoadName);

}  // namespace
}  // namespace chancho::testing
