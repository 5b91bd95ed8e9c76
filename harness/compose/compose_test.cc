#include "harness/compose/compose.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "test_support/tp0_spec.h"

namespace chancho {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kDockerCompose[] = "/usr/bin/docker-compose";

fs::path TestData() {
  const char* source = std::getenv("CHANCHO_SOURCE_DIR");
  const fs::path root = source != nullptr
                            ? fs::path(source)
                            : fs::path(__FILE__).parent_path() / "../../..";
  return (root / "harness/compose/testdata").lexically_normal();
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Case {
  std::string golden;  // file name in testdata/
  Deployment deployment;
  ComposeOptions options;
};

std::vector<Case> GoldenCases() {
  const fs::path data = TestData();
  std::vector<Case> cases;
  for (int clients : {1, 3}) {
    Case c;
    c.golden = "tp0-" + std::to_string(clients) + ".yaml";
    c.deployment = Plan(Tp0Spec(clients, data / "tp0"));
    c.options.output_dir = data / "tp0";
    cases.push_back(std::move(c));
  }
  Case movies;
  movies.golden = "movies-mini.yaml";
  movies.deployment = Plan(LoadSpec(data / "movies-mini-spec.json"));
  movies.options.output_dir = data / "movies-mini";
  movies.options.internal_network = true;
  cases.push_back(std::move(movies));
  return cases;
}

TEST(RenderComposeTest, MatchesGoldenFiles) {
  for (const auto& c : GoldenCases()) {
    SCOPED_TRACE(c.golden);
    const fs::path golden = TestData() / c.golden;
    ASSERT_TRUE(fs::exists(golden)) << golden;
    EXPECT_EQ(RenderCompose(c.deployment, c.options), ReadFile(golden));
  }
}

TEST(RenderComposeTest, Deterministic) {
  for (const auto& c : GoldenCases()) {
    EXPECT_EQ(RenderCompose(c.deployment, c.options),
              RenderCompose(c.deployment, c.options));
  }
}

Deployment OneReplica(std::vector<std::string> command) {
  ServiceSpec service;
  service.name = "svc";
  service.command = std::move(command);
  service.environment = {{"HOME_REF", "${HOME}"}};
  Spec spec;
  spec.name = "p";
  spec.dir = "/specs";
  spec.services = {service};
  return Plan(spec);
}

TEST(RenderComposeTest, QuotesWhatYamlWouldNotReadAsAString) {
  const std::string yaml =
      RenderCompose(OneReplica({"prog", "1", "-2.5", "1e3", "true", "no", "~",
                                "", "0x1F", "1:30", "a: b", "plain-arg", "$X"}),
                    {});
  for (const char* line :
       {"      - prog\n", "      - \"1\"\n", "      - \"-2.5\"\n",
        "      - \"1e3\"\n", "      - \"true\"\n", "      - \"no\"\n",
        "      - \"~\"\n", "      - \"\"\n", "      - \"0x1F\"\n",
        "      - \"1:30\"\n", "      - \"a: b\"\n", "      - plain-arg\n",
        "      - $$X\n", "      - HOME_REF=$${HOME}\n"}) {
    EXPECT_THAT(yaml, HasSubstr(line));
  }
}

TEST(RenderComposeTest, VolumePaths) {
  Spec spec;
  spec.name = "p";
  spec.dir = "/specs/p";
  ServiceSpec service;
  service.name = "w";
  service.command = {"w"};
  service.storage = true;
  service.config_files = {{"a.ini", "/a.ini", "A"},
                          {"../other/b.ini", "/b.ini", "B"}};
  spec.services = {service};
  const Deployment d = Plan(spec);

  ComposeOptions inside;
  inside.output_dir = "/specs/p";
  EXPECT_THAT(RenderCompose(d, inside),
              HasSubstr("      - ./a.ini:/a.ini\n"
                        "      - ../other/b.ini:/b.ini\n"
                        "      - ./storage/w:/storage\n"));
  ComposeOptions none;  // empty output_dir: config paths stay absolute
  EXPECT_THAT(RenderCompose(d, none),
              HasSubstr("      - /specs/p/a.ini:/a.ini\n"
                        "      - /specs/other/b.ini:/b.ini\n"
                        "      - ./storage/w:/storage\n"));
  ComposeOptions subnet;
  subnet.subnet = "10.1.2.0/24";
  EXPECT_THAT(RenderCompose(d, subnet), HasSubstr("- subnet: 10.1.2.0/24\n"));
  EXPECT_THAT(RenderCompose(d, subnet), ::testing::Not(HasSubstr("internal")));
}

// A health-checker, a client and a worker; only the first two get anything
// from docker_socket and results_dir.
Deployment ThreeRoles(std::map<std::string, std::string> checker_env = {}) {
  Spec spec;
  spec.name = "p";
  spec.dir = "/specs/p";
  for (const char* role : {"health-checker", "client", "worker"}) {
    ServiceSpec service;
    service.name = role;
    service.role = role;
    service.command = {role};
    if (service.role == "health-checker") {
      service.environment = checker_env;
      service.revives = true;
    }
    spec.services.push_back(service);
  }
  return Plan(spec);
}

TEST(RenderComposeTest, HealthCheckersGetTheSocketAndClientsTheResults) {
  ComposeOptions options;
  options.output_dir = "/runs/r1";
  options.container_name_prefix = "p-r1-";
  options.docker_socket = "/var/run/docker.sock";
  options.results_dir = "/runs/r1/results";
  const std::string yaml = RenderCompose(ThreeRoles(), options);
  EXPECT_THAT(yaml, HasSubstr("      - CONTAINER_PREFIX=p-r1-\n"));
  EXPECT_THAT(yaml,
              HasSubstr("    volumes:\n"
                        "      - /var/run/docker.sock:/var/run/docker.sock\n"));
  EXPECT_THAT(yaml, HasSubstr("      - CHANCHO_RUN_DIR=/chancho-run\n"));
  EXPECT_THAT(yaml, HasSubstr("      - ./results:/chancho-run/results\n"));
  const std::string worker = yaml.substr(yaml.find("\n  worker:\n"));
  EXPECT_THAT(worker, ::testing::Not(HasSubstr("volumes")));
  EXPECT_THAT(worker, ::testing::Not(HasSubstr("CHANCHO_RUN_DIR")));

  options.container_name_prefix.clear();
  EXPECT_THAT(RenderCompose(ThreeRoles(), options),
              HasSubstr("      - REVIVE_COMMAND=docker start {name}\n"));
  // The spec's own revive command wins.
  const std::string own =
      RenderCompose(ThreeRoles({{"REVIVE_COMMAND", "x {name}"}}), options);
  EXPECT_THAT(own, HasSubstr("      - REVIVE_COMMAND=x {name}\n"));
  EXPECT_THAT(own, ::testing::Not(HasSubstr("CONTAINER_PREFIX")));
  // Without the options nothing is added.
  EXPECT_THAT(RenderCompose(ThreeRoles(), {}),
              ::testing::Not(HasSubstr("volumes")));
}

// What DockerRuntime writes for a proxied link: the upstream at a fixed
// address outside the engine's range, the linked replica resolving it to
// the proxy.
ComposeOptions LinkOptions() {
  ComposeOptions options;
  options.subnet = "10.1.2.0/24";
  options.ip_range = "10.1.2.0/25";
  options.addresses = {{"worker", "10.1.2.128"}};
  options.extra_hosts = {{"client", {{"worker", "10.1.2.254"}}}};
  return options;
}

TEST(RenderComposeTest, FixedAddressesAndExtraHosts) {
  const std::string yaml = RenderCompose(ThreeRoles(), LinkOptions());
  EXPECT_THAT(yaml, HasSubstr("        - subnet: 10.1.2.0/24\n"
                              "          ip_range: 10.1.2.0/25\n"));
  const std::string worker = yaml.substr(yaml.find("\n  worker:\n"));
  EXPECT_THAT(worker, HasSubstr("    networks:\n"
                                "      testing_net:\n"
                                "        ipv4_address: 10.1.2.128\n"));
  const std::string client = yaml.substr(yaml.find("\n  client:\n"));
  EXPECT_THAT(client.substr(0, client.find("\n  worker:\n")),
              HasSubstr("    networks:\n"
                        "      - testing_net\n"
                        "    extra_hosts:\n"
                        "      - worker:10.1.2.254\n"));
  EXPECT_THAT(RenderCompose(ThreeRoles(), {}),
              ::testing::Not(HasSubstr("extra_hosts")));
  EXPECT_THAT(RenderCompose(ThreeRoles(), {}),
              ::testing::Not(HasSubstr("ip_range")));
}

// What the Swarm runtime deploys: a stack file whose services start with
// no task, are not restarted by the Swarm, resolve to their task's address
// and carry the labels as service labels too; an attachable overlay; and
// nothing that `docker stack deploy` ignores or refuses.
TEST(RenderComposeTest, ASwarmStackFile) {
  ComposeOptions options = LinkOptions();
  options.swarm_stack = "st-r1";
  options.docker_socket = "/var/run/docker.sock";
  options.labels = {{"com.chancho.run", "r1"}};
  const std::string text = RenderCompose(ThreeRoles(), options);
  const YAML::Node yaml = YAML::Load(text);
  EXPECT_EQ(yaml["version"].as<std::string>(), "3.8");
  EXPECT_THAT(text, HasSubstr("version: \"3.8\"\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("container_name")));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("depends_on")));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("ipv4_address")));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("ip_range")));
  // A link's proxy is at a fixed address; its upstream's task is not.
  EXPECT_EQ(yaml["services"]["client"]["extra_hosts"][0].as<std::string>(),
            "worker:10.1.2.254");
  for (const char* name : {"health-checker", "client", "worker"}) {
    SCOPED_TRACE(name);
    const YAML::Node service = yaml["services"][name];
    ASSERT_TRUE(service.IsMap());
    const YAML::Node deploy = service["deploy"];
    EXPECT_EQ(deploy["replicas"].as<int>(), 0);
    EXPECT_EQ(deploy["endpoint_mode"].as<std::string>(), "dnsrr");
    EXPECT_EQ(deploy["restart_policy"]["condition"].as<std::string>(), "none");
    EXPECT_EQ(deploy["labels"]["com.chancho.run"].as<std::string>(), "r1");
    EXPECT_EQ(service["labels"]["com.chancho.run"].as<std::string>(), "r1");
    EXPECT_EQ(service["networks"][0].as<std::string>(), "testing_net");
  }
  const YAML::Node network = yaml["networks"]["testing_net"];
  EXPECT_EQ(network["driver"].as<std::string>(), "overlay");
  EXPECT_TRUE(network["attachable"].as<bool>());
  // A task's container cannot be started again: the health-checker makes
  // a new task.
  EXPECT_THAT(text, HasSubstr("      - REVIVE_COMMAND=docker service update "
                              "--detach --quiet --force st-r1_{name}\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("CONTAINER_PREFIX")));
  // A compose file for compose has none of it.
  const std::string compose = RenderCompose(ThreeRoles(), LinkOptions());
  EXPECT_THAT(compose, ::testing::Not(HasSubstr("version")));
  EXPECT_THAT(compose, ::testing::Not(HasSubstr("deploy")));
  EXPECT_THAT(compose, ::testing::Not(HasSubstr("overlay")));
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/compose_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

using WriteComposeTest = TempDir;

TEST_F(WriteComposeTest, CreatesParentDirectories) {
  const Deployment d = Plan(Tp0Spec(1, dir_));
  ComposeOptions options;
  options.output_dir = dir_;
  const fs::path file = dir_ / "a/b/docker-compose.yaml";
  WriteCompose(d, options, file);
  EXPECT_EQ(ReadFile(file), RenderCompose(d, options));
}

TEST_F(WriteComposeTest, FailureNamesThePath) {
  std::ofstream(dir_ / "file") << "x";
  const fs::path file = dir_ / "file/docker-compose.yaml";
  try {
    WriteCompose(Plan(Tp0Spec(1, dir_)), {}, file);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.string() + ": cannot "));
  }
}

// Runs `command`, returns its exit status and puts stdout+stderr in `output`.
int RunCommand(const std::string& command, std::string& output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    output.append(buffer, n);
  }
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

using DockerComposeConfigTest = TempDir;

TEST_F(DockerComposeConfigTest, AcceptsGeneratedFiles) {
  ASSERT_EQ(access(kDockerCompose, X_OK), 0)
      << kDockerCompose
      << " is missing; install it with ci/install-deps.sh (Debian package "
         "docker-compose)";
  std::vector<Case> cases = GoldenCases();
  Case quoting;
  quoting.golden = "quoting.yaml";
  quoting.deployment = OneReplica({"prog", "1", "true", "", "1:30", "$X"});
  cases.push_back(std::move(quoting));
  Case links;
  links.golden = "links.yaml";
  links.deployment = ThreeRoles();
  links.options = LinkOptions();
  cases.push_back(std::move(links));
  // A stack file is a compose file of version 3.8 too.
  Case stack;
  stack.golden = "stack.yaml";
  stack.deployment = ThreeRoles();
  stack.options = LinkOptions();
  stack.options.swarm_stack = "p-r1";
  stack.options.docker_socket = "/var/run/docker.sock";
  cases.push_back(std::move(stack));
  for (const auto& c : cases) {
    SCOPED_TRACE(c.golden);
    const fs::path file = dir_ / c.golden;
    WriteCompose(c.deployment, c.options, file);
    std::string output;
    const int status =
        RunCommand(std::string(kDockerCompose) + " -p " + c.deployment.project +
                       " -f " + file.string() + " config -q",
                   output);
    EXPECT_EQ(status, 0) << "docker-compose rejected " << file << ":\n"
                         << output;
  }
}

}  // namespace
}  // namespace chancho
