#include "harness/spec/spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "harness/spec/spec_test_util.h"

namespace chancho {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using testing_util::Parse;
using testing_util::Services;
using testing_util::Svc;

TEST(ParseSpecTest, FullSpec) {
  const Spec spec = Parse(R"({
    "name": "movies",
    "services": [
      {"name": "rabbit", "role": "broker", "command": "rabbitmq-server",
       "readiness": {"tcp": 5672, "timeout": 30}},
      {"name": "filter", "replicas": 3, "command": ["filter", "--fast", ""],
       "image": "chancho/filter:1", "log_level": "DEBUG",
       "heartbeat_port": 4444, "storage": true, "messages_per_commit": 50,
       "output_nodes": "join", "q1_output_nodes": ["join", "rabbit"],
       "input_routing_key": "in", "output_routing_key": "out",
       "listen_backlog": 5, "ping_interval": 0.5, "grace_period": 3,
       "max_retries": 0, "max_concurrent_health_checks": 2,
       "environment": {"A": "x", "N": 3, "F": 0.25, "B": false},
       "config_files": [{"source": "cfg/f.ini", "target": "/f.ini",
                         "env": "FILTER_CONFIG"}],
       "depends_on": ["rabbit"],
       "readiness": {"heartbeat": true}},
      {"name": "join", "role": "master", "command": ["join"],
       "readiness": {"log": "action: ready \\| result: success"}}
    ]
  })");
  EXPECT_EQ(spec.name, "movies");
  EXPECT_EQ(spec.dir, "/p");
  EXPECT_THAT(spec.warnings, IsEmpty());
  ASSERT_EQ(spec.services.size(), 3u);

  const ServiceSpec& rabbit = spec.services[0];
  EXPECT_EQ(rabbit.role, "broker");
  EXPECT_THAT(rabbit.command, ElementsAre("rabbitmq-server"));
  EXPECT_EQ(rabbit.readiness.kind, Readiness::Kind::kTcp);
  EXPECT_EQ(rabbit.readiness.port, 5672);
  EXPECT_EQ(rabbit.readiness.timeout_s, 30.0);

  const ServiceSpec& f = spec.services[1];
  EXPECT_EQ(f.name, "filter");
  EXPECT_EQ(f.replicas, 3);
  EXPECT_EQ(f.role, "worker");
  EXPECT_THAT(f.command, ElementsAre("filter", "--fast", ""));
  EXPECT_EQ(f.image, "chancho/filter:1");
  EXPECT_EQ(f.heartbeat_port, 4444);
  EXPECT_TRUE(f.storage);
  EXPECT_THAT(
      f.output_nodes,
      ElementsAre(Pair("output_nodes", ElementsAre("join")),
                  Pair("q1_output_nodes", ElementsAre("join", "rabbit"))));
  EXPECT_THAT(f.seed_variables,
              ElementsAre(Pair("GRACE_PERIOD", "3"), Pair("HEARTBEAT_PORT", "4444"),
                          Pair("INPUT_ROUTING_KEY", "in"),
                          Pair("LISTEN_BACKLOG", "5"), Pair("LOG_LEVEL", "DEBUG"),
                          Pair("MAX_CONCURRENT_HEALTH_CHECKS", "2"),
                          Pair("MAX_RETRIES", "0"),
                          Pair("MESSAGES_PER_COMMIT", "50"),
                          Pair("OUTPUT_ROUTING_KEY", "out"),
                          Pair("PING_INTERVAL", "0.5")));
  EXPECT_THAT(f.environment, ElementsAre(Pair("A", "x"), Pair("B", "false"),
                                         Pair("F", "0.25"), Pair("N", "3")));
  ASSERT_EQ(f.config_files.size(), 1u);
  EXPECT_EQ(f.config_files[0].source, "cfg/f.ini");
  EXPECT_EQ(f.config_files[0].target, "/f.ini");
  EXPECT_EQ(f.config_files[0].env, "FILTER_CONFIG");
  EXPECT_THAT(f.depends_on, ElementsAre("rabbit"));
  EXPECT_EQ(f.readiness.kind, Readiness::Kind::kHeartbeat);
  EXPECT_EQ(f.readiness.timeout_s, 10.0);

  const ServiceSpec& join = spec.services[2];
  EXPECT_EQ(join.readiness.kind, Readiness::Kind::kLogLine);
  EXPECT_EQ(join.readiness.pattern, "action: ready \\| result: success");

  EXPECT_EQ(spec.Find("join"), &spec.services[2]);
  EXPECT_EQ(spec.Find("nope"), nullptr);
}

