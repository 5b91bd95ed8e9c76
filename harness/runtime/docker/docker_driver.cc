#include "harness/runtime/docker/docker_driver.h"
#include "harness/runtime/docker/docker_events.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <utility>

#include "common/subprocess.h"
#include "harness/compose/compose.h"
#include "harness/runtime/docker/docker_api.h"
#include "harness/runtime/docker/docker_cli.h"
#include "harness/runtime/docker/docker_inspect.h"
#include "harness/runtime/docker/docker_leftovers.h"
#include "harness/runtime/docker/docker_log.h"
#include "harness/runtime/proxied_links.h"
#include "harness/runtime/run_dir.h"
#include "harness/runtime/runtime.h"

namespace chancho {

using std::chrono::milliseconds;
using SystemClock = std::chrono::system_clock;

DockerDriver::DockerDriver(Deployment deployment, RuntimeOptions options)
    : deployment_(std::move(deployment)),
      options_(std::move(options)),
      random_(options_.seed != 0 ? options_.seed : std::random_device{}()) {
  if (swarm() && adopted()) {
    throw Error(deployment_.compose_file.string() +
                ": the Swarm runtime deploys the file it writes from a spec; "
                "run a compose file of your own with --runtime docker");
  }
  if (adopted()) CheckAdoptedLinks();
  // Three independent checks, at once: each is a docker command or two.
  auto compose = std::async(std::launch::async, [this] {
    if (swarm()) {
      CheckSwarm();
    } else {
      FindCompose();
    }
  });
  // Before anything is made: no run directory for a run that cannot be.
  auto images = std::async(std::launch::async, [this] { CheckImages(); });
  // A subnet that a leftover being reaped still holds is only passed over.
  auto subnet = std::async(std::launch::async, [this] {
    // A compose file of the user's brings its own networks; Chancho adds
    // one only for the proxies of its links.
    if (adopted() && options_.links.empty()) return std::string();
    return options_.docker.subnet.empty() ? FreeSubnet()
                                          : options_.docker.subnet;
  });
  const ReapResult reaped = ReapDockerLeftovers(options_.docker.docker);
  for (const std::string& failure : reaped.failures) {
    std::cerr << "warning: a leftover of an earlier Docker run was not "
                 "removed: "
              << failure << "\n";
  }
  for (const std::string& held : reaped.held) {
    std::cerr << "warning: " << held << "\n";
  }
  engine_socket_ = options_.docker.docker_socket.empty()
                       ? EngineSocket()
                       : options_.docker.docker_socket;
  compose.get();
  images.get();
  subnet_ = subnet.get();
  link_upstreams_ = LinkUpstreams(options_.links, deployment_);
  run_dir_ = options_.run_dir.empty()
                 ? CreateRunDir(options_.runs_root, random_())
                 : std::filesystem::absolute(options_.run_dir);
  std::filesystem::create_directories(run_dir_ / "logs");
  std::filesystem::create_directories(run_dir_ / "results");
  run_id_ = run_dir_.filename().string();
  project_ = options_.docker.compose_project.empty()
                 ? ComposeProjectName(deployment_.project, run_id_)
                 : options_.docker.compose_project;
  network_ = ComposeNetworkName(project_, deployment_.network);
  // A compose file of the user's is run as it is, with an override file of
  // Chancho's labels; otherwise Chancho writes the whole file.
  compose_file_ = run_dir_ / (adopted() ? "compose.override.yaml"
                                        : "docker-compose.yaml");
  labels_ = OwnerLabels(run_id_);
  // A user's compose file declares networks without Chancho's labels; the
  // project name, made from the run id, is this run's alone.
  reaper_ = MakeDockerReaper(
      options_.docker.docker, run_id_,
      adopted() && options_.docker.compose_project.empty() ? project_ : "");

  for (const ReplicaPlan& plan : deployment_.replicas) {
    Replica r;
    r.plan = &plan;
    if (swarm()) {
      // Known once its first task exists.
    } else if (!plan.container_name.empty()) {
      r.container = plan.container_name;
    } else if (adopted()) {
      r.container = ComposeContainerName(compose_, project_, plan.service, plan.index);
    } else {
      r.container = options_.docker.prefix_container_names
                        ? project_ + "-" + plan.name
                        : plan.name;
    }
    r.log = std::make_unique<DockerLog>(
        options_.docker.docker, r.container,
        run_dir_ / "logs" / (plan.name + ".log"));
    for (const Mount& mount : plan.mounts) {
      if (mount.storage) {
        std::filesystem::create_directories(
            mount.host.is_relative() ? run_dir_ / mount.host : mount.host);
      }
    }
    replicas_.push_back(std::move(r));
  }

  WriteComposeFile();
  WriteFileAtomically(run_dir_ / "deployment.json",
                      DeploymentToJson(deployment_));
  // The compose file's own comment names the plan's project; this run's is
  // unique: `$(cat compose-command) ps` reaches it (a Swarm run's stack:
  // `docker stack ps $(cat stack)`).
  if (swarm()) {
    WriteFileAtomically(run_dir_ / "stack", project_ + "\n");
  } else {
    WriteFileAtomically(
        run_dir_ / "compose-command",
        CommandLine(ComposeArgs(compose_, project_, ComposeFiles(), {})) +
            "\n");
  }
  try {
    events_ = std::make_unique<DockerEvents>(
        options_.docker.docker, std::string(kRunLabel) + "=" + run_id_,
        [this](const ContainerEvent& event) {
          OnEvent(event.container, event.action, event.time,
                  event.exit_code);
        });
  } catch (const std::exception& e) {
    std::cerr << "warning: " << project_ << ": no event stream, state is "
              << "polled: " << e.what() << "\n";
  }
}


DockerDriver::~DockerDriver() {
  events_.reset();
  if (create_thread_.joinable()) create_thread_.join();
  try {
    Remove();
  } catch (...) {
    try {
      RemoveAll();  // the last resort: by label
    } catch (...) {
      // The next DockerDriver's ReapDockerLeftovers removes what is left.
    }
  }
}

CommandOptions DockerDriver::Options(Duration timeout, bool merge) const {
  return {timeout.count() > 0 ? timeout : options_.docker.command_timeout,
          merge};
}

std::string DockerDriver::Docker(std::vector<std::string> args,
                                 Duration timeout) const {
  args.insert(args.begin(), options_.docker.docker);
  return RunChecked(args, Options(timeout));
}

std::string DockerDriver::Compose(const std::vector<std::string>& args,
                                  Duration timeout) const {
  return RunChecked(ComposeArgs(compose_, project_, ComposeFiles(), args),
                    Options(timeout));
}

std::vector<std::string> DockerDriver::ComposeFiles() const {
  if (!adopted()) return {compose_file_.string()};
  return {deployment_.compose_file.string(), compose_file_.string()};
}

DockerDriver::Replica& DockerDriver::Get(std::string_view name) {
  return const_cast<Replica&>(std::as_const(*this).Get(name));
}

const DockerDriver::Replica& DockerDriver::Get(std::string_view name) const {
  for (const Replica& r : replicas_) {
    if (r.plan->name == name) return r;
  }
  throw UnknownReplica(name, deployment_);
}

std::string DockerDriver::container(std::string_view replica) const {
  return Container(Get(replica));
}

std::string DockerDriver::Container(const Replica& r) const {
  std::lock_guard lock(mu_);
  if (r.container.empty()) {
    throw Error("replica " + r.plan->name + " has no task yet: it has not "
                "been started");
  }
  return r.container;
}

bool DockerDriver::created() const {
  std::lock_guard lock(mu_);
  return created_;
}

std::uint64_t DockerDriver::NextRandom() {
  std::lock_guard lock(mu_);
  return random_();
}

void DockerDriver::Watch(std::function<void()> changed) {
  std::lock_guard lock(mu_);
  on_change_ = std::move(changed);
}

void DockerDriver::Notify() {
  std::function<void()> callback;
  {
    std::lock_guard lock(mu_);
    callback = on_change_;
  }
  if (callback) callback();
}

bool DockerDriver::Streaming() const { return events_ && events_->Running(); }

DockerDriver::Duration DockerDriver::poll_interval() const {
  return Streaming() ? Duration(1000) : kInspectEvery;
}

ProxiedLinks* DockerDriver::links() {
  std::lock_guard lock(mu_);
  return links_.get();
}

void DockerDriver::Start(const std::vector<std::string>& replicas) {
  std::vector<Replica*> batch;
  for (const std::string& name : replicas) batch.push_back(&Get(name));
  if (batch.empty()) return;
  std::mutex mu;
  std::deque<Replica*> queue(batch.begin(), batch.end());
  std::string errors;
  const auto worker = [&] {
    for (;;) {
      Replica* r;
      {
        std::lock_guard lock(mu);
        if (queue.empty()) return;
        r = queue.front();
        queue.pop_front();
      }
      try {
        const bool linked = std::any_of(
            options_.links.begin(), options_.links.end(),
            [&](const ProxiedLink& l) { return l.replica == r->plan->name; });
        if (swarm()) {
          AwaitCreated(*r, true);
          StartTask(*r);
          continue;
        }
        AwaitCreated(*r, linked);
        ConnectLinkEnd(*r);
        ContainerAction(*r, "start", "",
                        {"start"},
                        options_.docker.command_timeout + kStartTimeout);
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        errors += (errors.empty() ? "" : "; ") + r->plan->name + ": " +
                  e.what();
      }
    }
  };
  const int threads = std::clamp(options_.docker.start_concurrency, 1,
                                 static_cast<int>(batch.size()));
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  Refresh(batch);
  Notify();
  if (!errors.empty()) throw Error(errors);
}

// Through the Engine API when its socket is reachable (one round trip),
// else the CLI.
void DockerDriver::ContainerAction(const Replica& r, const std::string& action,
                                   const std::string& query,
                                   std::vector<std::string> cli,
                                   Duration timeout) {
  const std::string container = Container(r);
  cli.push_back(container);
  if (!engine_socket_.empty()) {
    const auto reply = EngineRequest(
        engine_socket_, "POST",
        "/containers/" + container + "/" + action + query, timeout);
    if (reply) {
      // 304: already in the state asked for (a start of a started one).
      if (reply->status == 204 || reply->status == 304) return;
      throw Error("replica " + r.plan->name + ": docker " + CommandLine(cli) +
                  ": " + OneLine(EngineMessage(*reply), 300));
    }
  }
  Docker(std::move(cli), timeout);
}

// A signal straight to the container's first process, from the host, when
// this process may send it: the engine's kill call waits for the engine's
// own bookkeeping (tens of ms for SIGKILL), the death is seen either way
// through the event stream. A pidfd makes sure that the process signalled
// is the one whose cgroup names the container, not a later one with a
// reused pid.
bool DockerDriver::SignalDirectly(const Replica& r, int signal) {
  int pid;
  std::string id;
  {
    std::lock_guard lock(mu_);
    if (r.last.state != ReplicaState::kRunning || r.last.pid <= 0 ||
        r.id.empty()) {
      return false;
    }
    pid = r.last.pid;
    id = r.id;
  }
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return false;
  std::ifstream cgroup("/proc/" + std::to_string(pid) + "/cgroup");
  const std::string text((std::istreambuf_iterator<char>(cgroup)), {});
  const bool ours = !text.empty() && text.find(id) != std::string::npos &&
                    ::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr,
                              0) == 0;
  ::close(pidfd);
  return ours;
}

