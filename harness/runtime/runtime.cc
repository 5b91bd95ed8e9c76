#include "harness/runtime/runtime.h"

namespace chancho {

std::string_view ToString(ReplicaState state) {
  switch (state) {
    case ReplicaState::kCreated:
      return "created";
    case ReplicaState::kRunning:
      return "running";
    case ReplicaState::kPaused:
      return "paused";
    case ReplicaState::kExited:
      return "exited";
  }
  return "unknown";
}

Error UnknownReplica(std::string_view name, const Deployment& deployment) {
  std::string known;
  for (const ReplicaPlan& plan : deployment.replicas) {
    known += (known.empty() ? "" : ", ") + plan.name;
  }
  return Error("no replica named \"" + std::string(name) + "\" (known: " +
               known + ")");
}

std::vector<LinkStatus> Runtime::Links() const { return {}; }

LinkFaultOutcome Runtime::SetLinkFault(std::string_view replica,
                                       const DirectedLinkFault&) {
  throw Error("replica " + std::string(replica) +
              " has no proxied link: this runtime places no fault proxy");
}

}  // namespace chancho
