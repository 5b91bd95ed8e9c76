// The course template's scripts and flows, as the course's own suites use
// them: generar-compose.sh and validar-echo-server.sh under sh and bash, the
// black-box suite on a copy of system/tp0, and the documented commands.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include "fixtures/docker_support.h"
#include "harness/runtime/control/control_commands.h"
#include "harness/runtime/run_dir.h"
#include "integration_tests/cli_support.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

// The course scripts under both shells the course runs them with: sh (dash
// on Debian) and bash. Usage errors, success and failure of each.
TEST_F(CliTest, CourseScriptsRunUnderShAndBash) {
  const std::string tp0 = (SourceDir() / "system/tp0").string();
  const std::string chancho = "env CHANCHO='" + (BinDir() / "chancho").string() + "' ";
  std::ofstream(dir_ / "plain-file") << "not a directory\n";
  // A copy of validar-echo-server.sh with no server/config.ini next to it.
  std::filesystem::create_directories(dir_ / "no-config");
  std::filesystem::copy_file(tp0 + "/validar-echo-server.sh",
                             dir_ / "no-config" / "validar-echo-server.sh");

  auto r = RunChancho("up tp0 --clients 0 --detach", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto at = r.out.rfind("| run: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string run = r.out.substr(at + 7, r.out.find('\n', at) - (at + 7));

  for (const std::string shell : {"sh", "bash"}) {
    SCOPED_TRACE(shell);
    const std::string generar = shell + " '" + tp0 + "/generar-compose.sh'";
    r = RunShell(generar, dir_);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, StartsWith("Uso: "));
    r = RunShell(generar + " out.yaml", dir_);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, StartsWith("Uso: "));
    for (const char* bad : {"tres", "-1", "2x", "''"}) {
      r = RunShell(generar + " out.yaml " + bad, dir_);
      EXPECT_EQ(r.exit_code, 1) << bad;
      EXPECT_THAT(r.err, HasSubstr("entero no negativo")) << bad;
    }
    r = RunShell(generar + " plain-file/out.yaml 2", dir_);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, StartsWith("Error: no se puede"));
    r = RunShell(generar + " '" + shell + "/compose.yaml' 03", dir_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ostringstream yaml;
    yaml << std::ifstream(dir_ / shell / "compose.yaml").rdbuf();
    EXPECT_THAT(yaml.str(), HasSubstr("  client3:\n    container_name: client3\n"
                                      "    image: client:latest\n"));
    EXPECT_THAT(yaml.str(), HasSubstr("      - CLI_ID=3\n"));
    EXPECT_THAT(yaml.str(), Not(HasSubstr("client4")));
    EXPECT_THAT(yaml.str(), HasSubstr("    image: server:latest\n"));
    EXPECT_THAT(yaml.str(), HasSubstr("'" + tp0 + "/server/config.ini:/config.ini'"));

    const std::string validar = chancho + shell + " '" + tp0 + "/validar-echo-server.sh'";
    for (const char* bad : {" --run", " --bogus", " --run '' ", " --run a b"}) {
      r = RunShell(validar + bad, dir_);
      EXPECT_EQ(r.exit_code, 1) << bad;
      EXPECT_THAT(r.err, StartsWith("Uso: ")) << bad;
      EXPECT_EQ(r.out, "") << bad;
    }
    r = RunShell(validar, dir_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "action: test_echo_server | result: success\n");
    r = RunShell(validar + " --run '" + run + "'", dir_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "action: test_echo_server | result: success\n");
    r = RunShell(chancho + shell + " no-config/validar-echo-server.sh", dir_);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.out, StartsWith("action: test_echo_server | result: fail | "
                                  "reason: no SERVER_PORT in "));
  }

  r = RunChancho("ctl stop server 1000", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string shell : {"sh", "bash"}) {
    SCOPED_TRACE(shell);
    r = RunShell(chancho + shell + " '" + tp0 + "/validar-echo-server.sh' --run '" +
                     run + "'",
                 dir_);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.out, StartsWith("action: test_echo_server | result: fail | reason: "));
  }
}

// `docker compose` (v2) where it answers, else `docker-compose` (v1).
std::string ComposeCli(const std::filesystem::path& dir) {
  return RunShell("docker compose version", dir, 30).exit_code == 0
             ? "docker compose"
             : "docker-compose";
}

