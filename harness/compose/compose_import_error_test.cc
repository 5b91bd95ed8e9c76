// The compose import's errors: one test per kind, each with its exact
// message.
#include "harness/compose/compose_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "common/error.h"
#include "harness/compose/compose_import_test_util.h"

namespace chancho {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using namespace compose_import_test;  // NOLINT

// --- Errors: one per kind -------------------------------------------------

TEST(ComposeImportError, YamlSyntaxErrorNamesTheLine) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: [nginx\n"),
            "app/docker-compose.yaml: line 4, column 1: invalid YAML: end of "
            "sequence flow not found");
}

TEST(ComposeImportError, DeepNestingIsRefusedWithoutCrashing) {
  const std::string yaml = "services: " + std::string(10000, '[') +
                           std::string(10000, ']') + "\n";
  EXPECT_EQ(ImportError(yaml),
            "app/docker-compose.yaml: line 1, column 74: nested deeper than "
            "64 levels");
}

TEST(ComposeImportError, DeepBlockNestingIsRefused) {
  std::string yaml;
  for (int i = 0; i < 200; ++i) yaml += std::string(i, ' ') + "a:\n";
  EXPECT_EQ(ImportError(yaml),
            "app/docker-compose.yaml: line 65, column 65: nested deeper than "
            "64 levels");
}

TEST(ComposeImportError, CyclicMergeIsRefused) {
  EXPECT_EQ(ImportError(R"(
services:
  web: &web
    image: x
    <<: *web
)"),
            "app/docker-compose.yaml: services/web/<<: merges nested deeper "
            "than 64 levels");
}

TEST(ComposeImportError, DocumentNotAMap) {
  EXPECT_EQ(ImportError("- web\n- db\n"),
            "app/docker-compose.yaml: expected a map with \"services\", got "
            "[\"web\",\"db\"]");
}

TEST(ComposeImportError, EmptyDocument) {
  EXPECT_EQ(ImportError(""),
            "app/docker-compose.yaml: expected a map with \"services\", got "
            "null");
}

TEST(ComposeImportError, MissingServices) {
  EXPECT_EQ(ImportError("version: \"3.9\"\n"),
            "app/docker-compose.yaml: missing required key \"services\"");
}

TEST(ComposeImportError, ServicesNotAMap) {
  EXPECT_EQ(ImportError("services:\n  - web\n"),
            "app/docker-compose.yaml: services: expected a non-empty map of "
            "services, got [\"web\"]");
}

TEST(ComposeImportError, ServicesEmpty) {
  EXPECT_EQ(ImportError("services: {}\n"),
            "app/docker-compose.yaml: services: expected a non-empty map of "
            "services, got {}");
}

TEST(ComposeImportError, ServiceNotAMap) {
  EXPECT_EQ(ImportError("services:\n  web: nginx\n"),
            "app/docker-compose.yaml: services/web: expected a map of service "
            "keys, got \"nginx\"");
}

TEST(ComposeImportError, BadServiceName) {
  EXPECT_EQ(ImportError("services:\n  \"my web\": {image: x}\n"),
            "app/docker-compose.yaml: services/my web: expected a service "
            "name of letters, digits, '_', '.' and '-', got \"my web\"");
}

TEST(ComposeImportError, MessageStaysOnOneLine) {
  EXPECT_EQ(ImportError("services:\n  \"a\\nb\": {image: x}\n"),
            "app/docker-compose.yaml: services/\"a\\nb\": expected a service "
            "name of letters, digits, '_', '.' and '-', got \"a\\nb\"");
}

TEST(ComposeImportError, DuplicateKey) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: a\n    image: b\n"),
            "app/docker-compose.yaml: services/web/image: duplicate key "
            "\"image\"");
}

TEST(ComposeImportError, MissingImageAndBuild) {
  EXPECT_EQ(ImportError("services:\n  web:\n    ports: [\"80:80\"]\n"),
            "app/docker-compose.yaml: services/web: missing required key "
            "\"image\" (or \"build\")");
}

TEST(ComposeImportError, ImageNotAString) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: [nginx]\n"),
            "app/docker-compose.yaml: services/web/image: expected a "
            "non-empty string, got [\"nginx\"]");
}

