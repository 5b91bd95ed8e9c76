// The chancho CLI end to end: help on every subcommand, one-line errors, and
// the life of a detached run (up, ps, logs, ctl, probe, wait, down).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>

#include "fixtures/docker_support.h"
#include "harness/runtime/control/control_commands.h"
#include "integration_tests/cli_support.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;


TEST_F(CliTest, EverySubcommandHasHelp) {
  for (const char* sub : {"", "compose", "up", "down", "ps", "logs", "probe",
                          "probe echo", "probe shutdown", "ctl", "wait",
                          "compare", "run", "chaos", "collect"}) {
    const auto r = RunChancho(std::string(sub) + " --help", dir_);
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_THAT(r.out, HasSubstr("Usage:")) << sub;
  }
}

// chancho collect packs run directories, the engine's report and the
// versions, leaves out what is not a file or too big (and says so), and
// leaves no scratch directory behind.
TEST_F(CliTest, CollectPacksRunsAndReports) {
  const auto run = dir_ / "runs" / "20261206T000000Z-abc";
  std::filesystem::create_directories(run / "logs");
  std::ofstream(run / "logs" / "server.log") << "action: listen | result: success\n";
  std::ofstream(run / "record.json") << "{}\n";
  // Sparse: 100 MB to the file system's eyes, nothing on disk.
  std::ofstream(run / "huge.bin").close();
  ASSERT_EQ(::truncate((run / "huge.bin").c_str(), 100 << 20), 0);
  ASSERT_EQ(::mkfifo((run / "fifo").c_str(), 0600), 0);

  auto r = RunChancho("collect runs/20261206T000000Z-abc -o out/bundle.tar.gz", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "action: collect | result: success | runs: 1 | bundle: " +
                       (dir_ / "out" / "bundle.tar.gz").string() + "\n");
  r = RunShell("tar -tzf out/bundle.tar.gz", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* entry :
       {"chancho-bundle/MANIFEST.txt", "chancho-bundle/versions.txt",
        "chancho-bundle/engine.txt",
        "chancho-bundle/runs/1-20261206T000000Z-abc/logs/server.log",
        "chancho-bundle/runs/1-20261206T000000Z-abc/record.json"}) {
    EXPECT_THAT(r.out, HasSubstr(std::string(entry) + "\n")) << r.out;
  }
  EXPECT_THAT(r.out, Not(HasSubstr("huge.bin")));
  r = RunShell("tar -xzOf out/bundle.tar.gz chancho-bundle/MANIFEST.txt", dir_);
  EXPECT_THAT(r.out, HasSubstr("left out (104857600 bytes): " +
                               (run / "huge.bin").string()));
  EXPECT_THAT(r.out, HasSubstr("left out (not a file): " + (run / "fifo").string()));
  r = RunShell("tar -xzOf out/bundle.tar.gz chancho-bundle/versions.txt", dir_);
  EXPECT_THAT(r.out, StartsWith("chancho "));
  EXPECT_THAT(r.out, HasSubstr("$ docker version\n"));
  r = RunShell("ls -d /tmp/chancho-collect-* 2>/dev/null | wc -l", dir_);
  EXPECT_EQ(r.out, "0\n") << "a scratch directory was left in /tmp";

  r = RunChancho("collect nowhere -o x.tar.gz", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "chancho: error: nowhere: not a directory\n");
}

TEST_F(CliTest, ErrorsAreOneLine) {
  std::ofstream(dir_ / "bad.json")
      << R"({"name": "x", "services": [{"name": "a", "command": ["sleep"], "replicas": "three"}]})";
  auto r = RunChancho("compose bad.json", dir_);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err,
            "chancho: error: bad.json: /services/0/replicas: expected a "
            "positive integer, got \"three\"\n");
  r = RunChancho("ps --run /nonexistent", dir_);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_THAT(r.err, StartsWith("chancho: error: "));
  r = RunChancho("ps", dir_);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("no live run"));
  r = RunChancho("frobnicate", dir_);
  EXPECT_NE(r.exit_code, 0);
}

