#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "harness/probes/echo_probe.h"
#include "harness/runtime/runtime.h"

namespace chancho {

// What the graceful-shutdown probe needs of a system: a Runtime in this
// process, or a run reached through its control socket (`chancho probe
// shutdown`).
struct ShutdownProbeTarget {
  // Sends SIGTERM to the replica; throws chancho::Error when it cannot.
  std::function<void(const std::string& replica)> terminate;
  // The replica's status now; nullopt when it is not known.
  std::function<std::optional<ReplicaStatus>(const std::string& replica)>
      status;
};

// Sends SIGTERM to `replica` and passes only if it then exits with code 0
// within `timeout`; a signal, another code, or still running is a failure
// that says which. Looks every 5 ms.
ProbeResult ProbeGracefulShutdown(const ShutdownProbeTarget& target,
                                  const std::string& replica,
                                  std::chrono::milliseconds timeout);

// The same on a Runtime (fixtures).
ProbeResult ProbeGracefulShutdown(Runtime& runtime, const std::string& replica,
                                  std::chrono::milliseconds timeout);

}  // namespace chancho
