// Scenario files: parsing with JSON-pointer errors, the spec overrides, and
// plans that depend only on the seed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include <unistd.h>

#include "common/error.h"
#include "harness/faults/fake_target.h"
#include "harness/faults/scenario.h"

namespace chancho {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;

std::string ErrorOf(const std::string& text) {
  try {
    ParseScenario(text, "/s/x.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

std::vector<ReplicaStatus> Replicas() {
  std::vector<ReplicaStatus> out;
  for (auto [name, role] : std::vector<std::pair<std::string, std::string>>{
           {"rabbitmq", "broker"}, {"client-handler", "client-handler"},
           {"client-1", "client"}, {"join-1", "worker"}, {"join-2", "worker"},
           {"filter-1", "worker"}, {"master", "master"},
           {"health-checker-1", "health-checker"},
           {"health-checker-2", "health-checker"}}) {
    ReplicaStatus s;
    s.name = name;
    s.role = role;
    s.service = name;
    out.push_back(s);
  }
  return out;
}

TEST(ScenarioTest, ParsesEveryField) {
  const Scenario s = ParseScenario(R"({
    "name": "n", "spec": "../spec.json", "runtime": "docker", "replicas": 2,
    "environment": {"client": {"DATA_DIR": "{cache}/d", "N": 3}},
    "setup": [{"command": ["gen", "--out", "{cache}/d"], "creates": "{cache}/d"}],
    "clients": ["client-1"], "known_good": "kg",
    "faults": {"seed": 9,
               "events": [{"at": 1.5, "action": "pause", "target": "prefix:join"}],
               "auto": {"every": 2, "kill": 3, "from": 0.5, "until": 10},
               "bomb": [4]},
    "timeouts": {"clients": 30}})", "/s/x.json");
  EXPECT_EQ(s.name, "n");
  EXPECT_EQ(s.spec, std::filesystem::path("/s/../spec.json"));
  EXPECT_EQ(s.runtime, "docker");
  EXPECT_EQ(s.replicas, 2);
  EXPECT_EQ(s.environment.at("client").at("N"), "3");
  EXPECT_EQ(ExpandPlaceholders(s.environment.at("client").at("DATA_DIR"), s),
            (std::filesystem::current_path() / ".chancho/cache/d").string());
  EXPECT_EQ(s.setup.at(0).command.size(), 3u);
  // The caller may name the directory {cache} stands for.
  const Scenario elsewhere = ParseScenario(
      R"({"spec": "x", "known_good": "{cache}/kg"})", "/s/x.json", "/tmp/c");
  EXPECT_EQ(elsewhere.known_good, std::filesystem::path("/tmp/c/kg"));
  EXPECT_EQ(s.known_good, std::filesystem::path("/s/kg"));
  EXPECT_EQ(s.seed, 9u);
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].at, milliseconds(1500));
  EXPECT_EQ(s.events[0].kind, FaultKind::kPause);
  EXPECT_EQ(s.events[0].target.kind, Selector::Kind::kPrefix);
  ASSERT_TRUE(s.auto_kill);
  EXPECT_EQ(s.auto_kill->every, milliseconds(2000));
  EXPECT_EQ(s.auto_kill->count, 3);
  EXPECT_EQ(s.auto_kill->start, milliseconds(500));
  EXPECT_EQ(s.bombs, (std::vector<Scenario::Bomb>{{milliseconds(4000), std::nullopt}}));
  EXPECT_EQ(s.clients_timeout, milliseconds(30000));
}

TEST(ScenarioTest, ErrorsNameTheFileAndThePointer) {
  EXPECT_EQ(ErrorOf("{"), ErrorOf("{"));  // stable
  EXPECT_THAT(ErrorOf("{"), HasSubstr("/s/x.json: invalid JSON"));
  EXPECT_THAT(ErrorOf("{}"), HasSubstr("spec"));
  EXPECT_THAT(ErrorOf(R"({"spec": "a", "runtime": "vm"})"), HasSubstr("/runtime"));
  EXPECT_THAT(
      ErrorOf(R"({"spec": "a", "faults": {"events": [{"at": 1, "target": "regex:("}]}})"),
      HasSubstr("/faults/events/0/target"));
  EXPECT_THAT(
      ErrorOf(R"({"spec": "a", "faults": {"events": [{"at": -1, "target": "x"}]}})"),
      HasSubstr("/faults/events/0/at"));
  EXPECT_THAT(ErrorOf(R"({"spec": "a", "faults": {"auto": {"every": 0, "kill": 1}}})"),
              HasSubstr("/faults/auto/every"));
  EXPECT_THAT(ErrorOf(R"({"spec": "a", "setup": [{"command": []}]})"),
              HasSubstr("/setup/0/command"));
}

// "compose" instead of "spec": a compose file of the user's, on Docker,
// with what only a spec can give refused by name.
TEST(ScenarioTest, AComposeFileInsteadOfASpec) {
  EXPECT_EQ(ErrorOf(R"({"spec": "a", "compose": "b"})"),
            "/s/x.json: needs \"spec\" (a compose-spec.json) or \"compose\" "
            "(a docker-compose file of your own), one of the two");
  EXPECT_EQ(ErrorOf(R"({"compose": "b"})"),
            "/s/x.json: /runtime: \"compose\" runs on \"docker\"");
  EXPECT_EQ(ErrorOf(R"({"compose": "b", "runtime": "docker",
                       "environment": {"web": {"A": "1"}}})"),
            "/s/x.json: /environment: the services of a compose file take "
            "their environment from the file");

  const auto dir = std::filesystem::temp_directory_path() /
                   ("chancho-scenario-compose-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "docker-compose.yaml")
      << "services:\n  db:\n    image: db:1\n    container_name: the-db\n"
         "  client:\n    image: c:1\n    depends_on: [db]\n";
  const Scenario s = ParseScenario(
      R"({"compose": "docker-compose.yaml", "runtime": "docker"})",
      dir / "s.json");
  EXPECT_EQ(s.compose, dir / "docker-compose.yaml");
  const Spec spec = ScenarioSpec(s);
  const Deployment d = ScenarioDeployment(s, spec);
  EXPECT_EQ(d.compose_file, dir / "docker-compose.yaml");
  ASSERT_EQ(d.replicas.size(), 2u);
  EXPECT_EQ(d.replicas[0].name, "db");
  EXPECT_EQ(d.replicas[0].container_name, "the-db");
  EXPECT_EQ(d.replicas[1].role, "client");
  EXPECT_EQ(d.replicas[1].container_name, "");
  std::filesystem::remove_all(dir);
}

TEST(ScenarioTest, TheSameSeedGivesTheSamePlan) {
  const Scenario s = ParseScenario(R"({"spec": "x",
    "faults": {"events": [{"at": 0.1, "target": "random:1"},
                          {"at": 0.2, "target": "rabbitmq"}],
               "auto": {"every": 1, "kill": 2, "until": 5}, "bomb": [2.5]}})",
                                   "/s/x.json");
  const auto a = BuildPlan(s, Replicas(), 42, fake::MoviesExclusions());
  EXPECT_EQ(a, BuildPlan(s, Replicas(), 42, fake::MoviesExclusions()));
  EXPECT_NE(a, BuildPlan(s, Replicas(), 43, fake::MoviesExclusions()));
  ASSERT_EQ(a.size(), 2u + 5u + 1u);
  for (std::size_t i = 1; i < a.size(); ++i) EXPECT_LE(a[i - 1].at, a[i].at);
  // An exact name may target the broker; random choices spare it.
  const auto named = std::find_if(a.begin(), a.end(), [](const FaultEvent& e) {
    return e.origin == "event" && e.at == milliseconds(200);
  });
  ASSERT_NE(named, a.end());
  EXPECT_EQ(named->targets, std::vector<std::string>{"rabbitmq"});
  for (const auto& e : a) {
    if (e.origin == "event") continue;
    for (const auto& t : e.targets) {
      EXPECT_NE(t, "rabbitmq");
      EXPECT_NE(t, "client-1");
      EXPECT_NE(t, "client-handler");
      EXPECT_NE(t, "health-checker-1");
    }
  }
  const auto bomb = std::find_if(a.begin(), a.end(),
                                 [](const FaultEvent& e) { return e.origin == "bomb"; });
  ASSERT_NE(bomb, a.end());
  EXPECT_EQ(bomb->at, milliseconds(2500));
  EXPECT_EQ(bomb->targets,
            (std::vector<std::string>{"filter-1", "health-checker-2", "join-1",
                                      "join-2", "master"}));
}