// Runs the sh `condition` every 0.1 s until it holds, for at most
// `timeout_s`; false if it never did. The condition must not hold single
// quotes.
bool PollUntil(const std::string& condition, const std::filesystem::path& dir,
               int timeout_s) {
  return RunShell("sh -c 'until " + condition + "; do sleep 0.1; done'", dir,
                  timeout_s)
             .exit_code == 0;
}

// A repository made of system/tp0's files (a copy of the directory), where
// the course's flows run. Whatever a test does with it, its destructor
// brings the compose project of docker-compose-dev.yaml down (containers and
// network), stops the log follower, and puts server:latest and
// client:latest back as they were (removed if they did not exist).
class CourseRepo {
 public:
  CourseRepo(std::filesystem::path dir, std::string compose)
      : dir_(std::move(dir)), compose_(std::move(compose)) {
    std::filesystem::remove_all(dir_);
    std::filesystem::copy(SourceDir() / "system/tp0", dir_,
                          std::filesystem::copy_options::recursive);
    std::filesystem::remove(dir_ / "docker-compose-dev.yaml");
    for (const char* tag : {"server:latest", "client:latest"}) {
      images_before_[tag] = ImageId(tag);
    }
  }
  ~CourseRepo() {
    RunShell(compose_ + " -f docker-compose-dev.yaml down -t 1", dir_, 120);
    if (std::filesystem::exists(dir_ / kLogsPid)) {
      // Once the project is down the follower ends by itself.
      if (!PollUntil("! kill -0 $(cat " + std::string(kLogsPid) + ") 2>/dev/null",
                     dir_, 30)) {
        RunShell("sh -c 'kill $(cat " + std::string(kLogsPid) + ")'", dir_, 10);
      }
    }
    for (const auto& [tag, before] : images_before_) {
      const std::string now = ImageId(tag);
      if (now.empty() || now == before) continue;
      if (!before.empty()) RunShell("docker tag " + before + " " + tag, dir_, 30);
      RunShell("docker rmi " + now, dir_, 60);
    }
  }
  CourseRepo(const CourseRepo&) = delete;
  CourseRepo& operator=(const CourseRepo&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  // `compose -f docker-compose-dev.yaml ` (with the trailing space).
  std::string Compose() const { return compose_ + " -f docker-compose-dev.yaml "; }

  // Starts `command` (one that follows the logs) in the background, with its
  // output in compose-logs.txt; it gives up after 300 s.
  CommandResult FollowLogs(const std::string& command) {
    return RunShell("sh -c 'timeout 300 " + command + " >" + kLogs +
                        " 2>&1 & echo $! >" + kLogsPid + "'",
                    dir_, 10);
  }
  // Waits until the followed logs hold `count` lines with `text` (no single
  // or double quotes).
  bool WaitForLogs(const std::string& text, int count, int timeout_s) const {
    return PollUntil("[ \"$(grep -c -F \"" + text + "\" " + kLogs + ")\" -ge " +
                         std::to_string(count) + " ]",
                     dir_, timeout_s);
  }
  std::string Logs() const {
    std::ostringstream logs;
    logs << std::ifstream(dir_ / kLogs).rdbuf();
    return logs.str();
  }

 private:
  static constexpr char kLogs[] = "compose-logs.txt";
  static constexpr char kLogsPid[] = "compose-logs.pid";

  std::string ImageId(const std::string& tag) const {
    const auto r = RunShell("docker image inspect -f '{{.Id}}' " + tag, dir_, 30);
    return r.exit_code == 0 ? r.out.substr(0, r.out.find('\n')) : "";
  }

  std::filesystem::path dir_;
  std::string compose_;
  std::map<std::string, std::string> images_before_;
};

// The course's flows need Docker: skipped without it, failed under CI=true.
class CourseFlowTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (DockerUnavailable()) {
      if (IsCi()) FAIL() << "CI=true: " << *DockerUnavailable();
      GTEST_SKIP() << *DockerUnavailable();
    }
  }
};

