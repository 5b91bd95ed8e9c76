// Which checker watches what, and the configuration from the environment.
#include "system/healthcheck/health_checker.h"

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
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// --- Which checker watches what ---------------------------------------------

std::vector<std::string> Watch(int id, int n) {
  return WatchedNames({{"a", 3}, {"b", 1}, {"c", 2}}, "hc", id, n);
}

TEST(WatchedNamesTest, OneCheckerWatchesEveryReplicaSorted) {
  EXPECT_THAT(Watch(1, 1), ElementsAre("a-1", "a-2", "a-3", "b", "c-1", "c-2"));
  EXPECT_THAT(WatchedNames({{"server", 1}}, "hc", 1, 1), ElementsAre("server"));
}

TEST(WatchedNamesTest, RoundRobinPlusTheNextCheckerOfTheRing) {
  // Sorted: a-1 a-2 a-3 b c-1 c-2.
  EXPECT_THAT(Watch(1, 2), ElementsAre("a-1", "a-3", "c-1", "hc-2"));
  EXPECT_THAT(Watch(2, 2), ElementsAre("a-2", "b", "c-2", "hc-1"));
  EXPECT_THAT(Watch(1, 3), ElementsAre("a-1", "b", "hc-2"));
  EXPECT_THAT(Watch(2, 3), ElementsAre("a-2", "c-1", "hc-3"));
  EXPECT_THAT(Watch(3, 3), ElementsAre("a-3", "c-2", "hc-1"));
  // More checkers than replicas: the last ones only keep the ring.
  EXPECT_THAT(Watch(7, 7), ElementsAre("hc-1"));
}

TEST(WatchedNamesTest, EveryReplicaHasExactlyOneWatcher) {
  for (int n = 1; n <= 8; ++n) {
    std::multiset<std::string> seen;
    for (int id = 1; id <= n; ++id) {
      for (const auto& name : Watch(id, n)) seen.insert(name);
    }
    for (const char* name : {"a-1", "a-2", "a-3", "b", "c-1", "c-2"}) {
      EXPECT_EQ(seen.count(name), 1u) << name << " with " << n << " checkers";
    }
    for (int id = 1; id <= n && n > 1; ++id) {
      EXPECT_EQ(seen.count("hc-" + std::to_string(id)), 1u) << n;
    }
  }
}

TEST(WatchedNamesTest, NeverItselfAndNoDuplicates) {
  // The checkers' own service listed too, and a service listed twice.
  const auto names = WatchedNames({{"hc", 2}, {"x", 1}, {"x", 1}}, "hc", 1, 2);
  EXPECT_THAT(names, ElementsAre("x", "hc-2"));
  EXPECT_THAT(WatchedNames({{"hc", 2}, {"x", 1}}, "hc", 2, 2),
              ElementsAre("hc-1"));
}

// --- Configuration ----------------------------------------------------------

TEST(ConfigTest, ReadsTheSeedKeysAndIdentity) {
  const auto config =
      LoadConfig(common::MapEnv({{"GRACE_PERIOD", "2.5"},
                                 {"PING_INTERVAL", "0.25"},
                                 {"MAX_RETRIES", "4"},
                                 {"MAX_CONCURRENT_HEALTH_CHECKS", "3"},
                                 {"HEARTBEAT_PORT", "5555"},
                                 {"LOG_LEVEL", "debug"},
                                 {"SERVICE_NAME", "hc"},
                                 {"REPLICA_ID", "2"},
                                 {"REPLICAS", "2"},
                                 {"REPLICA_NAME", "hc-2"},
                                 {"OUTPUT_NODES", "a,b,c"},
                                 {"OUTPUT_NODES_REPLICAS", "3,1,2"},
                                 {"REVIVE_COMMAND", "revive {name}"},
                                 {"REVIVE_TIMEOUT", "7"}}),
                 "");
  EXPECT_EQ(config.grace_period, 2500ms);
  EXPECT_EQ(config.ping_interval, 250ms);
  EXPECT_EQ(config.max_retries, 4);
  EXPECT_EQ(config.max_concurrent, 3);
  EXPECT_EQ(config.heartbeat_port, 5555);
  EXPECT_EQ(config.log_level, common::LogLevel::kDebug);
  EXPECT_EQ(config.replica_name, "hc-2");
  EXPECT_THAT(config.watched, ElementsAre("a-2", "b", "c-2", "hc-1"));
  EXPECT_EQ(config.revive_command, "revive {name}");
  EXPECT_EQ(config.revive_timeout, 7000ms);
}