TEST(ScenarioTest, EventsLoopsAndBombsArePlacedByTriggers) {
  const Scenario s = ParseScenario(R"({"spec": "x", "timeouts": {"clients": 20},
    "faults": {"events": [
      {"on": {"progress": "client-1", "file": "ratings.csv", "fraction": 0.3,
              "after": 0.25}, "action": "kill", "target": "join-1"},
      {"on": {"fault": 0, "when": "revived"}, "action": "kill", "target": "join-2"}],
     "auto": {"every": 2, "kill": 1,
              "from": {"log": "action: upload", "replica": "client-1"},
              "until": {"exited": "client-1"}},
     "bomb": [{"log": "credits", "replica": "client-1", "after": 1}, 3]}})",
                                   "/s/x.json");
  ASSERT_EQ(s.events.size(), 2u);
  ASSERT_TRUE(s.events[0].on);
  EXPECT_EQ(s.events[0].at, milliseconds(250));
  EXPECT_EQ(Describe(*s.events[0].on), "progress client-1 ratings.csv 30%");
  EXPECT_EQ(s.events[1].on->fault, "events/0");
  // A loop ended by a trigger is bounded by the clients' timeout.
  EXPECT_EQ(s.auto_kill->until, milliseconds(20000));
  ASSERT_TRUE(s.auto_kill->start_on && s.auto_kill->until_on);
  EXPECT_EQ(s.bombs[0].at, milliseconds(1000));
  EXPECT_TRUE(s.bombs[0].on);
  EXPECT_FALSE(s.bombs[1].on);

  const auto plan = BuildPlan(s, Replicas(), 5, fake::MoviesExclusions());
  EXPECT_EQ(plan, BuildPlan(s, Replicas(), 5, fake::MoviesExclusions()));
  ASSERT_EQ(plan.size(), 2u + 10u + 2u);
  const auto find = [&](const std::string& id) {
    const auto it = std::find_if(plan.begin(), plan.end(),
                                 [&](const FaultEvent& e) { return e.id == id; });
    EXPECT_NE(it, plan.end()) << id;
    return *it;
  };
  EXPECT_EQ(find("events/0").trigger, s.events[0].on);
  EXPECT_EQ(find("events/1").trigger->fault, "events/0");
  EXPECT_EQ(find("auto/0").at, milliseconds(0));
  EXPECT_EQ(find("auto/9").at, milliseconds(18000));
  EXPECT_EQ(find("auto/9").trigger, s.auto_kill->start_on);
  EXPECT_EQ(find("auto/9").until, s.auto_kill->until_on);
  EXPECT_EQ(find("bomb/0").trigger, s.bombs[0].on);
  EXPECT_FALSE(find("bomb/1").trigger);
}

