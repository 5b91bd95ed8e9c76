// The config line of the server and the client shows exactly the values of
// the config files they were given.
#include <gtest/gtest.h>

#include <fstream>

#include "integration_tests/tp0/tp0_env.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using std::chrono::seconds;

struct Configs {
  std::string name;
  int port;
  int backlog;
  std::string server_level;
  int amount;
  std::string period;
  std::string client_level;
};

class Tp0ConfigTest
    : public SystemTest,
      public ::testing::WithParamInterface<std::tuple<Configs, RuntimeKind>> {
 protected:
  RuntimeKind runtime_kind() const override { return std::get<1>(GetParam()); }
  void SetUp() override {
    SystemTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    dir_ = BinDir().parent_path() / "test-configs" /
           (std::get<0>(GetParam()).name + RuntimeName(runtime_kind()));
    std::filesystem::create_directories(dir_ / "server");
    std::filesystem::create_directories(dir_ / "client");
  }
  void TearDown() override {
    SystemTest::TearDown();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

std::optional<common::LogEvent> ConfigEvent(
    const std::vector<common::LogEvent>& events) {
  for (const auto& e : events) {
    if (e.action == "config") return e;
  }
  return std::nullopt;
}

TEST_P(Tp0ConfigTest, ConfigLineShowsTheGivenValues) {
  const Configs& c = std::get<0>(GetParam());
  std::ofstream(dir_ / "server" / "config.ini")
      << "[DEFAULT]\nSERVER_PORT = " << c.port << "\nSERVER_IP = \n"
      << "SERVER_LISTEN_BACKLOG = " << c.backlog << "\nLOGGING_LEVEL = "
      << c.server_level << "\n";
  std::ofstream(dir_ / "client" / "config.yaml")
      << "server:\n  address: \"server:" << c.port << "\"\nloop:\n  amount: "
      << c.amount << "\n  period: \"" << c.period << "\"\nlog:\n  level: "
      << c.client_level << "\n";
  ASSERT_TRUE(StartSystem(Tp0Spec(1, dir_)));
  ASSERT_TRUE(WaitForExit("client1", seconds(30), 0));

  const auto server = ConfigEvent(Events("server"));
  ASSERT_TRUE(server);
  EXPECT_EQ(server->result, "success");
  EXPECT_EQ(server->Get("server_port"), std::to_string(c.port));
  EXPECT_EQ(server->Get("listen_backlog"), std::to_string(c.backlog));
  EXPECT_EQ(server->Get("logging_level"), c.server_level);

  const auto client = ConfigEvent(Events("client1"));
  ASSERT_TRUE(client);
  EXPECT_EQ(client->result, "success");
  EXPECT_EQ(client->Get("client_id"), "1");
  EXPECT_EQ(client->Get("server_address"), "server:" + std::to_string(c.port));
  EXPECT_EQ(client->Get("loop_amount"), std::to_string(c.amount));
  EXPECT_EQ(client->Get("loop_period"), c.period);
  EXPECT_EQ(client->Get("log_level"), c.client_level);

  int echoes = 0;
  for (const auto& e : Events("client1")) {
    if (e.action == "receive_message" && e.result == "success") ++echoes;
  }
  EXPECT_EQ(echoes, c.amount);
}

INSTANTIATE_TEST_SUITE_P(
    Files, Tp0ConfigTest,
    ::testing::Combine(
        ::testing::Values(
            Configs{"defaults", 12345, 5, "INFO", 2, "10ms", "INFO"},
            Configs{"custom", 23456, 17, "DEBUG", 3, "20ms", "DEBUG"}),
        AllRuntimes()),
    [](const ::testing::TestParamInfo<std::tuple<Configs, RuntimeKind>>& info) {
      return std::get<0>(info.param).name + "_" +
             RuntimeName(std::get<1>(info.param));
    });

}  // namespace
}  // namespace chancho::testing
