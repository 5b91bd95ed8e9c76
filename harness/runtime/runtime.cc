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

}  // namespace chancho
