// Each readiness strategy on ProcessRuntime, with shell replicas: it waits
// for what it names, and a replica that never gets there fails Up with the
// strategy, what it last saw and how long it waited.
#include "harness/runtime/readiness/readiness_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/subprocess.h"
#include "harness/runtime/process/process_runtime.h"

namespace chancho {
namespace {

using ::testing::HasSubstr;
using std::chrono::seconds;

ReplicaPlan Shell(const std::string& script, Readiness readiness) {
  ReplicaPlan plan;
  plan.name = "r";
  plan.service = "r";
  plan.command = {"sh", "-c", script};
  plan.readiness = std::move(readiness);
  return plan;
}

Readiness Log(const std::string& pattern, int count, double timeout_s = 10) {
  Readiness r;
  r.kind = Readiness::Kind::kLogLine;
  r.pattern = pattern;
  r.count = count;
  r.timeout_s = timeout_s;
  return r;
}

Readiness Exec(std::vector<std::string> command, double timeout_s = 10) {
  Readiness r;
  r.kind = Readiness::Kind::kExec;
  r.command = std::move(command);
  r.timeout_s = timeout_s;
  return r;
}

Readiness Http(int port, const std::string& path, double timeout_s = 10) {
  Readiness r;
  r.kind = Readiness::Kind::kHttp;
  r.port = port;
  r.path = path;
  r.timeout_s = timeout_s;
  return r;
}

class ReadinessCheckTest : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<ProcessRuntime> Make(ReplicaPlan plan) {
    Deployment deployment;
    deployment.project = "readiness";
    deployment.spec_dir = root_;
    deployment.replicas = {std::move(plan)};
    RuntimeOptions options;
    options.runs_root = root_;
    options.serve_control = false;
    return std::make_unique<ProcessRuntime>(std::move(deployment), options);
  }

  // The message of the error Up throws, or "no error".
  std::string UpError(Runtime& runtime) {
    try {
      runtime.Up();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }

  std::filesystem::path root_ =
      std::filesystem::temp_directory_path() /
      ("chancho-readiness-test-" + std::to_string(::getpid()));
};

TEST_F(ReadinessCheckTest, LogCountsTheLinesOfTheRun) {
  auto runtime = Make(Shell(
      "echo up; sleep 0.2; echo up; sleep 0.2; echo up; exec sleep 30",
      Log("^up$", 3)));
  runtime->Up();
  const std::string log = runtime->Logs("r");
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 3) << log;

  auto never = Make(Shell("echo up; exec sleep 30", Log("^up$", 2, 1)));
  EXPECT_THAT(UpError(*never),
              HasSubstr("replica r not ready within 1 s (log /^up$/ 2 times, "
                        "last saw: 1 matching line(s))"));
}

// A replica that ends before its check passes is said to have exited, and
// how, rather than to have timed out.
TEST_F(ReadinessCheckTest, AReplicaThatExitsFirstIsSaidToHaveExited) {
  auto dies = Make(Shell("echo bye; exit 3", Log("^up$", 1, 10)));
  const std::string error = UpError(*dies);
  // What the check last saw depends on whether it ran before the exit.
  EXPECT_THAT(error, HasSubstr("replica r exited (code 3) before it was ready "
                               "(log /^up$/"));
  EXPECT_THAT(error, ::testing::Not(HasSubstr("within")));
}

TEST_F(ReadinessCheckTest, ExecRunsInTheReplicasEnvironment) {
  auto runtime = Make(Shell(
      "sleep 0.3; touch \"$CHANCHO_RUN_DIR/flag\"; exec sleep 30",
      Exec({"sh", "-c", "test -f \"$CHANCHO_RUN_DIR/flag\""})));
  runtime->Up();
  EXPECT_TRUE(std::filesystem::exists(runtime->run_dir() / "flag"));

  auto never =
      Make(Shell("exec sleep 30", Exec({"sh", "-c", "echo nope; exit 3"}, 1)));
  EXPECT_THAT(UpError(*never),
              HasSubstr("(exec sh -c 'echo nope; exit 3', last saw: exit "
                        "code 3: nope)"));
}

TEST_F(ReadinessCheckTest, HttpWaitsForTheStatus) {
  ASSERT_TRUE(FindProgram("python3"))
      << "python3 (its http.server is the HTTP replica) is not installed; "
         "ci/install-deps.sh installs it";
  const std::string server =
      "exec python3 -m http.server 8765 --bind \"$CHANCHO_BIND_IP\" "
      "--directory \"$CHANCHO_RUN_DIR\"";
  auto runtime = Make(Shell(server, Http(8765, "/")));
  runtime->Up();
  EXPECT_TRUE(runtime->Status("r").ready);

  auto missing = Make(Shell(server, Http(8765, "/no-such-file", 2)));
  EXPECT_THAT(UpError(*missing),
              HasSubstr("(http GET :8765/no-such-file -> 200, last saw: "
                        "status 404)"));
}

TEST_F(ReadinessCheckTest, AllWaitsForEveryPartAndNamesTheOneMissing) {
  Readiness all;
  all.kind = Readiness::Kind::kAll;
  all.all = {Log("^one$", 1), Log("^two$", 1)};
  all.timeout_s = 10;
  auto runtime =
      Make(Shell("echo one; sleep 0.3; echo two; exec sleep 30", all));
  runtime->Up();
  EXPECT_TRUE(runtime->Status("r").ready);

  all.timeout_s = 1;
  auto never = Make(Shell("echo one; exec sleep 30", all));
  EXPECT_THAT(UpError(*never),
              HasSubstr("(all of (log /^one$/; log /^two$/), last saw: log "
                        "/^two$/: 0 matching line(s))"));
}

}  // namespace
}  // namespace chancho
