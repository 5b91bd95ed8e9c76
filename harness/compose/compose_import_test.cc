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

// --- What is read ---------------------------------------------------------

TEST(ComposeImport, CourseLayoutFileImportsServerAndClient) {
  const fs::path file =
      SourceRoot() / "integration_tests/course-compose/docker-compose.yaml";
  const ImportedCompose imported = ImportCompose(file, {});

  EXPECT_EQ(imported.file, file);
  EXPECT_EQ(imported.project, "course-compose");
  EXPECT_EQ(imported.spec.name, "course-compose");
  EXPECT_EQ(imported.spec.dir, file.parent_path());
  EXPECT_THAT(Names(imported.spec), ElementsAre("server", "client"));
  EXPECT_THAT(imported.spec.warnings, IsEmpty());
  EXPECT_THAT(imported.container_names, IsEmpty());

  const ServiceSpec& server = Service(imported, "server");
  EXPECT_EQ(server.image, "chancho-course/server:latest");
  EXPECT_EQ(server.role, "server");
  EXPECT_EQ(server.replicas, 1);
  EXPECT_THAT(server.depends_on, IsEmpty());
  EXPECT_THAT(server.environment, ElementsAre(Pair("LOGGING_LEVEL", "INFO")));
  EXPECT_THAT(server.command, IsEmpty());
  EXPECT_EQ(server.readiness.kind, Readiness::Kind::kNone);

  const ServiceSpec& client = Service(imported, "client");
  EXPECT_EQ(client.image, "chancho-course/client:latest");
  EXPECT_EQ(client.role, "client");
  EXPECT_EQ(client.replicas, 1);
  EXPECT_THAT(client.depends_on, ElementsAre("server"));
  EXPECT_THAT(client.environment, ElementsAre(Pair("CLI_ID", "1")));
}

TEST(ComposeImport, MissingFileIsAnError) {
  EXPECT_EQ(ErrorOf([] {
              ImportCompose("/nonexistent-chancho-dir/docker-compose.yaml", {});
            }),
            "/nonexistent-chancho-dir/docker-compose.yaml: cannot read: "
            "No such file or directory");
}

TEST(ComposeImport, ReplicasFromDeployThenScaleThenOne) {
  const ImportedCompose imported = Import(R"(
services:
  deployed:
    image: app/worker
    deploy:
      replicas: 3
  scaled:
    image: app/worker
    scale: 2
  both:
    image: app/worker
    scale: 2
    deploy:
      replicas: 4
  quoted:
    image: app/worker
    deploy:
      replicas: "5"
  single:
    image: app/worker
)");
  EXPECT_EQ(Service(imported, "deployed").replicas, 3);
  EXPECT_EQ(Service(imported, "scaled").replicas, 2);
  EXPECT_EQ(Service(imported, "both").replicas, 4);
  EXPECT_EQ(Service(imported, "quoted").replicas, 5);
  EXPECT_EQ(Service(imported, "single").replicas, 1);
}

TEST(ComposeImport, ContainerNameIsRecorded) {
  const ImportedCompose imported = Import(R"(
services:
  db:
    image: postgres:16
    container_name: my-db
  web:
    image: nginx
)");
  EXPECT_THAT(imported.container_names, ElementsAre(Pair("db", "my-db")));
  EXPECT_EQ(Service(imported, "db").replicas, 1);
  EXPECT_TRUE(Service(imported, "db").single_instance);
  EXPECT_FALSE(Service(imported, "web").single_instance);
}

TEST(ComposeImport, ZeroReplicasLeaveTheServiceAndDependenciesOnItOut) {
  const ImportedCompose imported = Import(R"(
services:
  web:
    image: nginx
    depends_on: [worker, db]
  worker:
    image: app/worker
    scale: 0
    container_name: the-worker
  db:
    image: postgres:16
)");
  EXPECT_THAT(Names(imported.spec), ElementsAre("web", "db"));
  EXPECT_THAT(Service(imported, "web").depends_on, ElementsAre("db"));
  EXPECT_THAT(imported.container_names, IsEmpty());
}

