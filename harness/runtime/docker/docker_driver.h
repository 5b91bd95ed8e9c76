#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <condition_variable>
#include <string>
#include <vector>

#include "common/subprocess.h"
#include "harness/runtime/docker/docker_inspect.h"
#include "harness/runtime/docker/docker_leftovers.h"
#include "harness/runtime/docker/docker_links.h"
#include "harness/runtime/docker/docker_log.h"
#include "harness/runtime/driver.h"
#include "harness/runtime/run_reaper.h"

namespace chancho {

class DockerEvents;

// Runs every replica as a container, from the compose file it writes to
// <run_dir>/docker-compose.yaml (<run_dir>/compose-command holds the compose
// command line of the run), with `docker compose` (v2) or `docker-compose`
// (v1) and the docker CLI. Every docker command has a timeout, and its
// error output goes into the chancho::Error it throws.
// - Create is `compose up --no-start`, in the background; Start is `docker
//   start`, one command per container, at most
//   options.docker.start_concurrency at once, each as soon as its
//   container exists (a replica with a proxied link waits for compose to
//   finish and its proxy to be placed).
// - State comes from the engine's event stream (`docker events`, filtered
//   to the run's label): a container's death is seen as the engine reports
//   it, and each event is followed by a `docker inspect` of that container
//   for its pid, address and times. Without the stream (it failed to
//   start or ended), Inspect falls back to `docker inspect`, at most every
//   200 ms per replica.
// - A container ended by signal N (docker's exit code 128 + N) reports
//   term_signal N; `starts` counts the runs of the container seen (a new
//   StartedAt), also those started from outside (a health-checker through
//   the Docker socket).
// - Replicas that revive others get the engine's socket and
//   CONTAINER_PREFIX (see ComposeOptions); replicas of role client get
//   <run_dir>/results as $CHANCHO_RUN_DIR/results.
// - Logs: `docker logs -f` of each run of a container is appended to
//   <run_dir>/logs/<replica>.log as it is written, and on Remove the file
//   is replaced by the whole `docker logs`. Logs() asks docker while the
//   container exists.
// - Everything it creates carries the labels com.chancho.run and
//   com.chancho.owner-{host,pid,start}; ReapDockerLeftovers removes what a
//   dead owner left, and the constructor calls it first. A run reaper
//   (run_reaper.h) removes the run's containers and networks by label
//   within seconds of the harness's death (SIGKILL included), unless the
//   run was removed cleanly.
// With options.docker.swarm (RuntimeKind::kSwarm) the run is a Swarm stack
// instead (docker_swarm.cc): the file is deployed with `docker stack
// deploy` as stack <compose project>, one service per replica with 0
// replicas and restart_policy none, on an attachable overlay network. Start
// is `docker service update --replicas 1 --force`, which makes a new task
// and so a new container each time (a task's container cannot be started
// again); the driver follows each replica's current task container
// (labelled com.docker.swarm.service.name), also one that a health-checker
// made by updating the service itself. Signals, pauses, exec and logs act
// on that container. The host cannot reach an overlay's addresses:
// host_reaches_addresses() is false, and readiness checks connect from the
// replica's network namespace. Links are not supported there yet, nor a
// compose file of the user's. Remove is `docker stack rm` and a removal by
// label, services included.
// Where containers differ from processes: the command is the container's
// PID 1, so a signal it has no handler for (other than SIGKILL and SIGSTOP)
// is ignored; an exit code of 129..192 reads as a signal.
class DockerDriver final : public Driver {
 public:
  // Reaps leftovers, checks the images, makes the run directory and writes
  // the compose file. Throws chancho::Error when docker or compose is not
  // usable or an image is missing.
  DockerDriver(Deployment deployment, RuntimeOptions options);
  ~DockerDriver() override;
  DockerDriver(const DockerDriver&) = delete;
  DockerDriver& operator=(const DockerDriver&) = delete;

  const Deployment& deployment() const override { return deployment_; }
  const std::filesystem::path& run_dir() const override { return run_dir_; }

  void Create() override;
  void Start(const std::vector<std::string>& replicas) override;
  void Signal(std::string_view replica, int signal) override;
  void Terminate(std::string_view replica) override;
  void Pause(std::string_view replica) override;
  void Resume(std::string_view replica) override;

