#include "harness/probes/shutdown_probe.h"

#include <signal.h>

#include <thread>

#include "harness/runtime/control/control_commands.h"
#include "harness/spec/spec.h"

namespace chancho {

ProbeResult ProbeGracefulShutdown(const ShutdownProbeTarget& target,
                                  const std::string& replica,
                                  std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  target.terminate(replica);
  for (;;) {
    const auto status = target.status(replica);
    if (status && !Alive(status->state)) {
      if (status->exit_code == 0) return {true, ""};
      if (status->term_signal) {
        return {false, "killed by " + SignalName(*status->term_signal)};
      }
      return {false, "exit code " + std::to_string(status->exit_code.value_or(-1))};
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return {false, "still running after " +
                         NumberText(static_cast<double>(timeout.count()) /
                                    1000) +
                         " s"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

ProbeResult ProbeGracefulShutdown(Runtime& runtime, const std::string& replica,
                                  std::chrono::milliseconds timeout) {
  return ProbeGracefulShutdown(
      ShutdownProbeTarget{
          [&runtime](const std::string& name) { runtime.Kill(name, SIGTERM); },
          [&runtime](const std::string& name) -> std::optional<ReplicaStatus> {
            return runtime.Status(name);
          }},
      replica, timeout);
}

}  // namespace chancho
