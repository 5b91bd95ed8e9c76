// A Docker run whose harness dies by SIGKILL leaves nothing behind: the
// run's reaper (run_reaper.h, MakeDockerReaper) removes every Swarm
// service, container and network labelled with the run within seconds, as Testcontainers' Ryuk
// does, without waiting for a later run's reaping or `chancho down --all`.
// Needs the engine and the tp0 images (ci/start-docker.sh,
// ci/build-images.sh); without them it is skipped, unless CI=true.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "common/subprocess.h"
#include "fixtures/docker_support.h"
#include "harness/runtime/docker/docker_leftovers.h"
#include "harness/runtime/docker/docker_runtime.h"
#include "harness/runtime/run_dir.h"
#include "integration_tests/cli_support.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using ::testing::HasSubstr;

// What `docker ARGS` prints, without surrounding blanks.
std::string Docker(const std::string& args, const std::filesystem::path& dir) {
  std::string out = RunShell("docker " + args, dir, 60).out;
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

class DockerReaperTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    std::optional<std::string> missing = DockerUnavailable();
    if (!missing) missing = ImagesMissing({"chancho/tp0-server:latest", "chancho/tp0-client:latest"});
    if (missing) {
      if (IsCi()) FAIL() << "CI=true, and the Docker runtime cannot run: " << *missing;
      GTEST_SKIP() << *missing;
    }
  }
};

// A detached run's supervisor and run directory, from `chancho up`'s line.
struct DetachedRun {
  int supervisor = 0;
  std::filesystem::path dir;
  std::string label;  // label=com.chancho.run=ID, a docker filter
};

DetachedRun ParseUp(const std::string& out) {
  DetachedRun run;
  const auto at = out.find("| supervisor: ");
  const auto run_at = out.find("| run: ", at);
  if (at == std::string::npos || run_at == std::string::npos) return run;
  run.supervisor = std::stoi(out.substr(at + 14));
  std::string dir = out.substr(run_at + 7);
  run.dir = dir.substr(0, dir.find('\n'));
  run.label = "label=com.chancho.run=" + run.dir.filename().string();
  return run;
}

// Kills the supervisor with SIGKILL, then polls for `bound` at most until
// no container matches `containers` and no network `networks` (docker
// filters), nor, with `services`, any Swarm service; returns what is left
// of each.
struct Left {
  std::string containers, networks, services;
};
Left KillAndWaitForNothingLeft(int supervisor, const std::string& containers,
                               const std::string& networks,
                               const std::filesystem::path& dir,
                               const std::string& services = "",
                               std::chrono::seconds bound = std::chrono::seconds(10)) {
  Left left;
  if (::kill(supervisor, SIGKILL) != 0) return {"kill failed", "kill failed", ""};
  const auto killed = std::chrono::steady_clock::now();
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    left = {Docker("ps -aq --filter " + containers, dir),
            Docker("network ls -q --filter " + networks, dir),
            services.empty() ? "" : Docker("service ls -q --filter " + services, dir)};
  } while ((!left.containers.empty() || !left.networks.empty() ||
            !left.services.empty()) &&
           std::chrono::steady_clock::now() - killed < bound);
  return left;
}

// A detached tp0 run with 2 clients on `runtime`, which has containers
// and a network.
void UpTp0(const std::string& runtime, DetachedRun& run, const std::filesystem::path& dir) {
  const auto up = RunChancho("up tp0 --clients 2 --runtime " + runtime + " --detach", dir, 300);
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  run = ParseUp(up.out);
  ASSERT_GT(run.supervisor, 0) << up.out;
  ASSERT_NE(Docker("ps -aq --filter " + run.label, dir), "") << "the run has no container";
  ASSERT_NE(Docker("network ls -q --filter " + run.label, dir), "") << "the run has no network";
}

TEST_F(DockerReaperTest, AKilledSupervisorsContainersAndNetworkAreGoneWithin10s) {
  DetachedRun run;
  ASSERT_NO_FATAL_FAILURE(UpTp0("docker", run, dir_));

  const Left left = KillAndWaitForNothingLeft(run.supervisor, run.label, run.label, dir_);
  EXPECT_EQ(left.containers, "") << "containers of the run outlived its supervisor by 10 s";
  EXPECT_EQ(left.networks, "") << "the run's network outlived its supervisor by 10 s";
}

// A Swarm run's services, their tasks' containers and its overlay network
// go too; the Swarm removes a network some seconds after its services, so
// the bound is 20 s.
TEST_F(DockerReaperTest, ASwarmRunsServicesAreGoneWithin20s) {
  if (const auto missing = SwarmUnavailable()) {
    if (IsCi()) FAIL() << "CI=true: " << *missing;
    GTEST_SKIP() << *missing;
  }
  DetachedRun run;
  ASSERT_NO_FATAL_FAILURE(UpTp0("swarm", run, dir_));
  ASSERT_NE(Docker("service ls -q --filter " + run.label, dir_), "") << "the run has no service";

  const Left left = KillAndWaitForNothingLeft(run.supervisor, run.label, run.label, dir_,
                                              run.label, std::chrono::seconds(20));
  EXPECT_EQ(left.services, "") << "services of the run outlived its supervisor by 20 s";
  EXPECT_EQ(left.containers, "") << "containers of the run outlived its supervisor by 20 s";
  EXPECT_EQ(left.networks, "") << "the run's network outlived its supervisor by 20 s";
}

