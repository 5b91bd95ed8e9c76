#include "system/tp0/server/server_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <map>
#include <sstream>
#include <stdexcept>

namespace chancho::tp0 {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

boost::property_tree::ptree Ini(const std::string& text) {
  std::istringstream in(text);
  boost::property_tree::ptree tree;
  boost::property_tree::ini_parser::read_ini(in, tree);
  return tree;
}

constexpr char kShippedIni[] =
    "[DEFAULT]\n"
    "SERVER_PORT = 12345\n"
    "SERVER_IP = \n"
    "SERVER_LISTEN_BACKLOG = 5\n"
    "LOGGING_LEVEL = INFO\n";

TEST(ServerConfigTest, DefaultsWithoutFileOrEnvironment) {
  const ServerConfig config =
      ResolveServerConfig(std::nullopt, common::MapEnv({}));
  EXPECT_EQ(config.port, 12345);
  EXPECT_EQ(config.ip, "");
  EXPECT_EQ(config.listen_backlog, 5);
  EXPECT_EQ(config.logging_level, "INFO");
  EXPECT_FALSE(config.heartbeat_port.has_value());
  EXPECT_FALSE(config.file_found);
}

TEST(ServerConfigTest, ReadsTheDefaultSection) {
  const ServerConfig config = ResolveServerConfig(
      Ini("[DEFAULT]\nSERVER_PORT = 9000\nSERVER_IP = 10.0.0.1\n"
          "SERVER_LISTEN_BACKLOG = 20\nLOGGING_LEVEL = debug\n"),
      common::MapEnv({}));
  EXPECT_TRUE(config.file_found);
  EXPECT_EQ(config.port, 9000);
  EXPECT_EQ(config.ip, "10.0.0.1");
  EXPECT_EQ(config.listen_backlog, 20);
  EXPECT_EQ(config.logging_level, "DEBUG");
}

TEST(ServerConfigTest, EnvironmentOverridesTheFile) {
  const ServerConfig config = ResolveServerConfig(
      Ini(kShippedIni), common::MapEnv({{"SERVER_PORT", "4000"},
                                        {"SERVER_IP", "127.0.0.1"},
                                        {"SERVER_LISTEN_BACKLOG", "1"},
                                        {"LOGGING_LEVEL", "warning"},
                                        {"HEARTBEAT_PORT", "4444"}}));
  EXPECT_EQ(config.port, 4000);
  EXPECT_EQ(config.ip, "127.0.0.1");
  EXPECT_EQ(config.listen_backlog, 1);
  EXPECT_EQ(config.logging_level, "WARNING");
  EXPECT_EQ(config.heartbeat_port, 4444);
}

TEST(ServerConfigTest, UnknownLevelBecomesInfo) {
  EXPECT_EQ(ResolveServerConfig(std::nullopt,
                                common::MapEnv({{"LOGGING_LEVEL", "chatty"}}))
                .logging_level,
            "INFO");
}

TEST(ServerConfigTest, InvalidValuesThrowNamingTheKey) {
  const std::map<std::string, std::string> bad[] = {
      {{"SERVER_PORT", "abc"}},         {{"SERVER_PORT", "70000"}},
      {{"SERVER_LISTEN_BACKLOG", "x"}}, {{"SERVER_LISTEN_BACKLOG", "-1"}},
      {{"HEARTBEAT_PORT", "0"}},
  };
  for (const auto& env : bad) {
    try {
      ResolveServerConfig(Ini(kShippedIni), common::MapEnv(env));
      ADD_FAILURE() << "accepted " << env.begin()->second;
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr(env.begin()->first));
    }
  }
}

TEST(ServerConfigTest, LogFieldsAreLowercaseEffectiveValues) {
  ServerConfig config;
  EXPECT_THAT(
      ConfigLogFields(config),
      ElementsAre(Pair("server_port", "12345"), Pair("server_ip", ""),
                  Pair("listen_backlog", "5"), Pair("logging_level", "INFO")));
  EXPECT_EQ(common::FormatEvent("config", "success", ConfigLogFields(config)),
            "action: config | result: success | server_port: 12345 | "
            "server_ip:  | listen_backlog: 5 | logging_level: INFO");
  config.heartbeat_port = 4444;
  EXPECT_THAT(ConfigLogFields(config).back(), Pair("heartbeat_port", "4444"));
}

}  // namespace
}  // namespace chancho::tp0
