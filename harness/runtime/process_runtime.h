#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "harness/runtime/proxied_links.h"
#include "harness/runtime/runtime.h"

namespace chancho {

struct ProcessRuntimeOptions {
  // A new run directory "<UTC time>-<short id>" is made under this root,
  // unless `run_dir` names one to use.
  std::filesystem::path runs_root = ".chancho/runs";
  std::filesystem::path run_dir;
  // Where a command's program name is looked up, before PATH.
  std::vector<std::filesystem::path> bin_dirs;
  // Added to every replica's environment (the plan's values win).
  std::map<std::string, std::string> environment;
  // Serve the control socket (`chancho ctl/ps/down` and health-checkers).
  bool serve_control = true;
  // Replicas that Up() leaves in the created state, for the caller to
  // Start() when it chooses (a scenario starts its clients when its fault
  // clock starts). Nothing may depend on them.
  std::set<std::string> held;
  // Links forwarded through TCP fault proxies, for network faults
  // (SetLinkFault); see proxied_links.h.
  std::vector<ProxiedLink> links;
  // Seeds the choice of loopback subnet and the run id.
  std::uint64_t seed = 0;  // 0: from std::random_device
};

// Runs every replica as a local process, started with Boost.Process v2:
// - each in its own process group, with PR_SET_PDEATHSIG, so nothing
//   outlives the harness even after a SIGKILL;
// - each with its own address in a loopback /24 leased for the run
//   (CHANCHO_BIND_IP), and names resolved through the hosts file
//   <run_dir>/hosts (CHANCHO_HOSTS_FILE), or <run_dir>/hosts.d/<replica>
//   for a replica with a proxied link;
// - stdout and stderr appended to <run_dir>/logs/<replica>.log;
// - mounts passed as environment variables that name the host path, and
//   storage in <run_dir>/storage/<replica>/.
// Processes are spawned and reaped on one internal thread, which lives as
// long as the object. The destructor brings everything down.
class ProcessRuntime final : public Runtime {
 public:
  ProcessRuntime(Deployment deployment, ProcessRuntimeOptions options);
  ~ProcessRuntime() override;
  ProcessRuntime(const ProcessRuntime&) = delete;
  ProcessRuntime& operator=(const ProcessRuntime&) = delete;

  const Deployment& deployment() const override;
  const std::filesystem::path& run_dir() const override;

  void Up() override;
  void Down(Duration grace) override;
  void Kill(std::string_view replica, int signal) override;
  void Stop(std::string_view replica, Duration grace) override;
  void Pause(std::string_view replica) override;
  void Resume(std::string_view replica) override;
  void Start(std::string_view replica) override;

  std::vector<ReplicaStatus> Ps() const override;
  ReplicaStatus Status(std::string_view replica) const override;
  std::string Logs(std::string_view replica) const override;
  std::filesystem::path LogPath(std::string_view replica) const override;

  bool WaitReady(std::string_view replica, Duration timeout) override;
  std::optional<ReplicaStatus> WaitExit(std::string_view replica,
                                        Duration timeout) override;

  std::vector<LinkStatus> Links() const override;
  LinkFaultOutcome SetLinkFault(std::string_view replica,
                                const DirectedLinkFault& fault) override;

  // The abstract Unix socket name of the control server ("" if none).
  std::string control_name() const;
  // Called (on a control thread) after a `down` request brought the system
  // down.
  void OnDownRequest(std::function<void()> callback);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chancho