TEST(ComposeImportError, ReplicasNotAnInteger) {
  EXPECT_EQ(
      ImportError("services:\n  web:\n    image: x\n    deploy:\n"
                  "      replicas: x\n"),
      "app/docker-compose.yaml: services/web/deploy/replicas: expected a "
      "non-negative integer, got \"x\"");
}

TEST(ComposeImportError, ReplicasNotWhole) {
  EXPECT_EQ(
      ImportError("services:\n  web:\n    image: x\n    deploy:\n"
                  "      replicas: 1.5\n"),
      "app/docker-compose.yaml: services/web/deploy/replicas: expected a "
      "non-negative integer, got 1.5");
}

TEST(ComposeImportError, NegativeScale) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n    scale: -1\n"),
            "app/docker-compose.yaml: services/web/scale: expected a "
            "non-negative integer, got -1");
}

TEST(ComposeImportError, ContainerNameWithReplicas) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n"
                        "    container_name: web\n    deploy:\n"
                        "      replicas: 3\n"),
            "app/docker-compose.yaml: services/web/container_name: names one "
            "container, but service \"web\" has 3 replicas");
}

TEST(ComposeImportError, UnknownDependencyInList) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n"
                        "    depends_on: [db, dbb]\n  db:\n    image: y\n"),
            "app/docker-compose.yaml: services/web/depends_on/1: unknown "
            "service \"dbb\"");
}

TEST(ComposeImportError, UnknownDependencyInMap) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n    depends_on:\n"
                        "      dbb: {condition: service_healthy}\n"),
            "app/docker-compose.yaml: services/web/depends_on/dbb: unknown "
            "service \"dbb\"");
}

TEST(ComposeImportError, DependsOnNotAListOrMap) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n"
                        "    depends_on: db\n"),
            "app/docker-compose.yaml: services/web/depends_on: expected a "
            "list of service names or a map of them, got \"db\"");
}

TEST(ComposeImportError, BadDependencyCondition) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n    depends_on:\n"
                        "      db: {condition: healthy}\n  db:\n    image: y\n"),
            "app/docker-compose.yaml: services/web/depends_on/db/condition: "
            "expected service_started, service_healthy or "
            "service_completed_successfully, got \"healthy\"");
}

TEST(ComposeImportError, DependencyOnInactiveProfile) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n"
                        "    depends_on: [debug]\n  debug:\n    image: y\n"
                        "    profiles: [debug, dev]\n"),
            "app/docker-compose.yaml: services/web/depends_on/0: service "
            "\"web\" depends on \"debug\", whose profiles (debug, dev) are "
            "not active");
}

TEST(ComposeImportError, NoActiveService) {
  EXPECT_EQ(ImportError("services:\n  debug:\n    image: y\n"
                        "    profiles: [debug]\n"),
            "app/docker-compose.yaml: services: no service to run: each one "
            "has 0 replicas or only inactive profiles");
}

TEST(ComposeImportError, ProfilesNotAList) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n"
                        "    profiles: debug\n"),
            "app/docker-compose.yaml: services/web/profiles: expected a list "
            "of profile names, got \"debug\"");
}

TEST(ComposeImportError, HealthcheckUnknownTestForm) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n    healthcheck:\n"
                        "      test: [\"RUN\", \"true\"]\n"),
            "app/docker-compose.yaml: services/web/healthcheck/test/0: "
            "expected \"CMD\", \"CMD-SHELL\" or \"NONE\", got \"RUN\"");
}

TEST(ComposeImportError, HealthcheckCmdWithoutProgram) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n    healthcheck:\n"
                        "      test: [\"CMD\"]\n"),
            "app/docker-compose.yaml: services/web/healthcheck/test: expected "
            "[\"CMD\", program, arguments...], got [\"CMD\"]");
}

TEST(ComposeImportError, HealthcheckCmdShellWithTwoLines) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n    healthcheck:\n"
                        "      test: [\"CMD-SHELL\", \"a\", \"b\"]\n"),
            "app/docker-compose.yaml: services/web/healthcheck/test: expected "
            "[\"CMD-SHELL\", \"command line\"], got [\"CMD-SHELL\",\"a\",\"b\"]");
}