  DriverStatus Inspect(std::string_view replica) override;
  std::vector<DriverStatus> InspectAll() override;
  Duration poll_interval() const override;
  void Watch(std::function<void()> changed) override;

  std::string Logs(std::string_view replica) override;
  std::filesystem::path LogPath(std::string_view replica) const override;
  std::optional<int> Exec(std::string_view replica,
                          const std::vector<std::string>& command,
                          Duration timeout, std::string* output) override;
  ProxiedLinks* links() override;
  // Saves the logs, then `compose down` (containers, network, volumes) and
  // a removal by label. A network that the engine holds with nothing
  // attached (RemoveNetworks, docker_leftovers.h) is left with a warning on
  // stderr; any other leftover makes Remove throw.
  void Remove() override;

  bool host_reaches_addresses() const override { return !swarm(); }

  const std::string& compose_project() const { return project_; }
  const std::string& network() const { return network_; }
  std::string container(std::string_view replica) const;
  const DockerOptions& docker_options() const { return options_.docker; }
  // Labels of everything the run makes (owner and run id).
  const std::map<std::string, std::string>& labels() const { return labels_; }
  bool created() const;
  std::uint64_t NextRandom();

 private:
  using Clock = std::chrono::steady_clock;

  static constexpr Duration kDrain{2000};        // a follower's last lines
  static constexpr Duration kInspectEvery{200};  // polls without events
  static constexpr Duration kUpTimeout{180000};  // compose up (creates all)
  // `docker start` of one container on a busy engine (other runs starting
  // and stopping) can take seconds.
  static constexpr Duration kStartTimeout{30000};

  struct Replica {
    const ReplicaPlan* plan = nullptr;
    std::string container;
    std::unique_ptr<DockerLog> log;
    std::string id;          // the container's full id, once inspected
    std::string started_at;  // StartedAt of the run last seen
    int starts = 0;
    std::uintmax_t log_offset = 0;  // log size when the run was seen
    std::string address;            // last address seen in the network
    DriverStatus last;              // reported once the container is gone
    Clock::time_point refreshed;    // when `last` was last inspected
    // When the last inspect that `last` holds was asked (system clock, to
    // compare with the engine's event times): an older answer is stale.
    std::chrono::system_clock::time_point asked;
    // When the run in `last` started (the engine's StartedAt): the uptime
    // is counted from it each time it is asked for.
    std::optional<std::chrono::system_clock::time_point> started;
    // Swarm: every task container of the replica seen so far; `container`
    // is the newest (empty before the first start).
    std::set<std::string> tasks;
  };

  bool swarm() const { return options_.docker.swarm; }
  // Swarm: the stack's service of a replica, "<stack>_<replica>".
  std::string Service(const Replica& r) const;
  // The replica's container now (a Swarm replica's changes with each run).
  std::string Container(const Replica& r) const;
  // Swarm: throws unless this engine is a Swarm manager.
  void CheckSwarm() const;
  // Swarm: `docker stack deploy` of the file, then StartAnchor.
  void DeployStack();
  // Swarm: a container of the probe image that keeps this node on the
  // overlay network for the whole run; a warning when it cannot start.
  void StartAnchor();
  // Swarm: `docker run` of a probe-image container that sleeps, on the
  // overlay (at `ip` unless empty), labelled with the run's labels and
  // com.chancho.role=`role`; the command's failure, or "" when it started.
  std::string RunHolder(const std::string& name, const std::string& role,
                        const std::string& ip);
  // Swarm: the holders' names (the anchor and one per link), which go
  // before the stack.
  std::vector<std::string> Holders() const;
  // Swarm: each link's proxy in the network namespace of a holder of its
  // own, at the link's proxy address on the overlay, forwarding to the
  // upstream's current task.
  void PlaceSwarmProxies(std::uint64_t seed);
  // Swarm: a new task of the replica's service, and waits until its
  // container has started (or already exited).
  void StartTask(Replica& r);
  // Swarm: makes `container` the replica's current one, if it is new (mu_
  // held); false when it was seen before.
  bool AdoptTask(Replica& r, const std::string& container);
  // Swarm: the replica whose service made `container` (its name is
  // "<service>.<slot>.<task id>"), or null.
  Replica* TaskOwner(const std::string& container);
  // Swarm: removes the run's services, by label; what failed goes to
  // `errors`.
  void RemoveServices(std::string& errors);