TEST(ComposeImport, ListDependsOnKeepsOrderAndDropsRepeats) {
  const ImportedCompose imported = Import(R"(
services:
  web:
    image: nginx
    depends_on:
      - db
      - cache
      - db
  db:
    image: postgres:16
  cache:
    image: redis:7
)");
  EXPECT_THAT(Service(imported, "web").depends_on, ElementsAre("db", "cache"));
}

TEST(ComposeImport, MapDependsOnWithServiceHealthy) {
  const ImportedCompose imported = Import(R"(
services:
  web:
    image: nginx
    depends_on:
      db:
        condition: service_healthy
      migrate:
        condition: service_completed_successfully
        restart: true
      cache:
        condition: service_started
        required: true
  db:
    image: postgres:16
  migrate:
    image: app/migrate
  cache:
    image: redis:7
)");
  EXPECT_THAT(Service(imported, "web").depends_on,
              ElementsAre("db", "migrate", "cache"));
  EXPECT_THAT(imported.spec.warnings, IsEmpty());
}

TEST(ComposeImport, CmdShellHealthcheckWithIntervalAndRetries) {
  const ImportedCompose imported = Import(R"(
services:
  db:
    image: postgres:16
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app"]
      interval: 5s
      timeout: 2s
      retries: 4
      start_period: 10s
)");
  const Readiness& readiness = Service(imported, "db").readiness;
  EXPECT_EQ(readiness.kind, Readiness::Kind::kExec);
  EXPECT_THAT(readiness.command, ElementsAre("sh", "-c", "pg_isready -U app"));
  EXPECT_DOUBLE_EQ(readiness.timeout_s, 10 + 4 * (5 + 2));
}

TEST(ComposeImport, CmdHealthcheckWithComposeDefaults) {
  const ImportedCompose imported = Import(R"(
services:
  web:
    image: nginx
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost/"]
)");
  const Readiness& readiness = Service(imported, "web").readiness;
  EXPECT_EQ(readiness.kind, Readiness::Kind::kExec);
  EXPECT_THAT(readiness.command,
              ElementsAre("curl", "-f", "http://localhost/"));
  // start_period 0 + 3 retries * (30 s interval + 30 s timeout).
  EXPECT_DOUBLE_EQ(readiness.timeout_s, 180);
}

TEST(ComposeImport, StringHealthcheckAndCompoundDurations) {
  const ImportedCompose imported = Import(R"(
services:
  web:
    image: nginx
    healthcheck:
      test: curl -f http://localhost/ || exit 1
      interval: 1m30s
      timeout: 500ms
      retries: 2
      start_period: 0
)");
  const Readiness& readiness = Service(imported, "web").readiness;
  EXPECT_EQ(readiness.kind, Readiness::Kind::kExec);
  EXPECT_THAT(readiness.command,
              ElementsAre("sh", "-c", "curl -f http://localhost/ || exit 1"));
  EXPECT_DOUBLE_EQ(readiness.timeout_s, 2 * (90 + 0.5));
}

TEST(ComposeImport, HealthcheckNoneDisabledOrWithoutTestIsNoReadiness) {
  const ImportedCompose imported = Import(R"(
services:
  none:
    image: nginx
    healthcheck:
      test: ["NONE"]
  disabled:
    image: nginx
    healthcheck:
      test: ["CMD", "true"]
      disable: true
  no-test:
    image: nginx
    healthcheck:
      interval: 10s
)");
  for (const char* name : {"none", "disabled", "no-test"}) {
    EXPECT_EQ(Service(imported, name).readiness.kind, Readiness::Kind::kNone)
        << name;
  }
}

TEST(ComposeImport, EnvironmentListForm) {
  ::setenv("CHANCHO_IMPORT_TEST_SET", "from-host", 1);
  ::unsetenv("CHANCHO_IMPORT_TEST_UNSET");
  const ImportedCompose imported = Import(R"(
services:
  web:
    image: nginx
    environment:
      - PORT=8080
      - URL=http://x/?a=b
      - EMPTY=
      - CHANCHO_IMPORT_TEST_SET
      - CHANCHO_IMPORT_TEST_UNSET
)");
  EXPECT_THAT(Service(imported, "web").environment,
              ElementsAre(Pair("CHANCHO_IMPORT_TEST_SET", "from-host"),
                          Pair("EMPTY", ""), Pair("PORT", "8080"),
                          Pair("URL", "http://x/?a=b")));
}

