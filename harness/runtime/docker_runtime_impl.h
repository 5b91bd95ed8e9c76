#pragma once

// Internals of DockerRuntime, shared by docker_runtime.cc (the Runtime
// methods) and docker_runtime_impl.cc (the bookkeeping). Not a public header.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "common/subprocess.h"
#include "harness/runtime/docker_cli.h"
#include "harness/runtime/docker_inspect.h"
#include "harness/runtime/docker_links.h"
#include "harness/runtime/docker_log.h"
#include "harness/runtime/docker_runtime.h"

namespace chancho {
namespace docker_internal {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline constexpr milliseconds kDrain{2000};        // a follower's last lines
inline constexpr milliseconds kInspectEvery{200};  // state polls in waits
inline constexpr milliseconds kCheckEvery{20};     // readiness polls
inline constexpr milliseconds kCheckTimeout{50};   // one tcp/heartbeat check
inline constexpr milliseconds kUpTimeout{180000};  // compose up (creates all)

inline bool Alive(ReplicaState state) {
  return state == ReplicaState::kRunning || state == ReplicaState::kPaused;
}

}  // namespace docker_internal

class DockerRuntime::Impl {
 public:
  struct Replica {
    const ReplicaPlan* plan = nullptr;
    std::string container;
    std::unique_ptr<DockerLog> log;
    std::string started_at;  // StartedAt of the run last seen
    int starts = 0;
    bool ready = false;
    std::uintmax_t log_offset = 0;  // log size when the run was seen
    std::string address;            // last address seen in the network
    ReplicaStatus last;             // reported once the container is gone
  };

  Impl(Deployment deployment, DockerRuntimeOptions options);

  Deployment deployment_;
  DockerRuntimeOptions options_;
  std::mt19937_64 random_;
  std::filesystem::path run_dir_;
  std::string run_id_;
  std::string project_;
  std::string network_;
  std::filesystem::path compose_file_;
  std::vector<std::string> compose_;
  std::map<std::string, std::string> labels_;
  std::string subnet_;
  std::vector<Replica> replicas_;
  std::vector<std::string> link_upstreams_;  // of options_.links
  DockerLinkLayout link_layout_;             // in subnet_
  // Made by the first Up that created the network (under mu_), never
  // reset: the pointer links() returns stays valid.
  std::unique_ptr<ProxiedLinks> links_;

  mutable std::mutex mu_;  // replicas_' bookkeeping, created_
  std::mutex down_mu_;     // one Up/Down at a time
  bool created_ = false;   // compose created containers that may remain

  CommandOptions Options(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(0),
      bool merge = false) const {
    return {timeout.count() > 0 ? timeout : options_.command_timeout, merge};
  }
  std::string Docker(
      std::vector<std::string> args,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) const {
    args.insert(args.begin(), options_.docker);
    return RunChecked(args, Options(timeout));
  }
  std::string Compose(const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout) const {
    return RunChecked(
        ComposeArgs(compose_, project_, compose_file_.string(), args),
        Options(timeout));
  }

  Replica& Get(std::string_view name);
  // Throws when an image of the deployment is not in the engine.
  void CheckImages();
  // A /24 that no docker network uses (nor subnet_).
  std::string FreeSubnet();
  void WriteComposeFile();
  void Create();
  // The links' proxies, on addresses added to the run network's bridge.
  void PlaceProxies();
  ProxiedLinks* links() const {
    std::lock_guard lock(mu_);
    return links_.get();
  }
  // `docker inspect` of `replicas`; those without a container are left out.
  std::map<std::string, ContainerInfo> Inspect(
      const std::vector<Replica*>& replicas);
  // Records what `info` shows (mu_ held) and returns the status.
  ReplicaStatus Observe(Replica& r, const ContainerInfo& info);
  ReplicaStatus Refresh(Replica& r);
  void StartBatch(const std::vector<Replica*>& batch);
  bool CheckReady(const Replica& r, const std::string& address,
                  std::uintmax_t offset) const;
  void SaveLogs();
  void RemoveAll();
  // Throws chancho::Error on a failure; returns the networks the engine
  // holds (NetworkRemoval::held).
  std::vector<std::string> RemoveAllOnce();
};

}  // namespace chancho
