#include "harness/spec/tp0_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

namespace chancho {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

TEST(Tp0SpecTest, ServerAndClients) {
  const Spec spec = Tp0Spec(3, "/tp0");
  EXPECT_EQ(spec.name, "tp0");
  EXPECT_EQ(spec.dir, "/tp0");
  EXPECT_THAT(spec.warnings, IsEmpty());
  ASSERT_EQ(spec.services.size(), 4u);

  const ServiceSpec& server = spec.services[0];
  EXPECT_EQ(server.name, "server");
  EXPECT_EQ(server.role, "server");
  EXPECT_EQ(server.replicas, 1);
  EXPECT_THAT(server.command, ElementsAre("tp0-server"));
  EXPECT_EQ(server.image, "chancho/tp0-server:latest");
  ASSERT_EQ(server.config_files.size(), 1u);
  EXPECT_EQ(server.config_files[0].source, "server/config.ini");
  EXPECT_EQ(server.config_files[0].target, "/config.ini");
  EXPECT_EQ(server.config_files[0].env, "CONFIG_FILE");
  EXPECT_THAT(server.depends_on, IsEmpty());
  EXPECT_EQ(server.readiness.kind, Readiness::Kind::kLogLine);
  EXPECT_EQ(server.readiness.timeout_s, 10.0);
  EXPECT_TRUE(std::regex_search(
      "2024-01-01 INFO action: accept_connections | result: in_progress",
      std::regex(server.readiness.pattern)));
  EXPECT_FALSE(std::regex_search("action: accept_connections | result: success",
                                 std::regex(server.readiness.pattern)));

  for (int i = 1; i <= 3; ++i) {
    const ServiceSpec& client = spec.services[i];
    EXPECT_EQ(client.name, "client" + std::to_string(i));
    EXPECT_EQ(client.role, "client");
    EXPECT_THAT(client.command, ElementsAre("tp0-client"));
    EXPECT_EQ(client.image, "chancho/tp0-client:latest");
    EXPECT_THAT(client.environment,
                ElementsAre(Pair("CLI_ID", std::to_string(i))));
    ASSERT_EQ(client.config_files.size(), 1u);
    EXPECT_EQ(client.config_files[0].source, "client/config.yaml");
    EXPECT_EQ(client.config_files[0].target, "/config.yaml");
    EXPECT_EQ(client.config_files[0].env, "CONFIG_FILE");
    EXPECT_THAT(client.depends_on, ElementsAre("server"));
    EXPECT_EQ(client.readiness.kind, Readiness::Kind::kNone);
  }
}

TEST(Tp0SpecTest, NoClients) {
  const Spec spec = Tp0Spec(0, "/tp0");
  ASSERT_EQ(spec.services.size(), 1u);
  EXPECT_EQ(spec.services[0].name, "server");
}

TEST(Tp0SpecTest, NegativeClientsThrow) {
  try {
    Tp0Spec(-1, "/tp0");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "tp0: expected a non-negative number of clients, got -1");
  }
}

}  // namespace
}  // namespace chancho