TEST(ComposeImport, EnvironmentMapForm) {
  ::setenv("CHANCHO_IMPORT_TEST_SET", "from-host", 1);
  ::unsetenv("CHANCHO_IMPORT_TEST_UNSET");
  const ImportedCompose imported = Import(R"(
services:
  web:
    image: nginx
    environment:
      PORT: 8080
      RATIO: 0.5
      DEBUG: true
      NAME: web
      EMPTY: ""
      CHANCHO_IMPORT_TEST_SET:
      CHANCHO_IMPORT_TEST_UNSET: null
)");
  EXPECT_THAT(Service(imported, "web").environment,
              ElementsAre(Pair("CHANCHO_IMPORT_TEST_SET", "from-host"),
                          Pair("DEBUG", "true"), Pair("EMPTY", ""),
                          Pair("NAME", "web"), Pair("PORT", "8080"),
                          Pair("RATIO", "0.5")));
}

constexpr char kProfiles[] = R"(
services:
  app:
    image: app
  debug:
    image: debugger
    profiles: [debug]
  tools:
    image: tools
    profiles: [tools, ops]
)";

TEST(ComposeImport, ProfilesOffLeaveProfiledServicesOut) {
  EXPECT_THAT(Names(Import(kProfiles).spec), ElementsAre("app"));
}

TEST(ComposeImport, ProfilesOnActivateTheirServices) {
  ComposeImportOptions options;
  options.profiles = {"ops"};
  EXPECT_THAT(Names(Import(kProfiles, options).spec),
              ElementsAre("app", "tools"));
  options.profiles = {"debug", "tools"};
  EXPECT_THAT(Names(Import(kProfiles, options).spec),
              ElementsAre("app", "debug", "tools"));
  options.profiles = {"*"};
  EXPECT_THAT(Names(Import(kProfiles, options).spec),
              ElementsAre("app", "debug", "tools"));
}

TEST(ComposeImport, OptionalDependencyOnInactiveServiceIsDropped) {
  const ImportedCompose imported = Import(R"(
services:
  app:
    image: app
    depends_on:
      debug:
        condition: service_started
        required: false
  debug:
    image: debugger
    profiles: [debug]
)");
  EXPECT_THAT(Service(imported, "app").depends_on, IsEmpty());
}

TEST(ComposeImport, RoleLabelSetsRoleElseTheServiceName) {
  const ImportedCompose imported = Import(R"(
services:
  api:
    image: app/api
    labels:
      com.chancho.role: server
      com.example.team: payments
  rabbit:
    image: rabbitmq:3
    labels:
      - "com.example.x=1"
      - "com.chancho.role=broker"
  client:
    image: app/client
  Search_Index.v2:
    image: app/search
)");
  EXPECT_EQ(Service(imported, "api").role, "server");
  EXPECT_EQ(Service(imported, "rabbit").role, "broker");
  EXPECT_EQ(Service(imported, "client").role, "client");
  EXPECT_EQ(Service(imported, "Search_Index.v2").role, "search-index-v2");
}

TEST(ComposeImport, CommandAndEntrypointAreNotRead) {
  const ImportedCompose imported = Import(R"(
services:
  web:
    image: nginx
    entrypoint: ["/docker-entrypoint.sh"]
    command: ["nginx", "-g", "daemon off;"]
)");
  EXPECT_THAT(Service(imported, "web").command, IsEmpty());
}

TEST(ComposeImport, BuildOnlyServiceGetsProjectImage) {
  EXPECT_EQ(Service(Import(R"(
services:
  web:
    build: .
)"),
                    "web")
                .image,
            "app_web");
  ComposeImportOptions options;
  options.project = "shop";
  EXPECT_EQ(Service(Import(R"(
services:
  web:
    build:
      context: .
      dockerfile: web/Dockerfile
)",
                           options),
                    "web")
                .image,
            "shop_web");
}