  CommandOptions Options(Duration timeout = Duration(0),
                         bool merge = false) const;
  std::string Docker(std::vector<std::string> args,
                     Duration timeout = Duration(0)) const;
  std::string Compose(const std::vector<std::string>& args,
                      Duration timeout) const;
  Replica& Get(std::string_view name);
  const Replica& Get(std::string_view name) const;
  // `action` on the replica's container through the Engine API, or else
  // `docker CLI... CONTAINER`.
  void ContainerAction(const Replica& r, const std::string& action,
                       const std::string& query, std::vector<std::string> cli,
                       Duration timeout);
  // Sends `signal` to the container's first process from the host; false
  // when it cannot be sent that way (then the engine is asked).
  bool SignalDirectly(const Replica& r, int signal);
  void FindCompose();
  // Runs a compose file of the user's (Deployment::compose_file).
  bool adopted() const { return !deployment_.compose_file.empty(); }
  // The -f files of every compose command.
  std::vector<std::string> ComposeFiles() const;
  // Throws unless every link of a compose file of the user's joins two
  // services of one replica each.
  void CheckAdoptedLinks() const;
  // With a compose file of the user's: joins a link end (a linked replica,
  // or an upstream at its fixed address) to the links' network, once,
  // before its first start. A connection lasts across restarts.
  void ConnectLinkEnd(const Replica& r);
  void CheckImages();
  std::string FreeSubnet();
  void WriteComposeFile();
  void CreateLocked();
  // Waits until the container of `r` exists (and with `everything`, until
  // compose is done and the links' proxies are placed). Throws compose's
  // error when it failed first.
  void AwaitCreated(const Replica& r, bool everything);
  void PlaceProxies();
  // `docker inspect` of `replicas`, recorded; those without a container
  // keep their last status.
  void Refresh(const std::vector<Replica*>& replicas);
  // Records what `info` shows (mu_ held), asked at `asked`.
  void Observe(Replica& r, const ContainerInfo& info,
               std::chrono::system_clock::time_point asked);
  void OnEvent(const std::string& container, const std::string& action,
               std::chrono::system_clock::time_point time,
               std::optional<int> exit_code);
  bool Streaming() const;
  // `r.last` with its uptime as of now (mu_ held).
  DriverStatus Current(const Replica& r) const;
  void Notify();
  void SaveLogs();
  void RemoveAll();
  std::vector<std::string> RemoveAllOnce();

  Deployment deployment_;
  RuntimeOptions options_;
  std::mt19937_64 random_;
  std::filesystem::path run_dir_;
  std::string run_id_;
  std::string project_;
  std::string network_;
  std::filesystem::path compose_file_;
  std::vector<std::string> compose_;
  std::map<std::string, std::string> labels_;
  std::unique_ptr<RunReaper> reaper_;
  std::string subnet_;
  std::filesystem::path engine_socket_;  // empty: the CLI for everything
  std::vector<Replica> replicas_;
  std::vector<std::string> link_upstreams_;  // of options_.links
  DockerLinkLayout link_layout_;             // in subnet_
  // Made by the first Create that made the network (under mu_), never
  // reset: the pointer links() returns stays valid.
  std::unique_ptr<ProxiedLinks> links_;

  mutable std::mutex mu_;  // replicas_' bookkeeping, created_, on_change_
  std::mutex create_mu_;   // one Create or Remove at a time
  bool created_ = false;   // compose created containers that may remain
  std::function<void()> on_change_;
  // Create runs compose in the background, so that a container starts as
  // soon as it exists while compose creates the others.
  std::thread create_thread_;
  std::condition_variable create_cv_;  // with mu_
  bool create_done_ = false;           // compose ended; create_error_ says how
  std::string create_error_;
  std::set<std::string> existing_;  // containers seen created
  std::set<std::string> connected_;  // link ends joined to the links' network
  std::unique_ptr<DockerEvents> events_;
};

}  // namespace chancho
