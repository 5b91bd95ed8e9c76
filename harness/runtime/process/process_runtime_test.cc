#include "harness/runtime/process/process_runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "harness/runtime/control/control.h"
#include "harness/runtime/control/control_commands.h"
#include "harness/runtime/run_dir.h"

namespace chancho {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

ReplicaPlan Shell(const std::string& name, const std::string& script) {
  ReplicaPlan plan;
  plan.name = name;
  plan.service = name;
  plan.command = {"sh", "-c", script};
  return plan;
}

// A shell that sets `trap` and then loops, ready once the trap is set.
ReplicaPlan Armed(const std::string& name, const std::string& trap) {
  ReplicaPlan plan =
      Shell(name, trap + "; echo armed; while :; do sleep 0.01; done");
  plan.readiness.kind = Readiness::Kind::kLogLine;
  plan.readiness.pattern = "^armed$";
  return plan;
}

class ProcessRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("chancho-runtime-test-" + std::to_string(::getpid()));
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<ProcessRuntime> Make(std::vector<ReplicaPlan> replicas) {
    Deployment deployment;
    deployment.project = "test";
    deployment.spec_dir = root_;
    deployment.replicas = std::move(replicas);
    RuntimeOptions options;
    options.runs_root = root_;
    return std::make_unique<ProcessRuntime>(std::move(deployment), options);
  }

  static bool Alive(int pid) { return pid > 0 && ::kill(pid, 0) == 0; }

  std::filesystem::path root_;
};

TEST_F(ProcessRuntimeTest, EveryReplicaGetsItsOwnLoopbackAddressAndHostsEntry) {
  ReplicaPlan a_plan = Shell("a", "echo bind=$CHANCHO_BIND_IP; exec sleep 30");
  a_plan.readiness.kind = Readiness::Kind::kLogLine;
  a_plan.readiness.pattern = "^bind=";
  auto runtime = Make({a_plan, Shell("b", "exec sleep 30")});
  runtime->Up();
  const auto a = runtime->Status("a");
  const auto b = runtime->Status("b");
  EXPECT_NE(a.address, b.address);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(a.address, m, std::regex(R"((127\.\d+\.\d+)\.\d+)")));
  EXPECT_EQ(b.address.rfind(m[1].str() + ".", 0), 0u) << "same /24";
  const std::string hosts = ReadFile(runtime->run_dir() / "hosts");
  EXPECT_THAT(hosts, HasSubstr(a.address + " a\n"));
  EXPECT_THAT(hosts, HasSubstr(b.address + " b\n"));
  ASSERT_TRUE(runtime->Status("a").ready);
  EXPECT_THAT(runtime->Logs("a"), HasSubstr("bind=" + a.address + "\n"));
}

TEST_F(ProcessRuntimeTest, LogLineReadinessWaitsForTheLine) {
  ReplicaPlan plan = Shell("slow", "sleep 0.2; echo 'action: ready'; exec sleep 30");
  plan.readiness.kind = Readiness::Kind::kLogLine;
  plan.readiness.pattern = "action: ready";
  auto runtime = Make({plan});
  runtime->Start("slow");
  EXPECT_FALSE(runtime->Status("slow").ready);
  ASSERT_TRUE(runtime->WaitReady("slow", seconds(5)));
  EXPECT_THAT(runtime->Logs("slow"), HasSubstr("action: ready"));
}

TEST_F(ProcessRuntimeTest, ReadinessFailsWhenTheReplicaExitsFirst) {
  ReplicaPlan plan = Shell("dies", "exit 3");
  plan.readiness.kind = Readiness::Kind::kLogLine;
  plan.readiness.pattern = "never";
  plan.readiness.timeout_s = 5;
  auto runtime = Make({plan});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(runtime->Up(), Error);
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(4));
  auto status = runtime->WaitExit("dies", seconds(5));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->exit_code, 3);
}