TEST(ConfigTest, Defaults) {
  const auto config =
      LoadConfig(common::MapEnv({{"REVIVE_COMMAND", "x {name}"}}), "");
  EXPECT_EQ(config.grace_period, 5000ms);
  EXPECT_EQ(config.ping_interval, 1000ms);
  EXPECT_EQ(config.max_retries, 3);
  EXPECT_EQ(config.max_concurrent, 4);
  EXPECT_EQ(config.heartbeat_port, 4444);
  EXPECT_EQ(config.replica_name, "health-checker");
  EXPECT_TRUE(config.watched.empty());
}

TEST(ConfigTest, OneLineErrorsNameTheVariable) {
  auto error = [](std::map<std::string, std::string> vars) -> std::string {
    vars.emplace("REVIVE_COMMAND", "x");
    try {
      LoadConfig(common::MapEnv(vars), "");
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error({{"PING_INTERVAL", "fast"}}),
            "PING_INTERVAL: 'fast' is not a number of seconds in [0, 86400]");
  EXPECT_THAT(error({{"PING_INTERVAL", "0"}}), HasSubstr("PING_INTERVAL"));
  EXPECT_THAT(error({{"GRACE_PERIOD", "-1"}}), HasSubstr("GRACE_PERIOD"));
  EXPECT_THAT(error({{"MAX_RETRIES", "-1"}}), HasSubstr("MAX_RETRIES"));
  EXPECT_THAT(error({{"MAX_CONCURRENT_HEALTH_CHECKS", "0"}}),
              HasSubstr("MAX_CONCURRENT_HEALTH_CHECKS"));
  EXPECT_THAT(error({{"HEARTBEAT_PORT", "70000"}}),
              HasSubstr("HEARTBEAT_PORT"));
  EXPECT_EQ(error({{"OUTPUT_NODES", "a,b"}, {"OUTPUT_NODES_REPLICAS", "1"}}),
            "OUTPUT_NODES_REPLICAS has 1 entries for 2 OUTPUT_NODES");
  EXPECT_EQ(error({{"REPLICA_ID", "3"}, {"REPLICAS", "2"}}),
            "REPLICA_ID 3 exceeds REPLICAS 2");
}

TEST(ConfigTest, ReviveCommandUnderProcessRuntime) {
  const std::map<std::string, std::string> process_env = {
      {"CHANCHO_CONTROL", "chancho-abc"}, {"CHANCHO_RUN_DIR", "/runs/r 1"}};
  auto with = [&](std::map<std::string, std::string> more) {
    more.insert(process_env.begin(), process_env.end());
    return common::MapEnv(more);
  };
  EXPECT_EQ(DefaultReviveCommand(with({{"CHANCHO_BIN", "/opt/c/chancho"}}),
                                 "/nowhere"),
            "/opt/c/chancho ctl start {name} --run '/runs/r 1'");
  // No chancho beside the health-checker: the one on PATH.
  EXPECT_EQ(DefaultReviveCommand(with({}), "/nowhere"),
            "chancho ctl start {name} --run '/runs/r 1'");

  // An executable chancho beside the health-checker wins over PATH.
  std::string dir =
      (std::filesystem::temp_directory_path() / "hc-test-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const auto chancho = std::filesystem::path(dir) / "chancho";
  std::ofstream(chancho) << "#!/bin/sh\n";
  ::chmod(chancho.c_str(), 0755);
  EXPECT_EQ(DefaultReviveCommand(with({}), dir),
            chancho.string() + " ctl start {name} --run '/runs/r 1'");
  std::filesystem::remove_all(dir);

  // REVIVE_COMMAND wins over every default.
  EXPECT_EQ(
      LoadConfig(with({{"REVIVE_COMMAND", "mine {name}"}}), "").revive_command,
      "mine {name}");
}

TEST(ConfigTest, ReviveCommandUnderDocker) {
  EXPECT_EQ(DefaultReviveCommand(
                common::MapEnv({{"CONTAINER_PREFIX", "run42-"}}), ""),
            "docker start run42-{name}");
  try {
    DefaultReviveCommand(common::MapEnv({}), "");
    FAIL() << "no error without a way to revive";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("REVIVE_COMMAND"));
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

TEST(ConfigTest, ShellQuote) {
  EXPECT_EQ(ShellQuote("/usr/bin/chancho"), "/usr/bin/chancho");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote(""), "''");
}

}  // namespace
}  // namespace chancho::healthcheck
