// `chancho chaos` against a detached tp0 run: commands piped in have the
// effect they name (network faults on a link that `up --link` proxies
// too), and the non-interactive auto loop prints its outcomes,
// a summary, and the same targets for the same seed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "harness/runtime/control/control_commands.h"
#include "fixtures/docker_support.h"
#include "integration_tests/cli_support.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class ChaosCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = BinDir().parent_path() / "test-chaos" / info->name();
    std::filesystem::remove_all(dir_);
    // tp0 with clients that keep sending for as long as the test needs
    // them (the default config finishes in under a second).
    std::filesystem::create_directories(dir_ / "tp0" / "server");
    std::filesystem::create_directories(dir_ / "tp0" / "client");
    std::filesystem::copy_file(SourceDir() / "system/tp0/server/config.ini",
                               dir_ / "tp0/server/config.ini");
    std::ofstream(dir_ / "tp0/client/config.yaml")
        << "server:\n  address: \"server:12345\"\nloop:\n  amount: 100000\n"
           "  period: \"100ms\"\nlog:\n  level: INFO\n";
  }
  void TearDown() override {
    // Whatever a failed test left running goes down with its run.
    RunChancho("down --grace 1000", dir_, 30);
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  void Up(const std::string& extra = "") {
    const auto r = RunChancho(
        "up tp0 --clients 3 --detach --tp0-dir tp0" + extra, dir_, 60);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  // A replica's log in the (single) run under dir_.
  std::string Log(const std::string& replica) {
    for (const auto& run :
         std::filesystem::directory_iterator(dir_ / ".chancho" / "runs")) {
      std::ifstream in(run.path() / "logs" / (replica + ".log"));
      if (in) return std::string(std::istreambuf_iterator<char>(in), {});
    }
    return "";
  }

  std::map<std::string, ReplicaStatus> Ps() {
    const auto r = RunChancho("ps --json", dir_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, ReplicaStatus> by_name;
    for (auto& s : StatusesFromJson(r.out)) by_name[s.name] = s;
    return by_name;
  }

  // `chancho chaos ARGS` with `commands` on its standard input (a file, so
  // no terminal: no prompt, one command a line).
  CommandResult Chaos(const std::string& args, const std::string& commands) {
    std::ofstream(dir_ / "commands.txt") << commands;
    return RunChancho("chaos " + args + " < commands.txt", dir_, 60);
  }

  std::filesystem::path dir_;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The targets of the auto loop's outcomes, in order.
std::vector<std::string> AutoTargets(const std::string& out) {
  std::vector<std::string> targets;
  for (const auto& line : Lines(out)) {
    if (line.find("origin: auto") == std::string::npos) continue;
    const auto at = line.find("target: ") + 8;
    targets.push_back(line.substr(at, line.find(' ', at) - at));
  }
  return targets;
}

TEST_F(ChaosCliTest, PipedCommandsHaveTheirEffect) {
  Up();
  auto r = Chaos("--seed 1",
                 "mostrar\nmatar client1\npause server\nresume server\n"
                 "matar_varios client\nquit\nmatar server\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto lines = Lines(r.out);
  ASSERT_GE(lines.size(), 10u) << r.out;
  EXPECT_THAT(lines[0],
              StartsWith("action: chaos | result: in_progress | run: "));
  EXPECT_THAT(lines[0], HasSubstr("| seed: 1"));
  // mostrar: the table, every replica running.
  EXPECT_THAT(lines[1], StartsWith("NAME "));
  for (int i = 2; i <= 5; ++i)
    EXPECT_THAT(lines[i], HasSubstr(" running ")) << lines[i];
  EXPECT_EQ(
      lines[6],
      "action: kill | result: success | target: client1 | took_effect: yes");
  EXPECT_EQ(
      lines[7],
      "action: pause | result: success | target: server | took_effect: yes");
  EXPECT_EQ(
      lines[8],
      "action: resume | result: success | target: server | took_effect: yes");
  // The clients are spared by prefix selections unless --spare says not.
  EXPECT_THAT(lines[9],
              StartsWith("action: matar_varios | result: fail | reason: "));
  EXPECT_THAT(lines[9], HasSubstr("spare"));
  EXPECT_EQ(lines.size(), 10u) << "something ran after quit:\n" << r.out;

  auto ps = Ps();
  EXPECT_EQ(ps["client1"].state, ReplicaState::kExited);
  EXPECT_EQ(ps["client2"].state, ReplicaState::kRunning);
  EXPECT_EQ(ps["client3"].state, ReplicaState::kRunning);
  EXPECT_EQ(ps["server"].state, ReplicaState::kRunning);

  r = Chaos("--spare none",
            "matar_varios client\nauto 0.1 1\nsleep 0.5\nstop\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(
      r.out,
      HasSubstr("target: client1 | took_effect: no | reason: not running"));
  EXPECT_THAT(r.out, HasSubstr("action: kill | result: success | target: "
                               "client2 | took_effect: yes"));
  EXPECT_THAT(r.out, HasSubstr("action: kill | result: success | target: "
                               "client3 | took_effect: yes"));
  // A script on a pipe runs the auto loop for as long as it sleeps.
  EXPECT_THAT(r.out,
              HasSubstr("action: auto | result: in_progress | every_ms: 100"));
  EXPECT_THAT(r.out, HasSubstr("origin: auto | at_ms: 300"));
  EXPECT_THAT(r.out, HasSubstr("action: stop | result: success | faults: "));
  ps = Ps();
  EXPECT_EQ(ps["client2"].state, ReplicaState::kExited);
  EXPECT_EQ(ps["client3"].state, ReplicaState::kExited);
}

TEST_F(ChaosCliTest, AutoPrintsOutcomesAndASummaryAndRepeatsItsSeed) {
  Up();
  const std::string args = "--auto 0.2 1 --seed 5 --duration 1 --spare none";
  const auto first = RunChancho("chaos " + args, dir_, 60);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_THAT(first.out,
              HasSubstr("action: auto | result: in_progress | every_ms: 200 | "
                        "count: 1 | duration_ms: 1000 | seed: 5 | "
                        "eligible: client1,client2,client3,server"));
  EXPECT_THAT(first.out,
              HasSubstr("action: kill | result: success | target: "));
  const auto targets = AutoTargets(first.out);
  EXPECT_EQ(targets.size(), 5u) << first.out;  // ticks at 0, 200, ..., 800 ms
  const auto summary = Lines(first.out).back();
  EXPECT_THAT(
      summary,
      StartsWith(
          "action: chaos | result: success | faults: 5 | took_effect: "));
  EXPECT_THAT(summary, HasSubstr("| seed: 5"));
  EXPECT_THAT(summary, Not(HasSubstr("took_effect: 0 ")));

  // The same seed, the same targets, even where they are dead by now.
  const auto second = RunChancho("chaos " + args, dir_, 60);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(AutoTargets(second.out), targets) << first.out << second.out;
  EXPECT_THAT(Lines(second.out).back(),
              StartsWith("action: chaos | result: success | faults: 5 |"));
}

// The receive_message outcomes ("success"/"fail") of a tp0 client's log.
std::vector<std::string> Outcomes(const std::string& log) {
  std::vector<std::string> out;
  for (const auto& line : Lines(log)) {
    const auto at = line.find("action: receive_message | result: ");
    if (at == std::string::npos) continue;
    out.push_back(line.substr(at + 34, line.find(' ', at + 34) - at - 34));
  }
  return out;
}

TEST_F(ChaosCliTest, NetworkCommandsCutAndHealALinkThatUpProxies) {
  Up(" --link client1=server:12345");
  const auto r = Chaos("--seed 1",
                       "links\npartition client1 5\nsleep 1\nheal client1\n"
                       "sleep 1\nlinks\npartition client2\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto lines = Lines(r.out);
  ASSERT_GE(lines.size(), 8u) << r.out;
  EXPECT_THAT(lines[1], StartsWith("REPLICA "));
  EXPECT_THAT(lines[2], StartsWith("client1 "));
  EXPECT_THAT(lines[2], HasSubstr("server:12345"));
  EXPECT_THAT(lines[2], HasSubstr(" none "));
  EXPECT_EQ(lines[3],
            "action: partition | result: success | target: client1 | "
            "took_effect: yes");
  EXPECT_EQ(lines[4],
            "action: heal | result: success | target: client1 | took_effect: yes");
  EXPECT_THAT(lines[6], HasSubstr(" none "));
  EXPECT_THAT(lines[7], StartsWith("action: partition | result: fail"));
  EXPECT_THAT(lines[7], HasSubstr("client2 has no proxied link"));
  // client1 lost its messages while cut off, and got them through again
  // after the heal; client2, not proxied, never noticed.
  const auto cut = Outcomes(Log("client1"));
  const auto fail = std::find(cut.begin(), cut.end(), "fail");
  ASSERT_NE(fail, cut.end()) << Log("client1");
  EXPECT_NE(std::find(fail, cut.end(), "success"), cut.end()) << Log("client1");
  const auto other = Outcomes(Log("client2"));
  EXPECT_FALSE(other.empty());
  EXPECT_EQ(std::count(other.begin(), other.end(), "fail"), 0) << Log("client2");
}

TEST_F(ChaosCliTest, AnUnreachableRunIsAOneLineError) {
  auto r = Chaos("", "mostrar\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("chancho: error: "));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  r = RunChancho("chaos --run /nonexistent --auto 1 1 --duration 1", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no such run directory"));
  r = RunChancho("chaos --help", dir_);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--auto"));
}


// A compose project that something else started: the hand-written tp0
// compose file of integration_tests/course-compose, built and brought up
// with docker compose under a project name of the test's own. The
// destructor takes it down with its images and network.
class ForeignProject {
 public:
  ForeignProject(std::filesystem::path dir, std::string project)
      : dir_(std::move(dir)), project_(std::move(project)) {
    compose_ = RunShell("docker compose version", dir_, 30).exit_code == 0
                   ? "docker compose"
                   : "docker-compose";
    std::filesystem::copy(SourceDir() / "system/tp0", dir_,
                          std::filesystem::copy_options::recursive);
    std::filesystem::copy_file(
        SourceDir() / "integration_tests/course-compose/docker-compose.yaml",
        dir_ / "docker-compose.yaml",
        std::filesystem::copy_options::overwrite_existing);
    // Clients that keep sending while the test runs.
    std::ofstream(dir_ / "client/config.yaml")
        << "server:\n  address: \"server:12345\"\nloop:\n  amount: 100000\n"
           "  period: \"100ms\"\nlog:\n  level: INFO\n";
  }
  ~ForeignProject() {
    RunShell(Compose() + "down -t 1 -v --rmi all", dir_, 180);
  }
  ForeignProject(const ForeignProject&) = delete;
  ForeignProject& operator=(const ForeignProject&) = delete;

  std::string Compose() const { return compose_ + " -p " + project_ + " "; }
  const std::string& project() const { return project_; }

  // The container of `service` (compose names it after its version).
  std::string Container(const std::string& service) const {
    const auto r = RunShell(
        "docker ps -a --filter label=com.docker.compose.project=" + project_ +
            " --filter label=com.docker.compose.service=" + service +
            " --format '{{.Names}}'",
        dir_, 30);
    return r.out.substr(0, r.out.find('\n'));
  }
  // docker inspect -f FORMAT of a container.
  std::string Inspect(const std::string& container,
                      const std::string& format) const {
    const auto r =
        RunShell("docker inspect -f '" + format + "' " + container, dir_, 30);
    return r.out.substr(0, r.out.find('\n'));
  }

 private:
  std::filesystem::path dir_;
  std::string project_;
  std::string compose_;
};

// The chaos monkey on containers it did not start, as the original script
// did with docker ps: the same commands and the same outcome lines.
TEST_F(ChaosCliTest, AttachesToAComposeProjectItDidNotStart) {
  if (const auto& missing = DockerUnavailable()) {
    if (IsCi()) FAIL() << "CI=true: " << *missing;
    GTEST_SKIP() << *missing;
  }
  ForeignProject foreign(dir_ / "repo", "chaosattach" + std::to_string(::getpid()));
  auto r = RunShell(foreign.Compose() + "up -d --build", dir_ / "repo", 300);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string server = foreign.Container("server");
  const std::string client = foreign.Container("client");
  ASSERT_FALSE(server.empty());
  ASSERT_FALSE(client.empty());

  r = Chaos("--compose-project " + foreign.project() + " --seed 3",
            "mostrar\nmatar " + server + "\nstart " + server + "\npause " +
                client + "\nresume " + client + "\npartition " + server +
                "\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto lines = Lines(r.out);
  ASSERT_GE(lines.size(), 9u) << r.out;
  EXPECT_EQ(lines[0], "action: chaos | result: in_progress | attached: "
                      "compose project " + foreign.project() + " | seed: 3");
  EXPECT_THAT(lines[1], StartsWith("NAME "));
  EXPECT_THAT(r.out, HasSubstr("action: kill | result: success | target: " +
                               server + " | took_effect: yes"));
  EXPECT_THAT(r.out, HasSubstr("action: start | result: success | target: " +
                               server + " | took_effect: yes"));
  EXPECT_THAT(r.out, HasSubstr("action: pause | result: success | target: " +
                               client + " | took_effect: yes"));
  EXPECT_THAT(r.out, HasSubstr("action: resume | result: success | target: " +
                               client + " | took_effect: yes"));
  // No proxied link: a network fault is refused with the reason.
  EXPECT_THAT(r.out, HasSubstr("network faults need a link that chancho proxies"));
  // The kill landed (SIGKILL: 137) and the start brought the server back.
  EXPECT_EQ(foreign.Inspect(server, "{{.State.Status}}"), "running");
  EXPECT_EQ(foreign.Inspect(client, "{{.State.Status}}"), "running");

  // The auto loop, with the client spared: only the server is a target.
  r = RunChancho("chaos --compose-project " + foreign.project() +
                     " --spare client --seed 5 --auto 0.2 1 --duration 0.5",
                 dir_, 60);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("target: " + server + " | took_effect: yes"));
  EXPECT_THAT(r.out, Not(HasSubstr("target: " + client)));
  EXPECT_EQ(foreign.Inspect(server, "{{.State.ExitCode}}"), "137");
}

TEST_F(ChaosCliTest, AttachingToNothingIsAOneLineError) {
  if (const auto& missing = DockerUnavailable()) {
    if (IsCi()) FAIL() << "CI=true: " << *missing;
    GTEST_SKIP() << *missing;
  }
  auto r = RunChancho("chaos --compose-project no-such-project-here --auto 1 1 "
                      "--duration 1", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "chancho: error: no container in compose project "
                   "no-such-project-here (docker ps -a lists none)\n");
  r = RunChancho("chaos --containers '(' --auto 1 1 --duration 1", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("chancho: error: --containers: ( is not a "
                                "regular expression"));
  r = RunChancho("chaos --run x --compose-project p", dir_);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("excludes"));
}

}  // namespace
}  // namespace chancho::testing
