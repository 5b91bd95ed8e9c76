#include "harness/probes/shutdown_probe.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "harness/runtime/process/process_runtime.h"

namespace chancho {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Shell replicas: one that exits 0 on SIGTERM, one that exits 3, and one
// that ignores it.
class ShutdownProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Deployment deployment;
    deployment.project = "shutdown";
    deployment.spec_dir = root_;
    for (const auto& [name, trap] :
         std::vector<std::pair<std::string, std::string>>{
             {"clean", "trap 'exit 0' TERM"},
             {"dirty", "trap 'exit 3' TERM"},
             {"deaf", "trap '' TERM"}}) {
      ReplicaPlan plan;
      plan.name = name;
      plan.service = name;
      plan.command = {"sh", "-c",
                      trap + "; echo armed; while :; do sleep 0.01; done"};
      plan.readiness.kind = Readiness::Kind::kLogLine;
      plan.readiness.pattern = "^armed$";
      deployment.replicas.push_back(plan);
    }
    RuntimeOptions options;
    options.runs_root = root_;
    options.serve_control = false;
    runtime_ = std::make_unique<ProcessRuntime>(std::move(deployment), options);
    runtime_->Up();
  }
  void TearDown() override {
    runtime_.reset();
    std::filesystem::remove_all(root_);
  }

  std::filesystem::path root_ =
      std::filesystem::temp_directory_path() /
      ("chancho-shutdown-probe-" + std::to_string(::getpid()));
  std::unique_ptr<ProcessRuntime> runtime_;
};

TEST_F(ShutdownProbeTest, PassesOnlyOnExitZeroWithinTheTimeout) {
  const ProbeResult clean = ProbeGracefulShutdown(*runtime_, "clean", seconds(5));
  EXPECT_TRUE(clean.success) << clean.reason;
  EXPECT_EQ(clean.LogLine("graceful_shutdown"),
            "action: graceful_shutdown | result: success");

  const ProbeResult dirty = ProbeGracefulShutdown(*runtime_, "dirty", seconds(5));
  EXPECT_FALSE(dirty.success);
  EXPECT_EQ(dirty.reason, "exit code 3");

  const ProbeResult deaf =
      ProbeGracefulShutdown(*runtime_, "deaf", milliseconds(300));
  EXPECT_FALSE(deaf.success);
  EXPECT_EQ(deaf.reason, "still running after 0.3 s");
  runtime_->Kill("deaf", SIGKILL);
}

}  // namespace
}  // namespace chancho