void DockerDriver::Signal(std::string_view replica, int signal) {
  Replica& r = Get(replica);
  if (SignalDirectly(r, signal)) {
    std::lock_guard lock(mu_);
    r.refreshed = {};
    return;
  }
  ContainerAction(r, "kill", "?signal=" + std::to_string(signal),
                  {"kill", "-s", std::to_string(signal)},
                  options_.docker.command_timeout);
  std::lock_guard lock(mu_);
  r.refreshed = {};
}

void DockerDriver::Terminate(std::string_view replica) {
  Replica& r = Get(replica);
  bool paused;
  {
    std::lock_guard lock(mu_);
    paused = r.last.state == ReplicaState::kPaused;
  }
  Signal(replica, SIGTERM);
  // A frozen container handles the signal once it is thawed; the engine
  // may have thawed it already, so a refusal is no error.
  if (paused) {
    RunCommand({options_.docker.docker, "unpause", Container(r)}, Options());
  }
}

void DockerDriver::Pause(std::string_view replica) {
  Replica& r = Get(replica);
  ContainerAction(r, "pause", "", {"pause"},
                  options_.docker.command_timeout);
  Refresh({&r});
  std::lock_guard lock(mu_);
  if (r.last.state != ReplicaState::kPaused) {
    throw Error("replica " + std::string(replica) +
                ": docker pause returned, but it is " +
                std::string(ToString(r.last.state)));
  }
}