TEST(ParseSpecTest, ReadinessStrategies) {
  const Spec spec = Parse(Services(
      {Svc("h", R"("readiness": {"http": 8080, "path": "/health",
                                 "status": 204, "timeout": 5})"),
       Svc("e", R"("readiness": {"exec": ["pg_isready", "-q"]})"),
       Svc("l", R"("readiness": {"log": "ready", "count": 3})"),
       Svc("a", R"("readiness": {"all": [{"tcp": 1, "timeout": 4},
                                         {"log": "x", "timeout": 7}]})")}));
  const Readiness& http = spec.services[0].readiness;
  EXPECT_EQ(http.kind, Readiness::Kind::kHttp);
  EXPECT_EQ(http.port, 8080);
  EXPECT_EQ(http.path, "/health");
  EXPECT_EQ(http.status, 204);
  EXPECT_EQ(http.timeout_s, 5.0);
  const Readiness& exec = spec.services[1].readiness;
  EXPECT_EQ(exec.kind, Readiness::Kind::kExec);
  EXPECT_THAT(exec.command, ElementsAre("pg_isready", "-q"));
  EXPECT_EQ(spec.services[2].readiness.count, 3);
  const Readiness& all = spec.services[3].readiness;
  EXPECT_EQ(all.kind, Readiness::Kind::kAll);
  ASSERT_EQ(all.all.size(), 2u);
  EXPECT_EQ(all.all[0].kind, Readiness::Kind::kTcp);
  EXPECT_EQ(all.all[1].timeout_s, 7.0);
  // All of several waits as long as its slowest part.
  EXPECT_EQ(all.timeout_s, 7.0);
}

TEST(ParseSpecTest, Defaults) {
  const Spec spec = Parse(Services({Svc("w")}));
  ASSERT_EQ(spec.services.size(), 1u);
  const ServiceSpec& w = spec.services[0];
  EXPECT_EQ(w.replicas, 1);
  EXPECT_EQ(w.role, "worker");
  EXPECT_EQ(w.image, "");
  EXPECT_FALSE(w.storage);
  EXPECT_FALSE(w.heartbeat_port);
  EXPECT_THAT(w.seed_variables, IsEmpty());
  EXPECT_THAT(w.environment, IsEmpty());
  EXPECT_THAT(w.config_files, IsEmpty());
  EXPECT_THAT(w.depends_on, IsEmpty());
  EXPECT_THAT(w.output_nodes, IsEmpty());
  EXPECT_EQ(w.readiness.kind, Readiness::Kind::kNone);
  EXPECT_EQ(w.readiness.timeout_s, 10.0);
}

TEST(ParseSpecTest, ReadinessNoneString) {
  const Spec spec = Parse(Services({Svc("w", R"("readiness": "none")")}));
  EXPECT_EQ(spec.services[0].readiness.kind, Readiness::Kind::kNone);
}

TEST(ParseSpecTest, UnknownKeysAreWarnings) {
  const Spec spec = Parse(R"({"name": "p", "version": 2, "services": [
      {"name": "a", "command": "a"},
      {"name": "b", "command": "b"},
      {"name": "c", "command": "c", "colour": "red",
       "readiness": {"tcp": 1, "retry": 2},
       "config_files": [{"source": "s", "target": "/t", "env": "E",
                         "mode": "ro"}]}]})");
  EXPECT_THAT(
      spec.warnings,
      ElementsAre(
          "compose-spec.json: /version: unknown key \"version\" ignored",
          "compose-spec.json: /services/2/colour: unknown key \"colour\" "
          "ignored",
          "compose-spec.json: /services/2/readiness/retry: unknown key "
          "\"retry\" ignored",
          "compose-spec.json: /services/2/config_files/0/mode: unknown key "
          "\"mode\" ignored"));
}

class LoadSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/spec_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

TEST_F(LoadSpecTest, ReadsFileAndUsesItsDirectory) {
  const auto path = dir_ / "sub" / "compose-spec.json";
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << Services({Svc("a", R"("colour": 1)")});
  const Spec spec = LoadSpec(dir_ / "sub" / ".." / "sub" / "compose-spec.json");
  EXPECT_EQ(spec.dir, dir_ / "sub");
  EXPECT_THAT(spec.warnings,
              ElementsAre((dir_ / "sub/../sub/compose-spec.json").string() +
                          ": /services/0/colour: unknown key \"colour\" "
                          "ignored"));
}

TEST_F(LoadSpecTest, RelativePathGetsAbsoluteDir) {
  std::ofstream(dir_ / "s.json") << Services({Svc("a")});
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir_);
  const Spec spec = LoadSpec("s.json");
  std::filesystem::current_path(cwd);
  EXPECT_EQ(spec.dir, dir_);
}

TEST_F(LoadSpecTest, ErrorsNameThePathAsGiven) {
  const auto missing = dir_ / "missing.json";
  try {
    LoadSpec(missing);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              missing.string() + ": cannot read: No such file or directory");
  }
  try {
    LoadSpec(dir_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              dir_.string() + ": cannot read: Is a directory");
  }
  std::ofstream(dir_ / "bad.json") << R"({"name": "p", "services": [1]})";
  try {
    LoadSpec(dir_ / "bad.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir_ / "bad.json").string() +
                  ": /services/0: expected an object, got 1");
  }
}

}  // namespace
}  // namespace chancho
