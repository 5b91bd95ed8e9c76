#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "harness/spec/spec.h"
#include "harness/spec/spec_test_util.h"

namespace chancho {
namespace {

using testing_util::ErrorOf;
using testing_util::Parse;
using testing_util::Services;
using testing_util::Svc;

TEST(ParseSpecErrorTest, InvalidJson) {
  EXPECT_EQ(ErrorOf(R"({"name": "p",})"),
            "compose-spec.json: invalid JSON at offset 13: Missing a name for "
            "object member.");
  EXPECT_EQ(ErrorOf(""),
            "compose-spec.json: invalid JSON at offset 0: The document is "
            "empty.");
}

TEST(ParseSpecErrorTest, DeepNestingIsRefusedOnOneLine) {
  EXPECT_EQ(ErrorOf(std::string(100000, '[')),
            "compose-spec.json: offset 128: nesting too deep (more than 128 "
            "levels)");
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += R"({"services": )";
  EXPECT_EQ(ErrorOf(objects),
            "compose-spec.json: offset 1664: nesting too deep (more than 128 "
            "levels)");
}

TEST(ParseSpecErrorTest, TopLevel) {
  EXPECT_EQ(ErrorOf("[]"), "compose-spec.json: expected an object, got []");
  EXPECT_EQ(ErrorOf(R"({"services": [{"name": "a", "command": "a"}]})"),
            "compose-spec.json: missing required key \"name\"");
  EXPECT_EQ(ErrorOf(R"({"name": "p"})"),
            "compose-spec.json: missing required key \"services\"");
  EXPECT_EQ(ErrorOf(R"({"name": "", "services": []})"),
            "compose-spec.json: /name: expected a non-empty string, got \"\"");
  EXPECT_EQ(ErrorOf(R"({"name": "p", "services": []})"),
            "compose-spec.json: /services: expected a non-empty array of "
            "services, got []");
  EXPECT_EQ(ErrorOf(R"({"name": "p", "services": {"a": 1}})"),
            "compose-spec.json: /services: expected a non-empty array of "
            "services, got {\"a\":1}");
  EXPECT_EQ(ErrorOf(R"({"name": "p", "name": "q", "services": []})"),
            "compose-spec.json: /name: duplicate key \"name\"");
}

TEST(ParseSpecErrorTest, ServiceShape) {
  EXPECT_EQ(ErrorOf(Services({"3"})),
            "compose-spec.json: /services/0: expected an object, got 3");
  EXPECT_EQ(ErrorOf(Services({R"({"name": "a"})"})),
            "compose-spec.json: /services/0: missing required key \"command\"");
  EXPECT_EQ(ErrorOf(Services({R"({"command": "a"})"})),
            "compose-spec.json: /services/0: missing required key \"name\"");
  EXPECT_EQ(ErrorOf(Services({Svc("a b")})),
            "compose-spec.json: /services/0/name: expected a non-empty name of "
            "letters, digits, '_', '.' and '-', got \"a b\"");
  EXPECT_EQ(ErrorOf(Services({Svc("")})),
            "compose-spec.json: /services/0/name: expected a non-empty name of "
            "letters, digits, '_', '.' and '-', got \"\"");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("replicas": 1, "replicas": 2)")})),
            "compose-spec.json: /services/0/replicas: duplicate key "
            "\"replicas\"");
}

TEST(ParseSpecErrorTest, SeedKeys) {
  EXPECT_EQ(ErrorOf(Services({Svc("a"), Svc("b"), Svc("c"),
                              Svc("d", R"("replicas": "three")")})),
            "compose-spec.json: /services/3/replicas: expected a positive "
            "integer, got \"three\"");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("replicas": 0)")})),
            "compose-spec.json: /services/0/replicas: expected a positive "
            "integer, got 0");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("replicas": 2.0)")})),
            "compose-spec.json: /services/0/replicas: expected a positive "
            "integer, got 2.0");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("log_level": 3)")})),
            "compose-spec.json: /services/0/log_level: expected a string, got "
            "3");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("heartbeat_port": 70000)")})),
            "compose-spec.json: /services/0/heartbeat_port: expected a port "
            "number (1..65535), got 70000");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("storage": 1)")})),
            "compose-spec.json: /services/0/storage: expected true, false or "
            "a directory path, got 1");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("storage": "")")})),
            "compose-spec.json: /services/0/storage: expected a non-empty "
            "string, got \"\"");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("messages_per_commit": -1)")})),
            "compose-spec.json: /services/0/messages_per_commit: expected a "
            "positive integer, got -1");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("listen_backlog": null)")})),
            "compose-spec.json: /services/0/listen_backlog: expected a "
            "positive integer, got null");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("ping_interval": -0.5)")})),
            "compose-spec.json: /services/0/ping_interval: expected a "
            "non-negative number of seconds, got -0.5");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("grace_period": "3s")")})),
            "compose-spec.json: /services/0/grace_period: expected a "
            "non-negative number of seconds, got \"3s\"");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("max_retries": -1)")})),
            "compose-spec.json: /services/0/max_retries: expected a "
            "non-negative integer, got -1");
  EXPECT_EQ(
      ErrorOf(Services({Svc("a", R"("max_concurrent_health_checks": 0)")})),
      "compose-spec.json: /services/0/max_concurrent_health_checks: expected "
      "a positive integer, got 0");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("input_routing_key": [])")})),
            "compose-spec.json: /services/0/input_routing_key: expected a "
            "string or a non-empty array of strings, got []");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("output_routing_key": ["a", 2])")})),
            "compose-spec.json: /services/0/output_routing_key/1: expected a "
            "non-empty string, got 2");
}