// A compose file of the user's declares its own network, which carries
// compose's labels but none of Chancho's: the reaper removes it by the
// run's compose project, whose name is made from the run id.
TEST_F(DockerReaperTest, TheNetworkOfAUsersComposeFileGoesToo) {
  std::filesystem::create_directories(dir_ / "repo/server");
  std::filesystem::copy_file(SourceDir() / "system/tp0/server/config.ini",
                             dir_ / "repo/server/config.ini");
  std::ofstream(dir_ / "repo/docker-compose.yaml")
      << "version: \"3.9\"\n"
         "services:\n"
         "  server:\n"
         "    image: chancho/tp0-server:latest\n"
         "    volumes:\n"
         "      - ./server/config.ini:/config.ini\n"
         "    networks:\n"
         "      - own_net\n"
         "networks:\n"
         "  own_net:\n"
         "    internal: true\n";
  const auto up = RunChancho("up -f repo/docker-compose.yaml --detach", dir_, 300);
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  const DetachedRun run = ParseUp(up.out);
  ASSERT_GT(run.supervisor, 0) << up.out;
  // compose-command is "docker-compose ... -p PROJECT ...".
  const std::string command = ReadFile(run.dir / "compose-command");
  const auto p = command.find(" -p ");
  ASSERT_NE(p, std::string::npos) << command;
  std::string project = command.substr(p + 4);
  project = project.substr(0, project.find(' '));
  const std::string own = "label=com.docker.compose.project=" + project;
  ASSERT_NE(Docker("network ls -q --filter " + own, dir_), "") << "the file's network was not made";
  ASSERT_EQ(Docker("network ls -q --filter " + run.label, dir_), "")
      << "the file's network carries Chancho's label: this test would prove nothing";

  const Left left = KillAndWaitForNothingLeft(run.supervisor, run.label, own, dir_);
  EXPECT_EQ(left.containers, "") << "containers of the run outlived its supervisor by 10 s";
  EXPECT_EQ(left.networks, "") << "the compose file's network outlived the supervisor by 10 s";
}

// The leftovers of a dead owner, reaped by the next run's reaping: a
// container and a network, and on a Swarm a service.
TEST_F(DockerReaperTest, ReapsWhatADeadOwnerLeft) {
  // A pid that is surely gone: a child that already exited.
  const auto child = RunCommand({"sh", "-c", "echo $$"}, {});
  const std::string pid = child.out.substr(0, child.out.find('\n'));
  const std::string run = "reap-test-" + pid;
  std::vector<std::string> labels;
  for (const auto& [key, value] : std::map<std::string, std::string>{
           {"com.chancho.run", run},
           {"com.chancho.owner-host", HostName()},
           {"com.chancho.owner-pid", pid}}) {
    labels.insert(labels.end(), {"--label", key + "=" + value});
  }
  std::vector<std::string> create = {"docker", "create"};
  create.insert(create.end(), labels.begin(), labels.end());
  create.push_back("chancho/probe:latest");
  RunChecked(create, {std::chrono::seconds(30)});
  std::vector<std::string> network = {"docker", "network", "create",
                                      "--internal"};
  network.insert(network.end(), labels.begin(), labels.end());
  network.push_back(run);
  RunChecked(network, {std::chrono::seconds(30)});

  // Another dead run's network that the engine will not remove (it can keep
  // a phantom endpoint) is reported in `held`; what matters here is
  // that this run's objects are gone, which the checks below see.
  const ReapResult reaped = DockerRuntime::ReapLeftovers();
  EXPECT_GE(reaped.removed, 2);
  const std::string filter = "label=com.chancho.run=" + run;
  EXPECT_EQ(
      RunChecked({"docker", "ps", "-aq", "--filter", filter}, {std::chrono::seconds(20)}),
      "");
  EXPECT_EQ(RunChecked({"docker", "network", "ls", "-q", "--filter", filter},
                       {std::chrono::seconds(20)}),
            "");
}

// A Swarm run's services outlive its containers: the reaping of a dead
// owner's leftovers removes them too.
TEST_F(DockerReaperTest, ReapsTheSwarmServicesOfADeadOwner) {
  if (const auto missing = SwarmUnavailable()) {
    if (IsCi()) FAIL() << "CI=true: " << *missing;
    GTEST_SKIP() << *missing;
  }
  const auto child = RunCommand({"sh", "-c", "echo $$"}, {});
  const std::string pid = child.out.substr(0, child.out.find('\n'));
  const std::string run = "reap-swarm-test-" + pid;
  std::vector<std::string> create = {"docker", "service", "create",
                                     "--detach", "--replicas", "0",
                                     "--name", run};
  for (const auto& [key, value] : std::map<std::string, std::string>{
           {"com.chancho.run", run},
           {"com.chancho.owner-host", HostName()},
           {"com.chancho.owner-pid", pid}}) {
    create.insert(create.end(), {"--label", key + "=" + value});
  }
  create.push_back("chancho/probe:latest");
  RunChecked(create, {std::chrono::seconds(30)});

  const ReapResult reaped = DockerRuntime::ReapLeftovers();
  EXPECT_GE(reaped.removed, 1);
  EXPECT_EQ(RunChecked({"docker", "service", "ls", "-q", "--filter",
                        "label=com.chancho.run=" + run},
                       {std::chrono::seconds(20)}),
            "");
}

}  // namespace
}  // namespace chancho::testing
