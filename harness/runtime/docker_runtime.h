#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "harness/runtime/docker_leftovers.h"
#include "harness/runtime/proxied_links.h"
#include "harness/runtime/runtime.h"

namespace chancho {

struct DockerRuntimeOptions {
  // A new run directory "<UTC time>-<short id>" is made under this root,
  // unless `run_dir` names one to use.
  std::filesystem::path runs_root = ".chancho/runs";
  std::filesystem::path run_dir;
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
  // Replicas that Up() creates but leaves stopped, for the caller to Start()
  // when it chooses (a scenario starts its clients when its fault clock
  // starts). Nothing may depend on them.
  std::set<std::string> held;
  // Bound on each docker command (compose up, stops and the start of a
  // batch of replicas get more).
  std::chrono::milliseconds command_timeout{60000};
  // The engine's socket on this host, mounted into the health-checkers'
  // containers so that they revive replicas with `docker start`; empty: the
  // path of a unix:// DOCKER_HOST, else /var/run/docker.sock.
  std::filesystem::path docker_socket;
  // Image of the throwaway probe container (ci/build-images.sh).
  std::string probe_image = "chancho/probe:latest";
  // Seeds the run id, the choice of subnet and the links' proxies.
  std::uint64_t seed = 0;  // 0: from std::random_device
  // Links whose traffic goes through a TCP fault proxy in this process, for
  // network faults (SetLinkFault); see docker_links.h for where the proxies
  // listen. Needs a /24 subnet, and root to add the proxies' addresses to
  // the run network's bridge.
  std::vector<ProxiedLink> links;
};

// What a probe run inside the compose network saw.
struct NetworkProbeResult {
  bool success = false;
  std::string reply;  // the first line that came back
  std::string error;  // why it failed, on one line; empty on success
};

// Runs every replica as a container, from the compose file it writes to
// <run_dir>/docker-compose.yaml (<run_dir>/compose-command holds the compose
// command line of the run), with `docker compose` (v2) or
// `docker-compose` (v1) and the docker CLI. Every docker command has a
// timeout, and its error output goes into the chancho::Error it throws.
// - Up creates everything with `compose up --no-start`, then starts the
//   replicas with `docker start` in dependency order: a replica starts once
//   the replicas it depends on are ready (as under ProcessRuntime).
// - The same observable behaviour as ProcessRuntime: a container ended by
//   signal N (docker's exit code 128 + N) reports term_signal N; `starts`
//   counts the runs of the container seen (a new StartedAt), also those
//   started from outside (a health-checker through the Docker socket);
//   Kill/Stop/Start/Pause/Resume throw when they cannot take effect.
// - Replicas of role health-checker get the engine's socket and
//   CONTAINER_PREFIX (see ComposeOptions); replicas of role client get
//   <run_dir>/results as $CHANCHO_RUN_DIR/results, as under ProcessRuntime.
// - Readiness: tcp and heartbeat checks go from the host to the container's
//   address in the network; log-line checks read the log file.
// - Logs: `docker logs -f` of each run of a container is appended to
//   <run_dir>/logs/<replica>.log as it is written, and on Down the file is
//   replaced by the whole `docker logs`. Logs() asks docker while the
//   container exists.
// - Everything it creates carries the labels com.chancho.run and
//   com.chancho.owner-{host,pid,start}; ReapLeftovers removes what a dead
//   owner left, and every constructor calls it first.
// Where it differs from ProcessRuntime: the command is the container's
// PID 1, so a signal it has no handler for (other than SIGKILL and SIGSTOP)
// is ignored; Kill of a paused container delivers the signal and the
// engine (20.10) unpauses it, where a paused process keeps it pending; an
// exit code of 129..192 reads as a signal; a run started from outside is
// seen (and its log followed) at the next Status/Ps/Wait.
// Thread-safe. The destructor brings everything down and removes the
// containers and the network; so does a failed Up.
class DockerRuntime final : public Runtime {
 public:
  // Reaps leftovers, makes the run directory and writes the compose file.
  // Throws chancho::Error when docker or compose is not usable.
  DockerRuntime(Deployment deployment, DockerRuntimeOptions options);
  ~DockerRuntime() override;
  DockerRuntime(const DockerRuntime&) = delete;
  DockerRuntime& operator=(const DockerRuntime&) = delete;

  const Deployment& deployment() const override;
  const std::filesystem::path& run_dir() const override;

  void Up() override;
  // `docker stop -t <grace rounded up to seconds>`, the health-checkers
  // first (so that they revive nothing), saves the logs, then `compose
  // down` (containers, network, volumes). A network that the engine holds
  // with nothing attached (RemoveNetworks, docker_leftovers.h) is left with
  // a warning on stderr; any other leftover makes Down throw.
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

  // The links of options.links, once Up has placed their proxies.
  std::vector<LinkStatus> Links() const override;
  LinkFaultOutcome SetLinkFault(std::string_view replica,
                                const DirectedLinkFault& fault) override;

  // Runs the echo probe (options.probe_image) in a throwaway container in
  // the compose network: sends `message` to host:port, where `host` is
  // resolved by the network's DNS (a replica name). Never throws for a
  // failed probe; throws chancho::Error when the container cannot run.
  NetworkProbeResult EchoProbe(const std::string& host, int port,
                               const std::string& message, Duration timeout);

  const std::string& compose_project() const;
  const std::string& network() const;  // the docker network's name
  std::string container(std::string_view replica) const;

  // Removes the containers and networks labelled by a DockerRuntime whose
  // owning process on this host is gone: how many it removed, and what the
  // engine refused to remove.
  static ReapResult ReapLeftovers(const std::string& docker = "docker");

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chancho
