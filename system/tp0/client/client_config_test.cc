#include "system/tp0/client/client_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <stdexcept>

namespace chancho::tp0 {
namespace {

using std::chrono::microseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr char kShippedYaml[] =
    "server:\n"
    "  address: \"server:12345\"\n"
    "loop:\n"
    "  amount: 5\n"
    "  period: \"150ms\"\n"
    "log:\n"
    "  level: INFO\n";

TEST(ClientConfigTest, ReadsTheShippedFile) {
  const ClientConfig config = ResolveClientConfig(
      YAML::Load(kShippedYaml), common::MapEnv({{"CLI_ID", "1"}}));
  EXPECT_TRUE(config.file_found);
  EXPECT_EQ(config.id, "1");
  EXPECT_EQ(config.server_address, "server:12345");
  EXPECT_EQ(config.server.host, "server");
  EXPECT_EQ(config.server.port, 12345);
  EXPECT_EQ(config.loop_amount, 5);
  EXPECT_EQ(config.loop_period_text, "150ms");
  EXPECT_EQ(config.loop_period, microseconds(150'000));
  EXPECT_EQ(config.log_level, "INFO");
}

TEST(ClientConfigTest, EnvironmentOverridesTheFile) {
  const ClientConfig config = ResolveClientConfig(
      YAML::Load(kShippedYaml),
      common::MapEnv({{"CLI_ID", "3"},
                      {"CLI_SERVER_ADDRESS", "127.0.0.1:80"},
                      {"CLI_LOOP_AMOUNT", "0"},
                      {"CLI_LOOP_PERIOD", "1.5s"},
                      {"CLI_LOG_LEVEL", "debug"}}));
  EXPECT_EQ(config.id, "3");
  EXPECT_EQ(config.server.host, "127.0.0.1");
  EXPECT_EQ(config.server.port, 80);
  EXPECT_EQ(config.loop_amount, 0);
  EXPECT_EQ(config.loop_period, microseconds(1'500'000));
  EXPECT_EQ(config.loop_period_text, "1.5s");
  EXPECT_EQ(config.log_level, "DEBUG");
}

TEST(ClientConfigTest, DefaultsWithoutFile) {
  const ClientConfig config =
      ResolveClientConfig(std::nullopt, common::MapEnv({{"CLI_ID", "1"}}));
  EXPECT_FALSE(config.file_found);
  EXPECT_EQ(config.server_address, "server:12345");
  EXPECT_EQ(config.loop_amount, 5);
  EXPECT_EQ(config.loop_period_text, "150ms");
}

TEST(ClientConfigTest, PartialFileKeepsDefaultsForTheRest) {
  const ClientConfig config = ResolveClientConfig(
      YAML::Load("loop:\n  amount: 2\n"), common::MapEnv({{"CLI_ID", "1"}}));
  EXPECT_EQ(config.loop_amount, 2);
  EXPECT_EQ(config.loop_period_text, "150ms");
  EXPECT_EQ(config.server_address, "server:12345");
}

TEST(ClientConfigTest, RequiresAnId) {
  try {
    ResolveClientConfig(YAML::Load(kShippedYaml), common::MapEnv({}));
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("CLI_ID"));
  }
}

TEST(ClientConfigTest, RejectsInvalidValuesNamingTheKey) {
  const std::pair<const char*, const char*> bad_env[] = {
      {"CLI_SERVER_ADDRESS", "server"},
      {"CLI_LOOP_AMOUNT", "five"},
      {"CLI_LOOP_AMOUNT", "-1"},
      {"CLI_LOOP_PERIOD", "150"},
  };
  for (const auto& [name, value] : bad_env) {
    EXPECT_THROW(
        ResolveClientConfig(YAML::Load(kShippedYaml),
                            common::MapEnv({{"CLI_ID", "1"}, {name, value}})),
        std::invalid_argument)
        << name << "=" << value;
  }
  const char* bad_yaml[] = {
      "just a string",
      "server: [1, 2]",
      "server:\n  address: {a: 1}\n",
      "loop:\n  amount: 1.5\n",
  };
  for (const char* yaml : bad_yaml) {
    EXPECT_THROW(ResolveClientConfig(YAML::Load(yaml),
                                     common::MapEnv({{"CLI_ID", "1"}})),
                 std::invalid_argument)
        << yaml;
  }
}

TEST(ClientConfigTest, LogFieldsAreEffectiveValues) {
  const ClientConfig config = ResolveClientConfig(
      YAML::Load(kShippedYaml),
      common::MapEnv({{"CLI_ID", "1"}, {"CLI_LOG_LEVEL", "nonsense"}}));
  EXPECT_EQ(common::FormatEvent("config", "success", ConfigLogFields(config)),
            "action: config | result: success | client_id: 1 | "
            "server_address: server:12345 | loop_amount: 5 | "
            "loop_period: 150ms | log_level: INFO");
}

}  // namespace
}  // namespace chancho::tp0