// The course template's black-box suite, against a repository made of
// system/tp0's files: it builds ./server/Dockerfile and ./client/Dockerfile
// (context .), writes the two config files, `bash generar-compose.sh`,
// `docker compose up -d` with no -p, follows `docker compose logs -f`, and
// runs `sh validar-echo-server.sh`; then the documented
// `docker compose -f docker-compose-dev.yaml down -t 15`.
TEST_F(CourseFlowTest, CourseTemplateFlowOnDocker) {
  CourseRepo repo(dir_ / "tp0-course", ComposeCli(dir_));
  const auto& dir = repo.dir();
  auto r = RunShell("docker build -f ./server/Dockerfile -t server:latest .", dir, 300);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunShell("docker build -f ./client/Dockerfile -t client:latest .", dir, 300);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Not the image's defaults, so that the run shows the files were used.
  std::ofstream(dir / "server" / "config.ini")
      << "[DEFAULT]\nSERVER_PORT = 12346\nSERVER_IP =\n"
         "SERVER_LISTEN_BACKLOG = 5\nLOGGING_LEVEL = INFO\n";
  std::ofstream(dir / "client" / "config.yaml")
      << "server:\n  address: \"server:12346\"\nloop:\n  amount: 3\n"
         "  period: \"100ms\"\nlog:\n  level: INFO\n";
  r = RunShell("bash generar-compose.sh docker-compose-dev.yaml 3", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = RunShell(repo.Compose() + "up -d", dir, 120);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = repo.FollowLogs(repo.Compose() + "logs -f");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(repo.WaitForLogs("action: accept_connections | result: in_progress", 1, 30))
      << repo.Logs();
  EXPECT_THAT(repo.Logs(), HasSubstr("action: config | result: success | server_port: 12346"));

  for (const std::string shell : {"sh", "bash"}) {
    r = RunShell(shell + " validar-echo-server.sh", dir, 90);
    EXPECT_EQ(r.exit_code, 0) << shell << ": " << r.err;
    EXPECT_EQ(r.out, "action: test_echo_server | result: success\n") << shell;
  }
  EXPECT_TRUE(repo.WaitForLogs("msg: Hola, soy un mensaje de prueba", 2, 30)) << repo.Logs();
  EXPECT_TRUE(repo.WaitForLogs("action: loop_finished | result: success", 3, 60))
      << repo.Logs();
  for (int i = 1; i <= 3; ++i) {
    EXPECT_THAT(repo.Logs(), HasSubstr("action: loop_finished | result: success | "
                                       "client_id: " + std::to_string(i)));
  }

  // The project is the directory's: its network, <project>_testing_net.
  r = RunShell("docker container inspect -f "
               "'{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' server",
               dir, 30);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string network = r.out.substr(0, r.out.find('\n'));
  EXPECT_THAT(network, MatchesRegex("tp0-?course_testing_net"));

  r = RunShell("docker stop -t 1 server", dir, 30);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunShell("docker inspect -f '{{.State.ExitCode}}' server", dir, 30);
  EXPECT_EQ(r.out, "0\n");
  for (const std::string shell : {"sh", "bash"}) {
    r = RunShell(shell + " validar-echo-server.sh", dir, 90);
    EXPECT_EQ(r.exit_code, 1) << shell;
    EXPECT_EQ(r.out, "action: test_echo_server | result: fail | reason: no echo from "
                     "server:12346 in network " + network + "\n")
        << shell;
  }
  r = RunShell(repo.Compose() + "down -t 15", dir, 120);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(RunShell("docker container inspect server", dir, 30).exit_code, 0);
  EXPECT_NE(RunShell("docker network inspect " + network, dir, 30).exit_code, 0);
}

// The course's documented flow, verbatim, with the Makefile's targets:
// ./generar-compose.sh, make docker-compose-up, make docker-compose-logs,
// ./validar-echo-server.sh, make docker-compose-down.
TEST_F(CourseFlowTest, CourseDocumentedFlowWithMake) {
  CourseRepo repo(dir_ / "tp0-make", ComposeCli(dir_));
  const auto& dir = repo.dir();
  auto r = RunShell("./generar-compose.sh docker-compose-dev.yaml 5", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunShell("make docker-compose-up", dir, 300);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = repo.FollowLogs("make docker-compose-logs");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(repo.WaitForLogs("action: accept_connections | result: in_progress", 1, 30))
      << repo.Logs();
  r = RunShell("./validar-echo-server.sh", dir, 90);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "action: test_echo_server | result: success\n");
  EXPECT_TRUE(repo.WaitForLogs("action: loop_finished | result: success", 5, 60))
      << repo.Logs();
  r = RunShell("make docker-compose-down", dir, 120);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* name : {"server", "client1", "client5"}) {
    EXPECT_NE(RunShell(std::string("docker container inspect ") + name, dir, 30).exit_code,
              0)
        << name;
  }
}


