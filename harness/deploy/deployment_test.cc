#include "harness/deploy/deployment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "test_support/tp0_spec.h"

namespace chancho {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

ServiceSpec Service(const std::string& name, int replicas = 1,
                    std::vector<std::string> depends_on = {}) {
  ServiceSpec service;
  service.name = name;
  service.replicas = replicas;
  service.command = {name + "-bin"};
  service.depends_on = std::move(depends_on);
  return service;
}

Spec MakeSpec(std::vector<ServiceSpec> services) {
  Spec spec;
  spec.name = "proj";
  spec.dir = "/specs/proj";
  spec.services = std::move(services);
  return spec;
}

std::vector<std::string> Names(const Deployment& deployment) {
  std::vector<std::string> names;
  for (const auto& r : deployment.replicas) names.push_back(r.name);
  return names;
}

std::string ErrorOf(const Spec& spec) {
  try {
    Plan(spec);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(PlanTest, ReplicaNamesAndIndices) {
  const Deployment d = Plan(MakeSpec({Service("solo"), Service("filter", 3)}));
  EXPECT_EQ(d.project, "proj");
  EXPECT_EQ(d.network, "testing_net");
  EXPECT_EQ(d.spec_dir, "/specs/proj");
  EXPECT_THAT(Names(d),
              ElementsAre("solo", "filter-1", "filter-2", "filter-3"));
  EXPECT_EQ(d.replicas[0].index, 1);
  EXPECT_EQ(d.replicas[0].service, "solo");
  EXPECT_EQ(d.replicas[2].index, 2);
  EXPECT_EQ(d.replicas[2].service, "filter");
}

TEST(PlanTest, CopiesServiceFields) {
  ServiceSpec s = Service("hc");
  s.role = "health-checker";
  s.command = {"hc", "--fast"};
  s.heartbeat_port = 4444;
  s.readiness.kind = Readiness::Kind::kHeartbeat;
  s.readiness.timeout_s = 5;
  ServiceSpec imaged = Service("w");
  imaged.image = "other/w:2";
  const Deployment d = Plan(MakeSpec({s, imaged}));
  const ReplicaPlan& r = d.replicas[0];
  EXPECT_EQ(r.role, "health-checker");
  EXPECT_THAT(r.command, ElementsAre("hc", "--fast"));
  EXPECT_EQ(r.image, "chancho/proj:latest");
  EXPECT_EQ(r.heartbeat_port, 4444);
  EXPECT_EQ(r.readiness.kind, Readiness::Kind::kHeartbeat);
  EXPECT_EQ(r.readiness.timeout_s, 5);
  EXPECT_EQ(d.replicas[1].image, "other/w:2");
  EXPECT_EQ(d.replicas[1].heartbeat_port, 0);
}

TEST(PlanTest, Environment) {
  ServiceSpec s = Service("filter", 2);
  s.environment = {{"CUSTOM", "x"}, {"REPLICA_ID", "overridden"}};
  s.heartbeat_port = 4444;
  s.seed_variables = {{"LOG_LEVEL", "DEBUG"},
                      {"HEARTBEAT_PORT", "4444"},
                      {"MESSAGES_PER_COMMIT", "10"},
                      {"INPUT_ROUTING_KEY", "in"},
                      {"OUTPUT_ROUTING_KEY", "out"},
                      {"LISTEN_BACKLOG", "5"},
                      {"PING_INTERVAL", "0.5"},
                      {"GRACE_PERIOD", "3"},
                      {"MAX_RETRIES", "0"},
                      {"MAX_CONCURRENT_HEALTH_CHECKS", "2"}};
  s.output_nodes = {{"output_nodes", {"join"}},
                    {"q1_output_nodes", {"join", "top"}}};
  s.storage = true;
  s.config_files = {{"cfg.ini", "/cfg.ini", "CONFIG_FILE"}};
  const Deployment d = Plan(MakeSpec({s, Service("join", 3), Service("top")}));
  EXPECT_THAT(
      d.replicas[1].environment,
      ElementsAre(
          Pair("CUSTOM", "x"), Pair("GRACE_PERIOD", "3"),
          Pair("HEARTBEAT_PORT", "4444"), Pair("INPUT_ROUTING_KEY", "in"),
          Pair("LISTEN_BACKLOG", "5"), Pair("LOG_LEVEL", "DEBUG"),
          Pair("MAX_CONCURRENT_HEALTH_CHECKS", "2"), Pair("MAX_RETRIES", "0"),
          Pair("MESSAGES_PER_COMMIT", "10"), Pair("OUTPUT_NODES", "join"),
          Pair("OUTPUT_NODES_REPLICAS", "3"), Pair("OUTPUT_ROUTING_KEY", "out"),
          Pair("PING_INTERVAL", "0.5"), Pair("Q1_OUTPUT_NODES", "join,top"),
          Pair("Q1_OUTPUT_NODES_REPLICAS", "3,1"), Pair("REPLICAS", "2"),
          Pair("REPLICA_ID", "2"), Pair("REPLICA_NAME", "filter-2"),
          Pair("SERVICE_NAME", "filter")));
  // Unset seed keys give no variable.
  EXPECT_THAT(d.replicas[2].environment,
              ElementsAre(Pair("REPLICAS", "3"), Pair("REPLICA_ID", "1"),
                          Pair("REPLICA_NAME", "join-1"),
                          Pair("SERVICE_NAME", "join")));
}

TEST(PlanTest, Mounts) {
  ServiceSpec s = Service("w", 2);
  s.config_files = {{"cfg/./a.ini", "/a.ini", "A_FILE"},
                    {"../shared/b.yaml", "/b.yaml", "B_FILE"},
                    {"/etc/abs.conf", "/abs.conf", "ABS"}};
  s.storage = true;
  const Deployment d = Plan(MakeSpec({s}));
  const auto& mounts = d.replicas[1].mounts;
  ASSERT_EQ(mounts.size(), 4u);
  EXPECT_EQ(mounts[0].host, "/specs/proj/cfg/a.ini");
  EXPECT_EQ(mounts[0].target, "/a.ini");
  EXPECT_EQ(mounts[0].env, "A_FILE");
  EXPECT_FALSE(mounts[0].storage);
  EXPECT_EQ(mounts[1].host, "/specs/shared/b.yaml");
  EXPECT_EQ(mounts[2].host, "/etc/abs.conf");
  EXPECT_EQ(mounts[3].host, "storage/w-2");
  EXPECT_EQ(mounts[3].target, "/storage");
  EXPECT_EQ(mounts[3].env, "STORAGE_DIR");
  EXPECT_TRUE(mounts[3].storage);
  // Mount variables are left to the runtimes.
  EXPECT_FALSE(d.replicas[1].environment.contains("A_FILE"));
  EXPECT_FALSE(d.replicas[1].environment.contains("STORAGE_DIR"));
}

TEST(PlanTest, RelativeSpecDirBecomesAbsolute) {
  ServiceSpec s = Service("w");
  s.config_files = {{"a.ini", "/a.ini", "A"}};
  Spec spec = MakeSpec({s});
  spec.dir = "rel";
  const Deployment d = Plan(spec);
  EXPECT_EQ(d.replicas[0].mounts[0].host,
            std::filesystem::current_path() / "rel/a.ini");
}

TEST(PlanTest, DependsOnNamesReplicas) {
  const Deployment d =
      Plan(MakeSpec({Service("broker"), Service("filter", 2, {"broker"}),
                     Service("sink", 1, {"filter", "broker", "filter"})}));
  EXPECT_THAT(d.Find("broker")->depends_on, IsEmpty());
  EXPECT_THAT(d.Find("filter-2")->depends_on, ElementsAre("broker"));
  EXPECT_THAT(d.Find("sink")->depends_on,
              ElementsAre("filter-1", "filter-2", "broker"));
}

TEST(PlanTest, OrderIsTopologicalAndOtherwiseStable) {
  EXPECT_THAT(Names(Plan(MakeSpec({Service("c"), Service("b"), Service("a")}))),
              ElementsAre("c", "b", "a"));
  EXPECT_THAT(Names(Plan(MakeSpec(
                  {Service("a", 1, {"c"}), Service("b"), Service("c")}))),
              ElementsAre("b", "c", "a"));
  EXPECT_THAT(Names(Plan(MakeSpec({Service("client", 2, {"server"}),
                                   Service("server", 1, {"broker"}),
                                   Service("broker"), Service("other")}))),
              ElementsAre("broker", "server", "client-1", "client-2", "other"));
}

TEST(PlanTest, CycleThrows) {
  EXPECT_EQ(ErrorOf(MakeSpec({Service("a", 1, {"b"}), Service("b", 1, {"a"})})),
            "proj: dependency cycle: a -> b -> a");
  EXPECT_EQ(ErrorOf(MakeSpec({Service("a", 1, {"a"})})),
            "proj: dependency cycle: a -> a");
  EXPECT_EQ(ErrorOf(MakeSpec({Service("x", 1, {"a"}), Service("a", 1, {"b"}),
                              Service("b", 1, {"c"}), Service("c", 1, {"a"}),
                              Service("free")})),
            "proj: dependency cycle: a -> b -> c -> a");
}

TEST(PlanTest, UnknownNamesThrow) {
  EXPECT_EQ(ErrorOf(MakeSpec({Service("a", 1, {"nope"})})),
            "proj: service \"a\" depends on unknown service \"nope\"");
  ServiceSpec s = Service("a");
  s.output_nodes = {{"x_output_nodes", {"nope"}}};
  EXPECT_EQ(ErrorOf(MakeSpec({s})),
            "proj: service \"a\": x_output_nodes names unknown service "
            "\"nope\"");
}

TEST(DeploymentTest, FindAndMatch) {
  const Deployment d = Plan(
      MakeSpec({Service("filter", 2), Service("sink"), Service("filter-1x")}));
  EXPECT_EQ(d.Find("filter-2"), &d.replicas[1]);
  EXPECT_EQ(d.Find("filter"), nullptr);
  EXPECT_THAT(d.Match("filter"), ElementsAre(&d.replicas[0], &d.replicas[1]));
  EXPECT_THAT(d.Match("filter-1"), ElementsAre(&d.replicas[0]));
  EXPECT_THAT(d.Match("sink"), ElementsAre(&d.replicas[2]));
  EXPECT_THAT(d.Match("nope"), IsEmpty());
}

TEST(DeploymentTest, Tp0) {
  const Deployment d = Plan(Tp0Spec(2, "/tp0"));
  EXPECT_THAT(Names(d), ElementsAre("server", "client1", "client2"));
  EXPECT_EQ(d.replicas[0].mounts[0].host, "/tp0/server/config.ini");
  EXPECT_EQ(d.replicas[2].mounts[0].host, "/tp0/client/config.yaml");
  EXPECT_EQ(d.replicas[2].environment.at("CLI_ID"), "2");
  EXPECT_THAT(d.replicas[2].depends_on, ElementsAre("server"));
}

TEST(DeploymentToJsonTest, ExactOutput) {
  ServiceSpec s = Service("w");
  s.role = "server";
  s.command = {"w", "-v"};
  s.storage = true;
  s.readiness.kind = Readiness::Kind::kTcp;
  s.readiness.port = 8080;
  s.config_files = {{"c.ini", "/c.ini", "CFG"}};
  s.revives = true;
  const std::string expected = R"({
  "project": "proj",
  "network": "testing_net",
  "spec_dir": "/specs/proj",
  "spare": [
    "client"
  ],
  "keep_one": [],
  "replicas": [
    {
      "name": "w",
      "service": "w",
      "index": 1,
      "role": "server",
      "command": [
        "w",
        "-v"
      ],
      "image": "chancho/proj:latest",
      "environment": {
        "REPLICAS": "1",
        "REPLICA_ID": "1",
        "REPLICA_NAME": "w",
        "SERVICE_NAME": "w"
      },
      "mounts": [
        {
          "host": "/specs/proj/c.ini",
          "target": "/c.ini",
          "env": "CFG",
          "storage": false
        },
        {
          "host": "storage/w",
          "target": "/storage",
          "env": "STORAGE_DIR",
          "storage": true
        }
      ],
      "depends_on": [],
      "readiness": {
        "kind": "tcp",
        "port": 8080,
        "pattern": "",
        "timeout_s": 10.0
      },
      "heartbeat_port": 0,
      "revives_others": true
    }
  ]
}
)";
  EXPECT_EQ(DeploymentToJson(Plan(MakeSpec({s}))), expected);
}

TEST(DeploymentToJsonTest, ValidAndDeterministic) {
  const Deployment d = Plan(Tp0Spec(3, "/tp0"));
  const std::string json = DeploymentToJson(d);
  EXPECT_EQ(json, DeploymentToJson(Plan(Tp0Spec(3, "/tp0"))));
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError());
  ASSERT_EQ(doc["replicas"].Size(), 4u);
  EXPECT_STREQ(doc["replicas"][0]["readiness"]["kind"].GetString(), "log");
  EXPECT_STREQ(doc["replicas"][0]["readiness"]["pattern"].GetString(),
               d.replicas[0].readiness.pattern.c_str());
  EXPECT_STREQ(doc["replicas"][3]["environment"]["CLI_ID"].GetString(), "3");
}

}  // namespace
}  // namespace chancho