TEST(ParseSpecErrorTest, OutputNodes) {
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("output_nodes": 1)")})),
            "compose-spec.json: /services/0/output_nodes: expected a service "
            "name or an array of service names, got 1");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("x_output_nodes": ["a", 2])")})),
            "compose-spec.json: /services/0/x_output_nodes/1: expected a "
            "service name, got 2");
  EXPECT_EQ(ErrorOf(Services({Svc("a"), Svc("b", R"("output_nodes": "c")")})),
            "compose-spec.json: /services/1/output_nodes: unknown service "
            "\"c\"");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("q_output_nodes": ["a", "z"])")})),
            "compose-spec.json: /services/0/q_output_nodes/1: unknown service "
            "\"z\"");
}

TEST(ParseSpecErrorTest, ChanchoKeys) {
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("role": "Big Boss")")})),
            "compose-spec.json: /services/0/role: expected a role: lower-case "
            "letters, digits and '-' (worker, server, client, broker, ...), "
            "got \"Big Boss\"");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("single_instance": "yes")")})),
            "compose-spec.json: /services/0/single_instance: expected true or "
            "false, got \"yes\"");
  EXPECT_EQ(ErrorOf(R"({"name": "p", "spare": "client", "services": [)" +
                    Svc("a") + "]}"),
            "compose-spec.json: /spare: expected an array of roles, got "
            "\"client\"");
  EXPECT_EQ(ErrorOf(R"({"name": "p", "keep_one": [7], "services": [)" +
                    Svc("a") + "]}"),
            "compose-spec.json: /keep_one/0: expected a role: lower-case "
            "letters, digits and '-' (worker, server, client, broker, ...), "
            "got 7");
  EXPECT_EQ(ErrorOf(Services({R"({"name": "a", "command": []})"})),
            "compose-spec.json: /services/0/command: expected a non-empty "
            "array of strings or a non-empty string, got []");
  EXPECT_EQ(ErrorOf(Services({R"({"name": "a", "command": [""]})"})),
            "compose-spec.json: /services/0/command/0: expected a non-empty "
            "string, got \"\"");
  EXPECT_EQ(ErrorOf(Services({R"({"name": "a", "command": ["a", 1]})"})),
            "compose-spec.json: /services/0/command/1: expected a string, got "
            "1");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("image": false)")})),
            "compose-spec.json: /services/0/image: expected a string, got "
            "false");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("environment": ["A=1"])")})),
            "compose-spec.json: /services/0/environment: expected an object, "
            "got [\"A=1\"]");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("environment": {"A": null})")})),
            "compose-spec.json: /services/0/environment/A: expected a string, "
            "number or boolean, got null");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("environment": {"A/B=": 1})")})),
            "compose-spec.json: /services/0/environment/A~1B=: expected a "
            "variable name of letters, digits and '_', got \"A/B=\"");
}

TEST(ParseSpecErrorTest, ConfigFiles) {
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("config_files": {})")})),
            "compose-spec.json: /services/0/config_files: expected an array, "
            "got {}");
  EXPECT_EQ(
      ErrorOf(Services(
          {Svc("a", R"("config_files": [{"source": "s", "target": "/t"}])")})),
      "compose-spec.json: /services/0/config_files/0: missing required key "
      "\"env\"");
  EXPECT_EQ(
      ErrorOf(Services({Svc(
          "a",
          R"("config_files": [{"source": "s", "target": "t", "env": "E"}])")})),
      "compose-spec.json: /services/0/config_files/0/target: expected an "
      "absolute path, got \"t\"");
  EXPECT_EQ(
      ErrorOf(Services({Svc(
          "a",
          R"("config_files": [{"source": "", "target": "/t", "env": "E"}])")})),
      "compose-spec.json: /services/0/config_files/0/source: expected a "
      "non-empty string, got \"\"");
  EXPECT_EQ(
      ErrorOf(Services({Svc(
          "a",
          R"("config_files": [{"source": "s", "target": "/t", "env": "1E"}])")})),
      "compose-spec.json: /services/0/config_files/0/env: expected a "
      "variable name of letters, digits and '_', got \"1E\"");
}

TEST(ParseSpecErrorTest, References) {
  EXPECT_EQ(ErrorOf(Services(
                {Svc("a"), Svc("b"), Svc("c", R"("depends_on": ["nope"])")})),
            "compose-spec.json: /services/2/depends_on/0: unknown service "
            "\"nope\"");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("depends_on": "b")"), Svc("b")})),
            "compose-spec.json: /services/0/depends_on: expected an array of "
            "service names, got \"b\"");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("depends_on": [{}])")})),
            "compose-spec.json: /services/0/depends_on/0: expected a service "
            "name, got {}");
  EXPECT_EQ(
      ErrorOf(Services({Svc("x"), Svc("a"), Svc("b"), Svc("c"), Svc("x")})),
      "compose-spec.json: /services/4/name: duplicate service name \"x\"");
}

