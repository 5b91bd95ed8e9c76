#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/deploy/deployment.h"
#include "harness/proxy/link_fault_text.h"
#include "harness/proxy/tcp_proxy.h"

namespace chancho {

enum class ReplicaState {
  kCreated,  // planned, never started
  kRunning,
  kPaused,
  kExited,  // ended on its own or by a signal the harness sent
};

std::string_view ToString(ReplicaState state);

// The error for a replica name the deployment does not have; it lists the
// names it does have.
Error UnknownReplica(std::string_view name, const Deployment& deployment);

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

// A running system: every replica of a Deployment, as processes or
// containers. Implementations are thread-safe: any method may be called from
// any thread. Methods that name a replica throw chancho::Error when the name
// is unknown or the operation did not take effect.
class Runtime {
 public:
  using Duration = std::chrono::milliseconds;

  virtual ~Runtime() = default;

  virtual const Deployment& deployment() const = 0;
  virtual const std::filesystem::path& run_dir() const = 0;

  // Starts every replica in dependency order; a replica starts once the
  // replicas it depends on are ready. Throws when a replica fails to start
  // or is not ready within its readiness timeout.
  virtual void Up() = 0;
  // SIGTERM to everything still running, dependents before what they
  // depend on, `grace` to exit, then SIGKILL.
  // Idempotent; the destructor does it too.
  virtual void Down(Duration grace) = 0;

  virtual void Kill(std::string_view replica, int signal) = 0;
  // SIGTERM, then SIGKILL after `grace`; returns once the replica exited.
  virtual void Stop(std::string_view replica, Duration grace) = 0;
  virtual void Pause(std::string_view replica) = 0;
  virtual void Resume(std::string_view replica) = 0;
  // Starts a replica that is not running (created, exited or stopped).
  virtual void Start(std::string_view replica) = 0;

  virtual std::vector<ReplicaStatus> Ps() const = 0;
  virtual ReplicaStatus Status(std::string_view replica) const = 0;
  // Everything the replica wrote to stdout and stderr so far.
  virtual std::string Logs(std::string_view replica) const = 0;
  virtual std::filesystem::path LogPath(std::string_view replica) const = 0;

  // True once the replica's readiness check passes; false on timeout or if
  // the replica exits first.
  virtual bool WaitReady(std::string_view replica, Duration timeout) = 0;
  // The status once the replica is no longer running, or nullopt on timeout.
  virtual std::optional<ReplicaStatus> WaitExit(std::string_view replica,
                                                Duration timeout) = 0;

  // Network faults, on the links the runtime proxies (none by default).
  virtual std::vector<LinkStatus> Links() const;
  // Installs `fault` on every proxied link of `replica` (kind none heals).
  // Throws chancho::Error when the replica has no proxied link.
  virtual LinkFaultOutcome SetLinkFault(std::string_view replica,
                                        const DirectedLinkFault& fault);
};

}  // namespace chancho