TEST(ScenarioTest, TriggersThatCannotFireAreErrorsBeforeTheRun) {
  EXPECT_THAT(ErrorOf(R"({"spec": "a", "faults": {"events": [
                 {"at": 1, "on": {"exited": "x"}, "target": "x"}]}})"),
              HasSubstr("/faults/events/0: an event needs one of \"at\""));
  EXPECT_THAT(ErrorOf(R"({"spec": "a", "faults": {"events": [
                 {"on": {"exited": "x", "after": -1}, "target": "x"}]}})"),
              HasSubstr("/faults/events/0/on/after"));
  EXPECT_THAT(ErrorOf(R"({"spec": "a", "faults": {"auto": {"every": 1, "kill": 1,
                 "until": {"exited": "x", "after": 1}}}})"),
              HasSubstr("/faults/auto/until/after"));
  const auto plan_error = [](const std::string& faults) {
    try {
      BuildPlan(ParseScenario(R"({"spec": "x", "faults": )" + faults + "}", "/s/x.json"),
                Replicas(), 1, fake::MoviesExclusions());
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(plan_error(R"({"events": [{"on": {"progress": "client-9", "count": 1},
                            "target": "join-1"}]})"),
              HasSubstr("event events/0: trigger progress client-9 1 done: target "
                        "'client-9' selects no replica"));
  EXPECT_THAT(plan_error(R"({"events": [{"on": {"fault": 0}, "target": "join-1"}]})"),
              HasSubstr("event events/0: trigger fault events/0 revived names no "
                        "other event of the plan"));
  EXPECT_THAT(plan_error(R"({"bomb": [{"fault": 3}]})"),
              HasSubstr("event bomb/0: trigger fault events/3 revived"));
}