TEST(ParseSpecErrorTest, ReplicaNamesAndScaling) {
  EXPECT_EQ(ErrorOf(Services({Svc("w", R"("replicas": 2,
                                           "replica_name": "worker")")})),
            "compose-spec.json: /services/0/replica_name: names the 2 "
            "replicas alike: put \"{index}\" in it");
  EXPECT_NO_THROW(Parse(Services({Svc("w", R"("replica_name": "worker")")})));
  Spec spec = Parse(Services(
      {Svc("s", R"("role": "server")"),
       Svc("c", R"("role": "client", "depends_on": ["s"])")}));
  ScaleRole(spec, "client", 4);
  EXPECT_EQ(spec.services[1].replicas, 4);
  EXPECT_THROW(ScaleRole(spec, "client", -1), Error);
  try {
    Spec copy = spec;
    ScaleRole(copy, "server", 0);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr(
                              "service c depends on s, which has no server "
                              "replica left"));
  }
  ScaleRole(spec, "client", 0);
  ASSERT_EQ(spec.services.size(), 1u);
  EXPECT_EQ(spec.services[0].name, "s");
}

TEST(ParseSpecErrorTest, SingleInstanceServices) {
  EXPECT_EQ(ErrorOf(Services({Svc("a"), Svc("m", R"("single_instance": true,
                                                     "replicas": 3)")})),
            "compose-spec.json: /services/1/replicas: service \"m\" runs as "
            "one instance (\"single_instance\"), got 3");
  EXPECT_EQ(ErrorOf(Services({Svc("r", R"("replicas": 2,
                                           "single_instance": true)")})),
            "compose-spec.json: /services/0/replicas: service \"r\" runs as "
            "one instance (\"single_instance\"), got 2");
  // A role alone says nothing of how many may run.
  EXPECT_NO_THROW(
      Parse(Services({Svc("m", R"("role": "master", "replicas": 3)")})));
  EXPECT_NO_THROW(Parse(Services(
      {Svc("m", R"("single_instance": true, "replicas": 1)")})));
}

TEST(ParseSpecErrorTest, Readiness) {
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("readiness": "always")")})),
            "compose-spec.json: /services/0/readiness: expected \"none\" or an "
            "object, got \"always\"");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("readiness": {"timeout": 3})")})),
            "compose-spec.json: /services/0/readiness: expected exactly one of "
            "\"tcp\", \"log\", \"heartbeat\", \"http\", \"exec\" or "
            "\"all\", got {\"timeout\":3}");
  EXPECT_EQ(
      ErrorOf(Services({Svc("a", R"("readiness": {"tcp": 1, "log": "x"})")})),
      "compose-spec.json: /services/0/readiness: expected exactly one of "
      "\"tcp\", \"log\", \"heartbeat\", \"http\", \"exec\" or \"all\", got "
      "{\"tcp\":1,\"log\":\"x\"}");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("readiness": {"all": []})")})),
            "compose-spec.json: /services/0/readiness/all: expected a "
            "non-empty array of readiness checks, got []");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("readiness": {"http": 80,
                                                          "path": "x"})")})),
            "compose-spec.json: /services/0/readiness/path: expected a path "
            "that starts with '/', got \"x\"");
  EXPECT_THAT(
      ErrorOf(Services({Svc("a", R"("readiness": {"all": [{"log": "("}]})")})),
      ::testing::StartsWith("compose-spec.json: /services/0/readiness/all/0/"
                            "log: expected a valid regular expression"));
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("readiness": {"tcp": 0})")})),
            "compose-spec.json: /services/0/readiness/tcp: expected a port "
            "number (1..65535), got 0");
  std::string regex_message;
  try {
    std::regex bad("(");
  } catch (const std::regex_error& e) {
    regex_message = e.what();
  }
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("readiness": {"log": "("})")})),
            "compose-spec.json: /services/0/readiness/log: expected a valid "
            "regular expression (" +
                regex_message + "), got \"(\"");
  EXPECT_EQ(ErrorOf(Services({Svc("a", R"("readiness": {"heartbeat": 1})")})),
            "compose-spec.json: /services/0/readiness/heartbeat: expected "
            "true, got 1");
  EXPECT_EQ(
      ErrorOf(Services({Svc("a", R"("readiness": {"heartbeat": true})")})),
      "compose-spec.json: /services/0/readiness: heartbeat readiness requires "
      "\"heartbeat_port\"");
  EXPECT_EQ(ErrorOf(Services(
                {Svc("a", R"("readiness": {"tcp": 80, "timeout": 0})")})),
            "compose-spec.json: /services/0/readiness/timeout: expected a "
            "positive number of seconds, got 0");
}

}  // namespace
}  // namespace chancho
