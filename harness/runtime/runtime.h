#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/deploy/deployment.h"
#include "harness/proxy/link_fault_text.h"
#include "harness/runtime/driver.h"
#include "harness/runtime/proxied_links.h"
#include "harness/runtime/readiness/readiness_check.h"
#include "harness/runtime/replica_status.h"
#include "harness/runtime/runtime_options.h"

namespace chancho {

class ControlServer;

// One thing the runtime did to a replica, or saw of it, in order.
struct RuntimeEvent {
  enum class Kind {
    kStart,      // Start asked of the driver
    kReady,      // its readiness check passed
    kTerminate,  // SIGTERM (a graceful stop, or a wave of Down)
    kSignal,     // any other signal (`signal` says which)
    kPause,
    kResume,
    kExited,  // seen exited
  };
  Kind kind = Kind::kStart;
  std::string replica;
  std::chrono::steady_clock::time_point time;
  int signal = 0;
};
std::string_view ToString(RuntimeEvent::Kind kind);

// A running system: every replica of a Deployment, as processes or
// containers, whichever the Driver runs. The policy is written here once
// for every driver:
// - Up starts the replicas in dependency order, in batches: a replica
//   starts once the replicas it depends on are ready, and the replicas of
//   one batch start together.
// - Readiness is the plan's check (tcp, heartbeat, log line), polled until
//   it passes for the current run of the replica.
// - Down stops in waves: first the replicas that revive others (so they
//   revive nothing), then dependents before what they depend on; each wave
//   gets SIGTERM and the grace period, then SIGKILL.
// - Restarts are counted from the driver's runs, also those started from
//   outside (a health-checker).
// Thread-safe: any method may be called from any thread. Methods that name
// a replica throw chancho::Error when the name is unknown or the operation
// did not take effect.
class Runtime {
 public:
  using Duration = std::chrono::milliseconds;

  Runtime(std::unique_ptr<Driver> driver, const RuntimeOptions& options);
  // Down(2 s), then the driver removes what it made.
  virtual ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Deployment& deployment() const;
  const std::filesystem::path& run_dir() const;

  // Starts every replica that is not running and not held. Throws when a
  // replica fails to start or is not ready within its readiness timeout;
  // then nothing is left running (the logs stay in the run directory).
  void Up();
  // Stops everything still running, in waves (see above), then has the
  // driver remove what it made. Idempotent.
  void Down(Duration grace);

  void Kill(std::string_view replica, int signal);
  // SIGTERM, then SIGKILL after `grace`; returns once the replica exited.
  void Stop(std::string_view replica, Duration grace);
  void Pause(std::string_view replica);
  void Resume(std::string_view replica);
  // Starts a replica that is not running (created, exited or stopped).
  void Start(std::string_view replica);

  std::vector<ReplicaStatus> Ps();
  ReplicaStatus Status(std::string_view replica);
  // Everything the replica wrote to stdout and stderr so far.
  std::string Logs(std::string_view replica);
  std::filesystem::path LogPath(std::string_view replica) const;

  // True once the replica's readiness check passes; false on timeout or if
  // the replica exits first.
  bool WaitReady(std::string_view replica, Duration timeout);
  // Why a replica is not ready: its check and what the check last saw.
  std::string ReadinessReport(std::string_view replica);
  // The status once the replica is no longer running, or nullopt on timeout.
  std::optional<ReplicaStatus> WaitExit(std::string_view replica,
                                        Duration timeout);

  // Network faults, on the links the runtime proxies (options.links).
  std::vector<LinkStatus> Links();
  // Installs `fault` on every proxied link of `replica` (kind none heals).
  // Throws chancho::Error when the replica has no proxied link.
  LinkFaultOutcome SetLinkFault(std::string_view replica,
                                const DirectedLinkFault& fault);
  // The proxies of the links by name (ProxiedLinks::Proxies); on the Docker
  // runtime, empty until the system is up. Valid until Down().
  std::vector<ProxiedLinks::NamedProxy> LinkProxies();

  // What the runtime did and saw, in order (see RuntimeEvent).
  std::vector<RuntimeEvent> History() const;

  // The abstract Unix socket name of the control server ("" if none).
  std::string control_name() const;
  // Called (on a control thread) after a `down` request brought the system
  // down.
  void OnDownRequest(std::function<void()> callback);

 protected:
  Driver& driver() { return *driver_; }

 private:
  // Why `plan`'s replica is not ready, for Up's error: it exited (how), or
  // its readiness timed out; `why` follows its name (" (needed by X)").
  std::string NotReady(const ReplicaPlan& plan, const std::string& why);
  struct Replica {
    const ReplicaPlan* plan = nullptr;
    int ready_run = -1;  // the run (DriverStatus::starts) found ready
    ReplicaState seen = ReplicaState::kCreated;
    std::unique_ptr<ReadinessCheck> check;
    std::unique_ptr<std::mutex> check_mu;  // one try at a time
    std::string last_seen;  // what the check last saw (under check_mu)
  };

  Replica& Get(std::string_view name);
  const Replica& Get(std::string_view name) const;
  // Records what `s` shows of `r` (History, readiness of the run) and
  // returns it as `ps` shows it.
  ReplicaStatus Observe(Replica& r, const DriverStatus& s);
  void Record(RuntimeEvent::Kind kind, const std::string& replica,
              int signal = 0);
  // Waits until `done` holds for the replica's status, or until `deadline`.
  std::optional<ReplicaStatus> WaitFor(
      Replica& r, std::chrono::steady_clock::time_point deadline,
      const std::function<bool(const ReplicaStatus&)>& done);
  void UpInOrder();
  // Stops one wave: SIGTERM to each, `grace`, then SIGKILL.
  void StopWave(const std::vector<Replica*>& wave, Duration grace);

  std::unique_ptr<Driver> driver_;
  RuntimeOptions options_;
  std::vector<Replica> replicas_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<RuntimeEvent> history_;
  std::function<void()> on_down_;
  std::mutex down_mu_;  // one Up or Down at a time
  std::unique_ptr<ControlServer> control_;
};

// The runtime of `kind` for `deployment`.
std::unique_ptr<Runtime> MakeRuntime(RuntimeKind kind, Deployment deployment,
                                     RuntimeOptions options);

}  // namespace chancho