TEST(ScenarioTest, NetworkActionsBecomeLinkFaultsOnProxiedLinks) {
  const Scenario s = ParseScenario(R"({
    "spec": "spec.json", "network": {"upstream": "rabbitmq", "port": 5672},
    "faults": {"events": [
      {"at": 1, "action": "partition", "target": "filter-1", "duration": 5},
      {"at": 2, "action": "delay", "target": "join-1", "delay_ms": 200,
       "jitter_ms": 20, "direction": "up"},
      {"at": 3, "action": "heal", "target": "join-1"},
      {"at": 4, "action": "kill", "target": "join-2"}]}})",
                                   "/s/x.json");
  ASSERT_EQ(s.events.size(), 4u);
  EXPECT_EQ(s.events[0].kind, FaultKind::kLink);
  EXPECT_EQ(FormatLinkFault(s.events[0].link), "partition for=5000");
  EXPECT_EQ(FormatLinkFault(s.events[1].link),
            "delay delay=200 jitter=20 direction=up");
  EXPECT_EQ(FormatLinkFault(s.events[2].link), "none");
  const auto plan = BuildPlan(s, Replicas(), 1, fake::MoviesExclusions());
  // One proxied link per replica that a network fault targets, no more.
  EXPECT_EQ(PlanLinks(s, plan),
            (std::vector<ProxiedLink>{{"filter-1", "rabbitmq", 5672},
                                      {"join-1", "rabbitmq", 5672}}));
  EXPECT_EQ(plan[0].link, s.events[0].link);
}

TEST(ScenarioTest, NetworkActionsNeedTheirUpstreamAndSaneFields) {
  EXPECT_THAT(ErrorOf(R"({"spec": "s", "faults": {"events": [
                 {"at": 1, "action": "partition", "target": "filter-1"}]}})"),
              HasSubstr("/network: network actions need"));
  EXPECT_THAT(ErrorOf(R"({"spec": "s", "network": {"upstream": "b", "port": 1},
                 "faults": {"events": [{"at": 1, "action": "bandwidth",
                 "target": "filter-1"}]}})"),
              HasSubstr("bandwidth needs rate="));
  EXPECT_THAT(ErrorOf(R"({"spec": "s", "network": {"upstream": "b", "port": 70000}})"),
              HasSubstr("/network/port: port above 65535"));
  EXPECT_THAT(ErrorOf(R"({"spec": "s", "network": {"upstream": "b", "port": 1},
                 "faults": {"events": [{"at": 1, "action": "delay", "delay_ms": 5,
                 "direction": "sideways", "target": "filter-1"}]}})"),
              HasSubstr("unknown direction"));
  EXPECT_THAT(ErrorOf(R"({"spec": "s", "faults": {"events": [
                 {"at": 1, "action": "jam", "target": "filter-1"}]}})"),
              HasSubstr("slow_close, timeout, slicer, limit_data or link"));
  const std::string net = R"({"spec": "s", "network": {"upstream": "b", "port": 1},
                 "faults": {"events": [)";
  EXPECT_THAT(ErrorOf(net + R"({"at": 1, "action": "link", "target": "f-1"}]}})"),
              HasSubstr("the action \"link\" needs \"fault\""));
  EXPECT_THAT(ErrorOf(net + R"({"at": 1, "action": "kill", "target": "f-1",
                 "fault": "partition"}]}})"),
              HasSubstr("/faults/events/0/fault: \"fault\" goes with the action"));
  EXPECT_THAT(ErrorOf(net + R"({"at": 1, "action": "link", "target": "f-1",
                 "fault": "delay delay=5", "jitter_ms": 3}]}})"),
              HasSubstr("/faults/events/0/jitter_ms: the action \"link\" takes"));
  EXPECT_THAT(ErrorOf(net + R"({"at": 1, "action": "link", "target": "f-1",
                 "fault": "delay"}]}})"),
              HasSubstr("/faults/events/0/fault: link fault: delay needs delay="));
  EXPECT_THAT(ErrorOf(net + R"({"at": 1, "action": "partition", "target": "f-1",
                 "upstream": "elsewhere"}]}})"),
              HasSubstr("/faults/events/0/upstream: \"elsewhere\" is not an upstream"));
  EXPECT_THAT(ErrorOf(net + R"({"at": 1, "action": "slicer", "target": "f-1",
                 "toxicity": 1.5, "size": 4}]}})"),
              HasSubstr("a number from 0 to 1"));
  EXPECT_THAT(ErrorOf(R"({"spec": "s", "network": []})"), HasSubstr("lists no upstream"));
  EXPECT_THAT(ErrorOf(R"({"spec": "s", "network": [{"upstream": "b", "port": 1},
                 {"upstream": "b", "port": 1}]})"),
              HasSubstr("/network/1: lists b:1 twice"));
}

