#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/deploy/deployment.h"
#include "harness/runtime/replica_status.h"
#include "harness/runtime/runtime_options.h"

namespace chancho {

class ProxiedLinks;

// The error for a replica name the deployment does not have; it lists the
// names it does have.
Error UnknownReplica(std::string_view name, const Deployment& deployment);

// What a driver sees of one replica.
struct DriverStatus {
  ReplicaState state = ReplicaState::kCreated;
  int pid = 0;          // 0 when not running
  std::string address;  // IP the replica binds and is known by; "" unknown
  // Runs seen so far, also those started from outside (a health-checker
  // through the engine's socket). A new value means a new run.
  int starts = 0;
  std::chrono::milliseconds uptime{0};
  std::optional<int> exit_code;    // when the last run exited normally
  std::optional<int> term_signal;  // when a signal ended the last run
  // Size of the replica's log file when its current run started: what that
  // run wrote is what follows.
  std::uintmax_t log_offset = 0;
};

// The only part a runtime implements: the mechanics of running the replicas
// of one Deployment as processes, containers or tasks. All policy (start
// order, readiness, shutdown waves, restarts, waits, fault checks) is
// written once above it, in Runtime.
//
// Contract, for every driver:
// - Thread-safe: any method may be called from any thread, concurrently.
// - Replicas are named by ReplicaPlan::name; a name the deployment does not
//   have throws chancho::Error (UnknownReplica). Every other failure throws
//   chancho::Error with one line that names the replica and the cause.
// - Operations on one replica take effect before they return, or throw:
//   after Start the replica is running (or has already exited), after Pause
//   it is paused. Signal and Terminate return once the signal was sent, not
//   once it was handled.
// - Inspect never blocks for long and never throws for a known replica; its
//   answer may lag the truth by at most poll_interval(). Whenever a state
//   may have changed, the driver calls the callback given to Watch (from a
//   thread of its own, with none of its locks held).
// - The run directory (logs/, storage/, results/) is made by the
//   constructor, and each replica's stdout and stderr go to LogPath.
// - Remove releases everything the driver made (containers, networks,
//   addresses); after it, no process of the run is left. Idempotent; the
//   destructor does it too.
class Driver {
 public:
  using Duration = std::chrono::milliseconds;

  virtual ~Driver() = default;

  virtual const Deployment& deployment() const = 0;
  virtual const std::filesystem::path& run_dir() const = 0;

  // Makes what the replicas need before any of them starts (containers, a
  // network). Idempotent.
  virtual void Create() = 0;
  // Starts each of `replicas` that is not running, all of them at once as
  // far as the driver can. Throws when one does not start.
  virtual void Start(const std::vector<std::string>& replicas) = 0;
  virtual void Signal(std::string_view replica, int signal) = 0;
  // Asks the replica to exit: SIGTERM, and a paused replica is let run so
  // that it can handle it.
  virtual void Terminate(std::string_view replica) = 0;
  virtual void Pause(std::string_view replica) = 0;
  virtual void Resume(std::string_view replica) = 0;

  virtual DriverStatus Inspect(std::string_view replica) = 0;
  // Every replica, in deployment order; one round trip where the driver
  // has a cost per call.
  virtual std::vector<DriverStatus> InspectAll() = 0;
  // How stale Inspect may be, and so how often a waiter looks again.
  virtual Duration poll_interval() const = 0;
  // `changed` is called whenever a replica's state may have changed. Set
  // once, before Create.
  virtual void Watch(std::function<void()> changed) = 0;

  virtual std::string Logs(std::string_view replica) = 0;
  virtual std::filesystem::path LogPath(std::string_view replica) const = 0;

  // Runs `command` in the replica's environment (its network, its
  // variables); the exit code, or nullopt when it did not end within
  // `timeout`. `output` gets what it printed.
  virtual std::optional<int> Exec(std::string_view replica,
                                  const std::vector<std::string>& command,
                                  Duration timeout, std::string* output) = 0;

  // Whether this host can connect to DriverStatus::address. When it
  // cannot (a Swarm overlay), checks connect from inside the replica's
  // network namespace (its pid's).
  virtual bool host_reaches_addresses() const { return true; }

  // The proxies of RuntimeOptions::links, once placed (nullptr before).
  virtual ProxiedLinks* links() = 0;

  virtual void Remove() = 0;
};

}  // namespace chancho
