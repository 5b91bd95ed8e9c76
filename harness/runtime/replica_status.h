#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "harness/proxy/tcp_proxy.h"

namespace chancho {

enum class ReplicaState {
  kCreated,  // planned, never started
  kRunning,
  kPaused,
  kExited,  // ended on its own or by a signal the harness sent
};

std::string_view ToString(ReplicaState state);
inline bool Alive(ReplicaState state) {
  return state == ReplicaState::kRunning || state == ReplicaState::kPaused;
}

// What `ps` shows of one replica.
struct ReplicaStatus {
  std::string name;
  std::string service;
  std::string role;
  std::string address;  // IP the replica binds and is known by
  ReplicaState state = ReplicaState::kCreated;
  bool ready = false;  // its readiness check passed since its last start
  int pid = 0;         // 0 when not running
  std::chrono::milliseconds uptime{0};
  int starts = 0;    // how many times it was started
  int restarts = 0;  // starts after the first
  std::optional<int> exit_code;    // when it exited normally
  std::optional<int> term_signal;  // when a signal ended it
};

// A link that the runtime forwards through a TCP fault proxy, so that
// network faults can be injected on it: `replica` reaches `upstream` (a
// replica) on `port` through the proxy at `proxy_address`.
struct LinkStatus {
  std::string replica;
  std::string upstream;
  int port = 0;
  std::string proxy_address;  // "ip:port"
  std::string fault = "none";  // the last fault set (link_fault_text.h)
  TcpProxyStats stats;
};

}  // namespace chancho
