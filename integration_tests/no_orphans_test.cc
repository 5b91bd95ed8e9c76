// When the harness dies by SIGKILL, every process it started is gone within
// 1 s (PR_SET_PDEATHSIG), and the next run can use the machine as before.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "harness/runtime/control/control.h"
#include "harness/runtime/control/control_commands.h"
#include "harness/runtime/run_dir.h"
#include "integration_tests/cli_support.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Alive and not a zombie waiting for init to reap it.
bool Running(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), {});
  const auto paren = content.rfind(')');
  if (paren == std::string::npos || paren + 2 >= content.size()) return false;
  return content[paren + 2] != 'Z' && content[paren + 2] != 'X';
}

TEST(NoOrphans, SigkillOfTheHarnessTakesEveryReplicaWithIt) {
  const auto dir = BinDir().parent_path() / "test-orphans";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "tp0" / "server");
  std::filesystem::create_directories(dir / "tp0" / "client");
  std::filesystem::copy_file(SourceDir() / "system/tp0/server/config.ini",
                             dir / "tp0/server/config.ini");
  // Clients that would run for hours.
  std::ofstream(dir / "tp0/client/config.yaml")
      << "server:\n  address: \"server:12345\"\nloop:\n  amount: 1000000\n"
         "  period: \"50ms\"\nlog:\n  level: INFO\n";

  const std::string chancho = (BinDir() / "chancho").string();
  const std::string runs = (dir / "runs").string();
  const std::string tp0 = (dir / "tp0").string();
  const pid_t harness = ::fork();
  ASSERT_GE(harness, 0);
  if (harness == 0) {
    ::execl(chancho.c_str(), "chancho", "up", "tp0", "--clients", "3",
            "--tp0-dir", tp0.c_str(), "--runs-root", runs.c_str(), nullptr);
    ::_exit(127);
  }
  // Waits for the run to report itself up.
  std::filesystem::path run_dir;
  const auto deadline = Clock::now() + seconds(30);
  while (run_dir.empty() && Clock::now() < deadline) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(runs, ec)) {
      if (std::filesystem::exists(e.path() / "up")) run_dir = e.path();
    }
    if (run_dir.empty()) std::this_thread::sleep_for(milliseconds(10));
  }
  if (run_dir.empty()) {
    ::kill(harness, SIGKILL);
    ::waitpid(harness, nullptr, 0);
    FAIL() << "chancho up did not report the system up within 30 s";
  }
  std::string name = ReadFile(run_dir / "control");
  name.pop_back();
  const auto statuses =
      StatusesFromJson(ControlRequest(name, "ps", seconds(5)));
  ASSERT_EQ(statuses.size(), 4u);
  std::vector<int> pids;
  for (const auto& s : statuses) {
    ASSERT_EQ(s.state, ReplicaState::kRunning) << s.name;
    ASSERT_TRUE(Running(s.pid)) << s.name;
    pids.push_back(s.pid);
  }

  ASSERT_EQ(::kill(harness, SIGKILL), 0);
  ASSERT_EQ(::waitpid(harness, nullptr, 0), harness);
  const auto killed = Clock::now();
  for (int pid : pids) {
    while (Running(pid) && Clock::now() - killed < seconds(1)) {
      std::this_thread::sleep_for(milliseconds(1));
    }
    EXPECT_FALSE(Running(pid)) << "pid " << pid << " outlived the harness by 1 s";
  }
  // The dead harness's control socket went with it.
  EXPECT_THROW(ControlRequest(name, "ps", seconds(1)), Error);
  std::filesystem::remove_all(dir);
}

// The processes whose environment says CHANCHO_RUN_DIR=`run_dir` and whose
// command is `program`.
std::vector<int> ProcessesOfRun(const std::filesystem::path& run_dir,
                                const std::string& program) {
  std::vector<int> pids;
  const std::string needle = "CHANCHO_RUN_DIR=" + run_dir.string();
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream environ(e.path() / "environ", std::ios::binary);
    std::string env((std::istreambuf_iterator<char>(environ)), {});
    std::ifstream cmdline(e.path() / "cmdline", std::ios::binary);
    std::string argv0;
    std::getline(cmdline, argv0, '\0');
    if (env.find(needle + '\0') != std::string::npos &&
        std::filesystem::path(argv0).filename() == program) {
      pids.push_back(std::stoi(name));
    }
  }
  return pids;
}

// A service that double-forks a daemon: the daemon leaves the replica's
// process group and session (setsid), and PR_SET_PDEATHSIG, which is not
// inherited across fork, does not reach it. The run's reaper does.
TEST(NoOrphans, ADaemonThatAReplicaForkedDiesWithTheHarness) {
  const auto dir = BinDir().parent_path() / "test-orphans-daemon";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // The subshell forks, setsid(1) forks again into a new session, and the
  // subshell exits: `sleep 3001` is an orphan of the run. Ready once the
  // daemon is on its way.
  std::ofstream(dir / "compose-spec.json") << R"({
    "name": "daemon",
    "services": [{
      "name": "forker",
      "command": ["sh", "-c", "(setsid sleep 3001 &); echo daemon started; exec sleep 3000"],
      "readiness": {"log": "daemon started", "timeout": 30}
    }]
  })";
  const std::string chancho = (BinDir() / "chancho").string();
  const std::string runs = (dir / "runs").string();
  const std::string spec = (dir / "compose-spec.json").string();
  const pid_t harness = ::fork();
  ASSERT_GE(harness, 0);
  if (harness == 0) {
    ::execl(chancho.c_str(), "chancho", "up", spec.c_str(), "--runs-root", runs.c_str(),
            nullptr);
    ::_exit(127);
  }
  std::filesystem::path run_dir;
  std::vector<int> daemons;
  const auto deadline = Clock::now() + seconds(30);
  while (daemons.empty() && Clock::now() < deadline) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(runs, ec)) {
      if (std::filesystem::exists(e.path() / "up")) run_dir = e.path();
    }
    if (!run_dir.empty()) daemons = ProcessesOfRun(run_dir, "sleep");
    if (daemons.size() < 2) {
      daemons.clear();
      std::this_thread::sleep_for(milliseconds(10));
    }
  }
  if (daemons.empty()) {
    ::kill(harness, SIGKILL);
    ::waitpid(harness, nullptr, 0);
    FAIL() << "the run did not come up with its daemon within 30 s";
  }
  // The replica (sleep 3000) and the daemon (sleep 3001), which is in a
  // session of its own.
  ASSERT_EQ(daemons.size(), 2u);
  bool other_session = false;
  for (int pid : daemons) other_session |= ::getsid(pid) != ::getsid(harness) && ::getsid(pid) == pid;
  ASSERT_TRUE(other_session) << "no daemon left the harness's session";

  ASSERT_EQ(::kill(harness, SIGKILL), 0);
  ASSERT_EQ(::waitpid(harness, nullptr, 0), harness);
  const auto killed = Clock::now();
  for (int pid : daemons) {
    while (Running(pid) && Clock::now() - killed < seconds(1)) {
      std::this_thread::sleep_for(milliseconds(1));
    }
    EXPECT_FALSE(Running(pid)) << "pid " << pid << " outlived the harness by 1 s";
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chancho::testing