TEST_F(ProcessRuntimeTest, KillThenStartCountsARestart) {
  auto runtime = Make({Shell("victim", "exec sleep 30")});
  runtime->Up();
  const int first_pid = runtime->Status("victim").pid;
  runtime->Kill("victim", SIGKILL);
  auto status = runtime->WaitExit("victim", seconds(5));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, ReplicaState::kExited);
  EXPECT_EQ(status->term_signal, SIGKILL);
  EXPECT_FALSE(Alive(first_pid));
  runtime->Start("victim");
  const auto again = runtime->Status("victim");
  EXPECT_EQ(again.state, ReplicaState::kRunning);
  EXPECT_EQ(again.restarts, 1);
  EXPECT_NE(again.pid, first_pid);
}

TEST_F(ProcessRuntimeTest, StopIsGracefulThenForced) {
  // Each is ready once its trap is set, so SIGTERM never precedes it.
  auto runtime = Make({Armed("polite", "trap 'exit 0' TERM"),
                       Armed("stubborn", "trap '' TERM")});
  runtime->Up();
  runtime->Stop("polite", seconds(5));
  EXPECT_EQ(runtime->Status("polite").exit_code, 0);
  const auto start = std::chrono::steady_clock::now();
  runtime->Stop("stubborn", milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(runtime->Status("stubborn").term_signal, SIGKILL);
  EXPECT_GE(took, milliseconds(300));
  EXPECT_LT(took, seconds(3));
}

TEST_F(ProcessRuntimeTest, PauseStopsTheProcessAndResumeContinuesIt) {
  auto runtime = Make({Shell("p", "exec sleep 30")});
  runtime->Up();
  runtime->Pause("p");
  EXPECT_EQ(runtime->Status("p").state, ReplicaState::kPaused);
  std::ifstream stat("/proc/" + std::to_string(runtime->Status("p").pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), {});
  EXPECT_THAT(content, HasSubstr(") T "));
  runtime->Resume("p");
  EXPECT_EQ(runtime->Status("p").state, ReplicaState::kRunning);
  EXPECT_THROW(runtime->Resume("p"), Error);
}

TEST_F(ProcessRuntimeTest, FaultsOnAStoppedReplicaAreErrors) {
  auto runtime = Make({Shell("gone", "exit 0")});
  runtime->Up();
  ASSERT_TRUE(runtime->WaitExit("gone", seconds(5)));
  EXPECT_THROW(runtime->Kill("gone", SIGKILL), Error);
  EXPECT_THROW(runtime->Pause("gone"), Error);
  EXPECT_THROW(runtime->Kill("nobody", SIGKILL), Error);
}

TEST_F(ProcessRuntimeTest, DownLeavesNoProcess) {
  auto runtime = Make({Shell("a", "exec sleep 30"), Armed("b", "trap '' TERM")});
  runtime->Up();
  const int a = runtime->Status("a").pid;
  const int b = runtime->Status("b").pid;
  runtime->Down(milliseconds(200));
  EXPECT_FALSE(Alive(a));
  EXPECT_FALSE(Alive(b));
  EXPECT_EQ(runtime->Status("a").term_signal, SIGTERM);
}

TEST_F(ProcessRuntimeTest, MissingExecutableIsAClearError) {
  ReplicaPlan plan = Shell("x", "");
  plan.command = {"no-such-program-chancho"};
  try {
    Make({plan});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("replica x"));
    EXPECT_THAT(e.what(), HasSubstr("no-such-program-chancho"));
  }
}

TEST_F(ProcessRuntimeTest, ControlSocketServesPsAndFaults) {
  auto runtime = Make({Shell("svc", "exec sleep 30")});
  runtime->Up();
  const std::string name = runtime->control_name();
  ASSERT_FALSE(name.empty());
  EXPECT_EQ(ReadFile(runtime->run_dir() / "control"), name + "\n");
  auto statuses = StatusesFromJson(ControlRequest(name, "ps", seconds(5)));
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].name, "svc");
  EXPECT_EQ(statuses[0].state, ReplicaState::kRunning);
  ControlRequest(name, "kill svc TERM", seconds(5));
  auto status = runtime->WaitExit("svc", seconds(5));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->term_signal, SIGTERM);
  ControlRequest(name, "start svc", seconds(5));
  EXPECT_EQ(runtime->Status("svc").restarts, 1);
  EXPECT_THROW(ControlRequest(name, "explode svc", seconds(5)), Error);
  EXPECT_THROW(ControlRequest(name, "start nobody", seconds(5)), Error);
}

}  // namespace
}  // namespace chancho