// Toxics by name and fields, stacks by "link", and several upstreams, each
// event on the links it names.
TEST(ScenarioTest, ToxicsAndSeveralUpstreams) {
  const Scenario s = ParseScenario(R"({
    "spec": "spec.json",
    "network": [{"upstream": "rabbitmq", "port": 5672}, {"upstream": "db", "port": 5432}],
    "faults": {"events": [
      {"at": 1, "action": "slicer", "target": "filter-1", "size": 64,
       "variation": 8, "delay_us": 300, "toxicity": 0.5, "upstream": "db"},
      {"at": 2, "action": "slow_close", "target": "join-1", "delay_ms": 250},
      {"at": 3, "action": "timeout", "target": "join-1", "timeout_ms": 100,
       "direction": "down", "upstream": "rabbitmq"},
      {"at": 4, "action": "limit_data", "target": "join-1", "bytes": 10},
      {"at": 5, "action": "latency", "target": "join-1", "delay_ms": 7},
      {"at": 6, "action": "link", "target": "filter-1", "upstream": "db",
       "fault": "delay delay=100 + limit_data bytes=4096 direction=up"}]}})",
                                   "/s/x.json");
  ASSERT_EQ(s.events.size(), 6u);
  EXPECT_EQ(FormatLinkFault(s.events[0].link),
            "slicer size=64 variation=8 delay=300us toxicity=0.5 upstream=db");
  EXPECT_EQ(FormatLinkFault(s.events[1].link), "slow_close delay=250");
  EXPECT_EQ(FormatLinkFault(s.events[2].link),
            "timeout timeout=100 direction=down upstream=rabbitmq");
  EXPECT_EQ(FormatLinkFault(s.events[3].link), "limit_data bytes=10");
  EXPECT_EQ(FormatLinkFault(s.events[4].link), "delay delay=7");
  EXPECT_EQ(FormatLinkFault(s.events[5].link),
            "delay delay=100 direction=up upstream=db + limit_data bytes=4096");
  const auto plan = BuildPlan(s, Replicas(), 1, fake::MoviesExclusions());
  // filter-1's faults name db alone; join-1's name no upstream or rabbitmq.
  EXPECT_EQ(PlanLinks(s, plan),
            (std::vector<ProxiedLink>{{"filter-1", "db", 5432},
                                      {"join-1", "rabbitmq", 5672},
                                      {"join-1", "db", 5432}}));
}

TEST(ScenarioTest, AnOverrideOfAMountedVariableMovesTheMount) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("chancho-scenario-spec-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "spec.json") << R"({"name": "p", "services": [
      {"name": "client", "role": "client", "command": ["c"],
       "config_files": [{"source": "data", "target": "/data", "env": "DATA_DIR"}]}]})";
  const Scenario s = ParseScenario(
      R"({"spec": "spec.json",
          "environment": {"client": {"DATA_DIR": "/elsewhere", "N": "3"}}})",
      dir / "x.json");
  const Spec spec = ScenarioSpec(s);
  std::filesystem::remove_all(dir);
  const ServiceSpec& client = spec.services.at(0);
  // The host path changes; the variable still names where the files are
  // seen (the host path locally, /data in a container).
  ASSERT_EQ(client.config_files.size(), 1u);
  EXPECT_EQ(client.config_files[0].source, "/elsewhere");
  EXPECT_EQ(client.config_files[0].target, "/data");
  EXPECT_EQ(client.environment.count("DATA_DIR"), 0u);
  EXPECT_EQ(client.environment.at("N"), "3");
}

}  // namespace
TEST(ScenarioPlanTest, TheSpecSaysWhatFaultsSpareAndAScenarioMayOverride) {
  Deployment deployment;
  deployment.spare_roles = {"broker", "client"};
  deployment.keep_one_roles = {"health-checker"};
  Scenario s = ParseScenario(R"({"spec": "x"})", "/s/x.json");
  Exclusions ex = ScenarioExclusions(s, deployment);
  EXPECT_EQ(ex.roles, (std::set<std::string>{"broker", "client"}));
  EXPECT_EQ(ex.keep_one, (std::set<std::string>{"health-checker"}));
  EXPECT_THAT(Eligible(Replicas(), ex),
              ::testing::ElementsAre("client-handler", "filter-1", "health-checker-2",
                          "join-1", "join-2", "master"));
  s = ParseScenario(R"({"spec": "x", "spare": ["worker"]})", "/s/x.json");
  ex = ScenarioExclusions(s, deployment);
  EXPECT_EQ(ex.roles, (std::set<std::string>{"worker"}));
  EXPECT_THAT(Eligible(Replicas(), ex),
              ::testing::ElementsAre("client-1", "client-handler", "health-checker-2",
                          "master", "rabbitmq"));
  EXPECT_THROW(ParseScenario(R"({"spec": "x", "spare": "worker"})", "/s/x.json"),
               Error);
}

}  // namespace chancho
