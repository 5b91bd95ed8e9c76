#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/runtime/proxied_links.h"

namespace chancho {

// Where the replicas run.
enum class RuntimeKind {
  kProcess,  // local processes: no Docker, no root
  kDocker,   // containers, through compose and the docker CLI
  kSwarm,    // tasks of a Docker Swarm stack (docker stack deploy)
};

std::string_view ToString(RuntimeKind kind);
// "process", "docker" or "swarm"; nullopt for anything else.
std::optional<RuntimeKind> ParseRuntimeKind(std::string_view text);

// What only the Docker driver reads.
struct DockerOptions {
  // The docker CLI.
  std::string docker = "docker";
  // The compose command; empty: {"docker", "compose"} (v2) when
  // `docker compose version` answers, else {"docker-compose"} (v1).
  std::vector<std::string> compose_command;
  // The compose network gets `internal: true`: no route out of it (the
  // host still reaches the containers).
  bool internal_network = true;
  // Compose project; empty: "<project>-<run id>", unique per run.
  std::string compose_project;
  // Containers are named "<compose project>-<replica>", so that runs side by
  // side do not collide; false: the bare replica names (what the original
  // course scripts expect; then only one run of a project at a time).
  // Either way the replicas resolve each other by replica name.
  bool prefix_container_names = true;
  // The network's subnet; empty: a free /24 chosen per run.
  std::string subnet;
  // Bound on each docker command (compose up, stops and starts get more).
  std::chrono::milliseconds command_timeout{60000};
  // The engine's socket on this host, mounted into the health-checkers'
  // containers so that they revive replicas with `docker start`; empty: the
  // path of a unix:// DOCKER_HOST, else /var/run/docker.sock.
  std::filesystem::path docker_socket;
  // Image of the throwaway probe container (ci/build-images.sh).
  std::string probe_image = "chancho/probe:latest";
  // Containers started at once (each `docker start` in flight is one
  // request to the engine).
  int start_concurrency = 16;
  // Deploy the run as a Swarm stack (`docker stack deploy`) instead of a
  // compose project: RuntimeKind::kSwarm. Needs this engine to be a Swarm
  // manager (`docker swarm init`; ci/swarm.sh).
  bool swarm = false;
};

// One set of options for every runtime.
struct RuntimeOptions {
  // A new run directory "<UTC time>-<short id>" is made under this root,
  // unless `run_dir` names one to use.
  std::filesystem::path runs_root = ".chancho/runs";
  std::filesystem::path run_dir;
  // Where a command's program name is looked up, before PATH (processes).
  std::vector<std::filesystem::path> bin_dirs;
  // Added to every process replica's environment (the plan's values win).
  std::map<std::string, std::string> environment;
  // Serve the control socket (`chancho ctl/ps/down` against the run, and
  // the health-checkers of a process run).
  bool serve_control = true;
  // Replicas that Up() leaves in the created state, for the caller to
  // Start() when it chooses (a scenario starts its clients when its fault
  // clock starts). Nothing may depend on them.
  std::set<std::string> held;
  // Links forwarded through TCP fault proxies, for network faults
  // (SetLinkFault); see proxied_links.h. Under Docker this needs a /24
  // subnet, and root to add the proxies' addresses to the network's bridge.
  std::vector<ProxiedLink> links;
  // Seeds the run id, the choice of subnet and the links' proxies.
  std::uint64_t seed = 0;  // 0: from std::random_device
  // The address shim that a deployment with address_shim preloads into its
  // process replicas (libchancho_address_shim.so; AddressShimBeside).
  std::filesystem::path address_shim;
  DockerOptions docker;
};

// Where the address shim is for a chancho executable at `chancho_cli`:
// <its directory>/../lib/chancho/libchancho_address_shim.so, in the build
// tree as once installed.
std::filesystem::path AddressShimBeside(const std::filesystem::path& chancho_cli);

}  // namespace chancho
