#include "common/subprocess.h"
#include "harness/runtime/driver.h"
#include "harness/runtime/readiness/readiness_check.h"

namespace chancho {
namespace {

// A command run in the replica's environment: its variables and addresses
// as a process, `docker exec` in a container. A compose healthcheck's test
// is such a command.
class ExecCheck final : public ReadinessCheck {
 public:
  explicit ExecCheck(std::vector<std::string> command)
      : command_(std::move(command)) {}

  bool Try(const ReadinessTarget& target, std::chrono::milliseconds timeout,
           std::string& seen) override {
    if (target.driver == nullptr) {
      seen = "no way to run a command";
      return false;
    }
    std::string output;
    try {
      // A command takes longer than a connect: it gets a second at least.
      const auto code = target.driver->Exec(
          target.replica, command_,
          std::max(timeout, std::chrono::milliseconds(1000)), &output);
      if (code && *code == 0) return true;
      seen = (code ? "exit code " + std::to_string(*code) : "timed out") +
             (output.empty() ? "" : ": " + OneLine(output, 200));
    } catch (const std::exception& e) {
      seen = e.what();
    }
    return false;
  }

  std::string Describe() const override {
    return "exec " + CommandLine(command_);
  }

 private:
  std::vector<std::string> command_;
};

}  // namespace

std::unique_ptr<ReadinessCheck> MakeExecCheck(const Readiness& readiness) {
  return std::make_unique<ExecCheck>(readiness.command);
}

}  // namespace chancho