TEST(ComposeImport, ProjectFromOptionsThenNameThenDirectory) {
  constexpr char kNamed[] = "name: from-file\nservices: {web: {image: x}}\n";
  ComposeImportOptions options;
  options.project = "from-options";
  EXPECT_EQ(Import(kNamed, options).project, "from-options");
  EXPECT_EQ(Import(kNamed).project, "from-file");
  const ImportedCompose imported = ImportComposeText(
      "services: {web: {image: x}}\n", "/tmp/_My App.V2/compose.yaml", {});
  EXPECT_EQ(imported.project, "myappv2");
  EXPECT_EQ(imported.spec.name, "myappv2");
  EXPECT_EQ(imported.spec.dir, fs::path("/tmp/_My App.V2"));
  EXPECT_EQ(imported.file, fs::path("/tmp/_My App.V2/compose.yaml"));
}

TEST(ComposeImport, RelativeFileIsMadeAbsolute) {
  const ImportedCompose imported = Import("services: {web: {image: x}}\n");
  EXPECT_EQ(imported.file, fs::current_path() / "app/docker-compose.yaml");
  EXPECT_EQ(imported.spec.dir, fs::current_path() / "app");
  EXPECT_EQ(imported.project, "app");
}

TEST(ComposeImport, ComposeKeysAreAcceptedSilently) {
  const ImportedCompose imported = Import(R"(
version: "3.9"
name: shop
x-common: &common
  restart: unless-stopped
services:
  web:
    <<: *common
    image: nginx
    ports: ["8080:80"]
    volumes: ["./site:/usr/share/nginx/html:ro"]
    networks: [front]
    logging: {driver: json-file}
    stop_grace_period: 1m
    x-note: anything
networks:
  front: {}
volumes:
  data:
configs:
  site: {file: ./site.conf}
secrets:
  key: {file: ./key}
)");
  EXPECT_THAT(imported.spec.warnings, IsEmpty());
  EXPECT_THAT(Names(imported.spec), ElementsAre("web"));
}

TEST(ComposeImport, UnknownKeysBecomeWarnings) {
  const ImportedCompose imported = Import(R"(
services:
  web:
    image: nginx
    imagee: nginx:2
    healthcheck:
      test: ["CMD", "true"]
      intervall: 5s
    depends_on:
      db:
        condition: service_started
        wait: true
  db:
    image: postgres:16
service:
  x: 1
)");
  EXPECT_THAT(
      imported.spec.warnings,
      ElementsAre(
          "app/docker-compose.yaml: service: unknown key \"service\" ignored",
          "app/docker-compose.yaml: services/web/imagee: unknown key "
          "\"imagee\" ignored",
          "app/docker-compose.yaml: services/web/healthcheck/intervall: "
          "unknown key \"intervall\" ignored",
          "app/docker-compose.yaml: services/web/depends_on/db/wait: unknown "
          "key \"wait\" ignored"));
}

TEST(ComposeImport, MergeKeysApplyAndExplicitKeysWin) {
  const ImportedCompose imported = Import(R"(
x-defaults: &defaults
  image: app/base
  environment:
    A: "1"
  deploy:
    replicas: 2
services:
  web:
    <<: *defaults
    environment:
      B: "2"
  worker:
    <<: [*defaults]
    image: app/worker
)");
  const ServiceSpec& web = Service(imported, "web");
  EXPECT_EQ(web.image, "app/base");
  EXPECT_EQ(web.replicas, 2);
  EXPECT_THAT(web.environment, ElementsAre(Pair("B", "2")));
  const ServiceSpec& worker = Service(imported, "worker");
  EXPECT_EQ(worker.image, "app/worker");
  EXPECT_THAT(worker.environment, ElementsAre(Pair("A", "1")));
}

TEST(ComposeImport, NestingOf64LevelsIsAccepted) {
  // The top-level map is level 1, the x- list level 2.
  const std::string yaml = "x-deep: " + std::string(63, '[') +
                           std::string(63, ']') +
                           "\nservices: {web: {image: x}}\n";
  EXPECT_THAT(Names(Import(yaml).spec), ElementsAre("web"));
}

}  // namespace
}  // namespace chancho