// `chancho up -f` runs a compose file that a student wrote by hand in the
// course layout (integration_tests/course-compose), as it is: compose
// builds its images from server/Dockerfile and client/Dockerfile, Chancho's
// labels go in an override file in the run directory, and ps, logs, ctl,
// chaos and down work on it. The user's file is not touched.
TEST_F(CourseFlowTest, UpRunsAHandWrittenComposeFileAsItIs) {
  const auto repo = dir_ / "repo";
  std::filesystem::copy(SourceDir() / "system/tp0", repo,
                        std::filesystem::copy_options::recursive);
  std::filesystem::copy_file(
      SourceDir() / "integration_tests/course-compose/docker-compose.yaml",
      repo / "docker-compose.yaml");
  // A client that keeps sending while the test looks.
  std::ofstream(repo / "client/config.yaml")
      << "server:\n  address: \"server:12345\"\nloop:\n  amount: 100000\n"
         "  period: \"100ms\"\nlog:\n  level: INFO\n";
  const std::string before = ReadFile(repo / "docker-compose.yaml");
  // The images that compose builds go when the test does.
  struct Images {
    std::filesystem::path dir;
    ~Images() {
      RunShell("docker rmi chancho-course/server:latest "
               "chancho-course/client:latest",
               dir, 120);
    }
  } images{dir_};

  auto r = RunChancho("up -f repo/docker-compose.yaml --detach", dir_, 300);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("action: up | result: success"));
  const auto ps = [&] {
    const auto out = RunChancho("ps --json", dir_);
    std::map<std::string, ReplicaStatus> by_name;
    for (auto& s : StatusesFromJson(out.out)) by_name[s.name] = s;
    return by_name;
  };
  auto replicas = ps();
  ASSERT_EQ(replicas.size(), 2u);
  EXPECT_EQ(replicas["server"].state, ReplicaState::kRunning);
  EXPECT_EQ(replicas["client"].state, ReplicaState::kRunning);
  EXPECT_EQ(replicas["client"].role, "client");

  // The client talks to the server by the name the user's network gives.
  EXPECT_TRUE(PollUntil((BinDir() / "chancho").string() +
                            " logs client | grep -q \"result: success\"",
                        dir_, 60))
      << RunChancho("logs client", dir_).out;

  r = RunChancho("ctl pause server", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ps()["server"].state, ReplicaState::kPaused);
  r = RunChancho("ctl resume server", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::ofstream(dir_ / "commands.txt") << "matar client\n";
  r = RunChancho("chaos --seed 1 < commands.txt", dir_);
  EXPECT_THAT(r.out, HasSubstr("action: kill | result: success | target: "
                               "client | took_effect: yes"));
  EXPECT_EQ(ps()["client"].state, ReplicaState::kExited);

  // The run's labels came from the override file, not the user's file.
  std::string run;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / ".chancho/runs")) {
    run = entry.path().filename().string();
  }
  const std::string override_file =
      ReadFile(dir_ / ".chancho/runs" / run / "compose.override.yaml");
  EXPECT_THAT(override_file, HasSubstr("com.chancho.run: " + run));

  r = RunChancho("down --grace 2000", dir_, 120);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunShell("docker ps -aq --filter label=com.chancho.run=" + run, dir_);
  EXPECT_EQ(r.out, "") << "containers of the run were left";
  EXPECT_EQ(ReadFile(repo / "docker-compose.yaml"), before);
}

TEST_F(CliTest, UpWithAComposeFileIsForTheDockerRuntime) {
  std::ofstream(dir_ / "docker-compose.yaml")
      << "services:\n  web:\n    image: nothing:latest\n";
  auto r = RunChancho("up -f docker-compose.yaml --runtime process", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "chancho: error: -f runs a compose file on the Docker "
                   "runtime (--runtime docker); a spec runs on either\n");
  r = RunChancho("up tp0 -f docker-compose.yaml", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "chancho: error: give a spec or -f docker-compose.yaml, "
                   "not both\n");
  std::ofstream(dir_ / "bad.yaml") << "services: [\n";
  r = RunChancho("up -f bad.yaml", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("chancho: error: bad.yaml: "));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace chancho::testing