TEST(ComposeImportError, HealthcheckBadDuration) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n    healthcheck:\n"
                        "      test: [\"CMD\", \"true\"]\n"
                        "      interval: ten\n"),
            "app/docker-compose.yaml: services/web/healthcheck/interval: "
            "expected a duration such as \"10s\", \"1m30s\" or \"500ms\", got "
            "\"ten\"");
}

TEST(ComposeImportError, HealthcheckDurationWithoutUnit) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n    healthcheck:\n"
                        "      test: [\"CMD\", \"true\"]\n"
                        "      timeout: 10\n"),
            "app/docker-compose.yaml: services/web/healthcheck/timeout: "
            "expected a duration such as \"10s\", \"1m30s\" or \"500ms\", got "
            "10");
}

TEST(ComposeImportError, HealthcheckBadRetries) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n    healthcheck:\n"
                        "      test: [\"CMD\", \"true\"]\n"
                        "      retries: many\n"),
            "app/docker-compose.yaml: services/web/healthcheck/retries: "
            "expected a non-negative integer, got \"many\"");
}

TEST(ComposeImportError, HealthcheckBadDisable) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n    healthcheck:\n"
                        "      disable: maybe\n"),
            "app/docker-compose.yaml: services/web/healthcheck/disable: "
            "expected true or false, got \"maybe\"");
}

TEST(ComposeImportError, EnvironmentNotAListOrMap) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n"
                        "    environment: A=1\n"),
            "app/docker-compose.yaml: services/web/environment: expected a "
            "list of \"KEY=VALUE\" strings or a map of variables, got "
            "\"A=1\"");
}

TEST(ComposeImportError, EnvironmentNestedValue) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n    environment:\n"
                        "      A: {b: 1}\n"),
            "app/docker-compose.yaml: services/web/environment/A: expected a "
            "string, number, boolean or null, got {\"b\":1}");
}

TEST(ComposeImportError, EnvironmentEmptyKey) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n    environment:\n"
                        "      - =1\n"),
            "app/docker-compose.yaml: services/web/environment/0: expected a "
            "\"KEY=VALUE\" or \"KEY\" string, got \"=1\"");
}

TEST(ComposeImportError, BadRoleLabel) {
  EXPECT_EQ(ImportError("services:\n  web:\n    image: x\n    labels:\n"
                        "      com.chancho.role: Web Server\n"),
            "app/docker-compose.yaml: services/web/labels/com.chancho.role: "
            "expected a role: lower-case letters, digits and '-' (worker, "
            "server, client, broker, ...), got \"Web Server\"");
}

TEST(ComposeImportError, BadTopLevelName) {
  EXPECT_EQ(ImportError("name: My App\nservices: {web: {image: x}}\n"),
            "app/docker-compose.yaml: name: expected a project name of "
            "lower-case letters, digits, '_' and '-' that starts with a "
            "letter or digit, got \"My App\"");
}

TEST(ComposeImportError, BadProjectOption) {
  ComposeImportOptions options;
  options.project = "-shop";
  EXPECT_EQ(ImportError("services: {web: {image: x}}\n", options),
            "app/docker-compose.yaml: project name \"-shop\": expected "
            "lower-case letters, digits, '_' and '-' that start with a letter "
            "or digit");
}

TEST(ComposeImportError, NoProjectNameFromDirectory) {
  EXPECT_EQ(ErrorOf([] {
              ImportComposeText("services: {web: {image: x}}\n",
                                "/tmp/__/compose.yaml", {});
            }),
            "/tmp/__/compose.yaml: cannot make a project name of the "
            "directory \"/tmp/__\": give one (\"name\")");
}

TEST(ComposeImportError, BadMergeValue) {
  EXPECT_EQ(ImportError("services:\n  web:\n    <<: 3\n    image: x\n"),
            "app/docker-compose.yaml: services/web/<<: expected a map or a "
            "list of maps to merge, got 3");
}

}  // namespace
}  // namespace chancho