void DockerDriver::Resume(std::string_view replica) {
  Replica& r = Get(replica);
  ContainerAction(r, "unpause", "",
                  {"unpause"},
                  options_.docker.command_timeout);
  Refresh({&r});
}

std::string DockerDriver::Logs(std::string_view replica) {
  const Replica& r = Get(replica);
  if (created()) {
    // A Swarm replica's earlier tasks are in the file, before the current
    // task's first line; docker has the current task's lines, all of them
    // (the file's follower may still be behind).
    std::string container;
    std::uintmax_t offset = 0;
    {
      std::lock_guard lock(mu_);
      container = r.container;
      offset = r.log_offset;
    }
    const std::string earlier =
        swarm() && offset > 0 ? ReadFile(r.log->path()).substr(0, offset)
                              : std::string();
    if (!container.empty()) {
      const CommandResult logs =
          RunCommand({options_.docker.docker, "logs", container},
                     Options(milliseconds(0), true));
      if (!logs.timed_out && logs.exit_code == 0) return earlier + logs.out;
    }
  }
  return ReadFile(r.log->path());
}

std::filesystem::path DockerDriver::LogPath(std::string_view replica) const {
  return Get(replica).log->path();
}

std::optional<int> DockerDriver::Exec(std::string_view replica,
                                      const std::vector<std::string>& command,
                                      Duration timeout, std::string* output) {
  const Replica& r = Get(replica);
  std::vector<std::string> argv = {options_.docker.docker, "exec",
                                   Container(r)};
  argv.insert(argv.end(), command.begin(), command.end());
  return RunForExitCode(argv, timeout, output);
}

}  // namespace chancho