TEST_F(CliTest, ComposeTp0) {
  const auto r = RunChancho("compose tp0 --clients 3 -o out/compose.yaml", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ostringstream yaml;
  yaml << std::ifstream(dir_ / "out" / "compose.yaml").rdbuf();
  EXPECT_THAT(yaml.str(), HasSubstr("client3:"));
  EXPECT_THAT(yaml.str(), Not(HasSubstr("client4:")));
  EXPECT_THAT(yaml.str(), HasSubstr("testing_net"));
}

TEST_F(CliTest, DetachedRunLifecycle) {
  // Clients that loop long enough to be seen running, then finish.
  auto r = RunShell("'" + (BinDir() / "chancho").string() +
                        "' up tp0 --clients 2 --detach",
                    dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("action: up | result: success"));

  r = RunChancho("ps --json", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto statuses = StatusesFromJson(r.out);
  ASSERT_EQ(statuses.size(), 3u);
  EXPECT_EQ(statuses[0].name, "server");
  EXPECT_EQ(statuses[0].state, ReplicaState::kRunning);

  r = RunChancho("probe echo --target server:12345 --message 'cli probe'", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "action: test_echo_server | result: success\n");

  r = RunChancho("wait client1 client2 --timeout 30", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  r = RunChancho("logs client1", dir_);
  EXPECT_THAT(r.out, HasSubstr("action: loop_finished | result: success | client_id: 1"));

  r = RunChancho("ctl start client1", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunChancho("ps --json", dir_);
  EXPECT_EQ(StatusesFromJson(r.out)[1].restarts, 1);

  r = RunChancho("ctl pause nobody", dir_);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("no replica named \"nobody\""));

  r = RunChancho("probe shutdown server --timeout 1", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, StartsWith("action: graceful_shutdown | result: success"));

  r = RunChancho("probe echo --target server:12345 --timeout 1", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, StartsWith("action: test_echo_server | result: fail | reason: "));

  r = RunChancho("down", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunChancho("ps", dir_);
  EXPECT_NE(r.exit_code, 0);
}


TEST_F(CliTest, GenerarComposeChecksItsArgumentsAndWritesAValidFile) {
  const std::string script =
      "env CHANCHO='" + (BinDir() / "chancho").string() + "' '" +
      (SourceDir() / "system/tp0/generar-compose.sh").string() + "'";
  auto r = RunShell(script, dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("Uso: "));
  r = RunShell(script + " out.yaml tres", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("entero no negativo"));
  r = RunShell(script + " out.yaml -1", dir_);
  EXPECT_EQ(r.exit_code, 1);
  r = RunShell(script + " out.yaml 4", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ostringstream yaml;
  yaml << std::ifstream(dir_ / "out.yaml").rdbuf();
  EXPECT_THAT(yaml.str(), HasSubstr("client4:"));
  EXPECT_THAT(yaml.str(), Not(HasSubstr("client5:")));
  r = RunShell("docker-compose -p tp0 -f out.yaml config -q", dir_);
  EXPECT_EQ(r.exit_code, 0) << "docker-compose rejected the file: " << r.err;
  r = RunShell(script + " zero.yaml 0", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunShell("docker-compose -p tp0 -f zero.yaml config -q", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CliTest, ValidarEchoServerReadsThePortFromTheServerConfig) {
  auto r = RunChancho("up tp0 --clients 0 --detach", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string script =
      "env CHANCHO='" + (BinDir() / "chancho").string() + "' '" +
      (SourceDir() / "system/tp0/validar-echo-server.sh").string() + "'";
  r = RunShell(script, dir_);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "action: test_echo_server | result: success\n");
  RunChancho("ctl stop server 1000", dir_);
  r = RunShell(script, dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, StartsWith("action: test_echo_server | result: fail | reason: "));
}

// A detached up whose system does not come up says why once: the
// supervisor's failure line and status table, and no second error.
TEST_F(CliTest, ADetachedUpThatFailsSaysWhyOnce) {
  std::ofstream(dir_ / "broken.json") << R"({
    "name": "broken",
    "services": [
      {"name": "dies", "command": ["sh", "-c", "echo bye; exit 3"],
       "readiness": {"log": "^never"}}
    ]
  })";
  const auto r = RunChancho("up broken.json --detach --runs-root runs", dir_, 60);
  EXPECT_NE(r.exit_code, 0);
  const auto errors = [&] {
    std::size_t n = 0;
    for (std::size_t at = r.err.find("error: "); at != std::string::npos;
         at = r.err.find("error: ", at + 1)) {
      ++n;
    }
    return n;
  };
  EXPECT_EQ(errors(), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("action: up | result: fail | error: replica dies"));
  EXPECT_THAT(r.err, HasSubstr("code 3"));  // the table: how it ended
  EXPECT_THAT(r.err, Not(HasSubstr("the supervisor exited before")));
}

TEST_F(CliTest, UpRunsASpecFileAndCtrlCBringsItDownGracefully) {
  std::ofstream(dir_ / "spec.json") << R"({
    "name": "shells",
    "services": [
      {"name": "ticker", "replicas": 2, "command": ["sh", "-c",
        "trap 'echo bye; exit 0' TERM; echo \"up $REPLICA_NAME\"; while :; do sleep 0.05; done"],
       "readiness": {"log": "^up "}}
    ]
  })";
  // Foreground `up` in the background of a shell, interrupted like Ctrl-C.
  const auto r = RunShell(
      "sh -c '\"" + (BinDir() / "chancho").string() +
          "\" up spec.json --runs-root runs > up.out 2>&1 & pid=$!; "
          "while ! ls runs/*/up >/dev/null 2>&1; do sleep 0.05; done; "
          "kill -INT $pid; wait $pid; echo exit=$?'",
      dir_, 60);
  EXPECT_THAT(r.out, HasSubstr("exit=0"));
  std::ostringstream up;
  up << std::ifstream(dir_ / "up.out").rdbuf();
  EXPECT_THAT(up.str(), HasSubstr("action: up | result: success"));
  EXPECT_THAT(up.str(), HasSubstr("signal: SIGINT"));
  EXPECT_THAT(up.str(), HasSubstr("ticker-1  exited"));
  EXPECT_THAT(up.str(), HasSubstr("code 0"));
  EXPECT_THAT(up.str(), Not(HasSubstr("SIGKILL")));
}


TEST_F(CliTest, DockerRunThroughTheSameCommands) {
  if (DockerUnavailable()) {
    if (IsCi()) FAIL() << "CI=true: " << *DockerUnavailable();
    GTEST_SKIP() << *DockerUnavailable();
  }
  auto r = RunChancho("up tp0 --clients 2 --runtime docker --detach", dir_, 180);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunChancho("ps --json", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(StatusesFromJson(r.out).size(), 3u);
  r = RunShell("env CHANCHO='" + (BinDir() / "chancho").string() + "' '" +
                   (SourceDir() / "system/tp0/validar-echo-server.sh").string() +
                   "'",
               dir_);
  EXPECT_EQ(r.out, "action: test_echo_server | result: success\n") << r.err;
  r = RunChancho("wait client1 client2 --timeout 60", dir_, 90);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunChancho("probe shutdown server --timeout 10", dir_, 60);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunChancho("down", dir_, 120);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}



TEST_F(CliTest, DownAllBringsDownEveryLiveRun) {
  for (int i = 0; i < 2; ++i) {
    const auto r = RunChancho("up tp0 --clients 0 --detach", dir_);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  std::vector<std::filesystem::path> runs;
  for (const auto& e : std::filesystem::directory_iterator(dir_ / ".chancho/runs")) {
    runs.push_back(e.path());
  }
  ASSERT_EQ(runs.size(), 2u);
  for (const auto& run : runs) {
    EXPECT_EQ(RunChancho("ps --run '" + run.string() + "'", dir_).exit_code, 0);
  }
  const auto r = RunChancho("down --all --grace 2000", dir_, 120);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("action: down_all | result: success"));
  for (const auto& run : runs) {
    EXPECT_THAT(r.out, HasSubstr("run: " + run.string()));
    EXPECT_NE(RunChancho("ps --run '" + run.string() + "'", dir_).exit_code, 0);
  }
}

}  // namespace
}  // namespace chancho::testing
