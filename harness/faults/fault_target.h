#pragma once

// What faults act on: the replicas of a running system, either a Runtime in
// this process (tests, `chancho run`) or a live detached run reached through
// its control socket (`chancho chaos`). Every operation throws
// chancho::Error when the replica is unknown or the operation did not take
// effect, as Runtime does.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "harness/runtime/runtime.h"

namespace chancho {

class FaultTarget {
 public:
  using Duration = std::chrono::milliseconds;
  virtual ~FaultTarget() = default;

  virtual std::vector<ReplicaStatus> Ps() = 0;
  virtual void Kill(const std::string& replica, int signal) = 0;
  virtual void Stop(const std::string& replica, Duration grace) = 0;
  virtual void Pause(const std::string& replica) = 0;
  virtual void Resume(const std::string& replica) = 0;
  virtual void Start(const std::string& replica) = 0;
  // Network faults on the runtime's proxied links (Runtime::SetLinkFault).
  virtual std::vector<LinkStatus> Links() = 0;
  virtual LinkFaultOutcome SetLinkFault(const std::string& replica,
                                        const DirectedLinkFault& fault) = 0;
};

// `runtime` must outlive the target.
std::unique_ptr<FaultTarget> MakeRuntimeTarget(Runtime& runtime);
// The run whose control server is `control_name` (see harness/runtime/control/control.h).
std::unique_ptr<FaultTarget> MakeControlTarget(std::string control_name);

}  // namespace chancho
