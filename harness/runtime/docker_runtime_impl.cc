#include "harness/runtime/docker_runtime_impl.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "common/subprocess.h"
#include "harness/compose/compose.h"
#include "harness/runtime/docker_cli.h"
#include "harness/runtime/docker_inspect.h"
#include "harness/runtime/docker_leftovers.h"
#include "harness/runtime/docker_log.h"
#include "harness/runtime/readiness.h"
#include "harness/runtime/run_dir.h"

namespace chancho {

using docker_internal::Alive;
using docker_internal::kCheckTimeout;
using docker_internal::kDrain;
using docker_internal::kUpTimeout;
using std::chrono::milliseconds;

DockerRuntime::Impl::Impl(Deployment deployment, DockerRuntimeOptions options)
    : deployment_(std::move(deployment)),
      options_(std::move(options)),
      random_(options_.seed != 0 ? options_.seed : std::random_device{}()) {
  for (const std::string& failure :
       ReapDockerLeftovers(options_.docker).failures) {
    std::cerr << "warning: a leftover of an earlier Docker run was not "
                 "removed: "
              << failure << "\n";
  }
  compose_ = options_.compose_command;
  if (compose_.empty()) {
    const CommandResult v2 = RunCommand({options_.docker, "compose", "version"},
                                        Options(milliseconds(15000)));
    if (!v2.timed_out && v2.exit_code == 0) {
      compose_ = {options_.docker, "compose"};
    } else if (FindProgram("docker-compose")) {
      // Not `docker-compose version`: the Python v1 takes a second to start.
      compose_ = {"docker-compose"};
    } else {
      throw Error("neither `" + options_.docker +
                  " compose` (v2) nor docker-compose (v1) is available: " +
                  OneLine(v2.err.empty() ? v2.out : v2.err, 200));
    }
  }

  // Before anything is made: no run directory for a run that cannot be.
  CheckImages();
  link_upstreams_ = LinkUpstreams(options_.links, deployment_);
  run_dir_ = options_.run_dir.empty()
                 ? CreateRunDir(options_.runs_root, random_())
                 : std::filesystem::absolute(options_.run_dir);
  std::filesystem::create_directories(run_dir_ / "logs");
  std::filesystem::create_directories(run_dir_ / "results");
  run_id_ = run_dir_.filename().string();
  project_ = options_.compose_project.empty()
                 ? ComposeProjectName(deployment_.project, run_id_)
                 : options_.compose_project;
  network_ = ComposeNetworkName(project_, deployment_.network);
  compose_file_ = run_dir_ / "docker-compose.yaml";
  labels_ = OwnerLabels(run_id_);

  for (const ReplicaPlan& plan : deployment_.replicas) {
    Replica r;
    r.plan = &plan;
    r.container = options_.prefix_container_names ? project_ + "-" + plan.name
                                                  : plan.name;
    r.log = std::make_unique<DockerLog>(
        options_.docker, r.container, run_dir_ / "logs" / (plan.name + ".log"));
    r.last.name = plan.name;
    r.last.service = plan.service;
    r.last.role = plan.role;
    for (const Mount& mount : plan.mounts) {
      if (mount.storage) {
        std::filesystem::create_directories(
            mount.host.is_relative() ? run_dir_ / mount.host : mount.host);
      }
    }
    replicas_.push_back(std::move(r));
  }

  subnet_ = options_.subnet.empty() ? FreeSubnet() : options_.subnet;
  WriteComposeFile();
  WriteFileAtomically(run_dir_ / "deployment.json",
                      DeploymentToJson(deployment_));
  // The compose file's own comment names the plan's project; this run's is
  // unique: `$(cat compose-command) ps` reaches it.
  WriteFileAtomically(
      run_dir_ / "compose-command",
      CommandLine(ComposeArgs(compose_, project_, compose_file_.string(), {})) +
          "\n");
}

void DockerRuntime::Impl::CheckImages() {
  std::vector<std::string> args = {options_.docker, "image", "inspect",
                                   "--format", "{{.Id}}"};
  for (const ReplicaPlan& plan : deployment_.replicas) {
    if (plan.image.empty()) {
      throw Error("replica " + plan.name + ": no image to run under Docker");
    }
    if (std::find(args.begin() + 5, args.end(), plan.image) == args.end()) {
      args.push_back(plan.image);
    }
  }
  if (args.size() == 5) return;
  // Compose would try to pull a missing image, and there may be no registry.
  const CommandResult result = RunCommand(args, Options());
  if (result.timed_out || result.exit_code != 0) {
    throw Error(deployment_.project + ": " + OneLine(result.err, 300) +
                "; build the images with ci/build-images.sh BUILD_DIR");
  }
}

std::string DockerRuntime::Impl::FreeSubnet() {
  std::vector<std::string> inspect = {options_.docker, "network", "inspect"};
  std::istringstream ids(Docker({"network", "ls", "-q", "--no-trunc"}));
  for (std::string id; std::getline(ids, id);) {
    if (!id.empty()) inspect.push_back(id);
  }
  // A network removed in between fails alone.
  const CommandResult result = RunCommand(inspect, Options());
  std::vector<std::string> used = {subnet_};
  for (const NetworkInfo& network :
       ParseNetworkInspect(result.out.empty() ? "[]" : result.out)) {
    used.insert(used.end(), network.subnets.begin(), network.subnets.end());
  }
  const auto subnet = ChooseSubnet(used, random_);
  if (!subnet) throw Error(project_ + ": no free /24 in 172.25-26.0.0/16");
  return *subnet;
}

void DockerRuntime::Impl::WriteComposeFile() {
  ComposeOptions compose;
  compose.output_dir = run_dir_;
  compose.internal_network = options_.internal_network;
  compose.subnet = subnet_;
  if (options_.prefix_container_names) {
    compose.container_name_prefix = project_ + "-";
  }
  compose.labels = labels_;
  compose.docker_socket = options_.docker_socket;
  if (compose.docker_socket.empty()) {
    const char* host = std::getenv("DOCKER_HOST");
    const std::string_view unix_scheme = "unix://";
    compose.docker_socket =
        host != nullptr && std::string_view(host).starts_with(unix_scheme)
            ? std::filesystem::path(host + unix_scheme.size())
            : std::filesystem::path("/var/run/docker.sock");
  }
  compose.results_dir = run_dir_ / "results";
  if (!options_.links.empty()) {
    link_layout_ = PlanDockerLinks(options_.links, link_upstreams_, subnet_);
    compose.ip_range = link_layout_.ip_range;
    compose.addresses = link_layout_.upstream_addresses;
    compose.extra_hosts = link_layout_.extra_hosts;
  }
  WriteCompose(deployment_, compose, compose_file_);
}

DockerRuntime::Impl::Replica& DockerRuntime::Impl::Get(std::string_view name) {
  for (Replica& r : replicas_) {
    if (r.plan->name == name) return r;
  }
  throw UnknownReplica(name, deployment_);
}

void DockerRuntime::Impl::Create() {
  for (int attempt = 1;; ++attempt) {
    {
      std::lock_guard lock(mu_);
      created_ = true;
    }
    const auto args = ComposeArgs(compose_, project_, compose_file_.string(),
                                  {"up", "--no-build", "--no-start"});
    const CommandResult result = RunCommand(args, Options(kUpTimeout));
    if (!result.timed_out && result.exit_code == 0) return;
    // Another run took the subnet between the choice and now.
    const bool overlap = result.err.find("overlaps") != std::string::npos;
    if (!overlap || !options_.subnet.empty() || attempt == 3) {
      throw Error(DescribeFailure(args, result, Options(kUpTimeout)));
    }
    RemoveAll();
    subnet_ = FreeSubnet();
    WriteComposeFile();
  }
}

void DockerRuntime::Impl::PlaceProxies() {
  if (options_.links.empty() || links()) return;
  const std::string bridge = InterfaceWithAddress(link_layout_.gateway);
  if (bridge.empty()) {
    throw Error(network_ + ": no interface of this host holds the network's "
                "gateway " + link_layout_.gateway +
                ", so the links' proxies have nowhere to listen");
  }
  for (const std::string& address : link_layout_.proxy_addresses) {
    AddInterfaceAddress(bridge, address);
  }
  std::uint64_t seed;
  {
    std::lock_guard lock(mu_);  // random_ is shared with EchoProbe
    seed = random_();
  }
  auto links = std::make_unique<ProxiedLinks>(
      options_.links, deployment_,
      [this](const ProxiedLink&, const std::string& upstream, std::size_t i) {
        return ProxyPlacement{link_layout_.proxy_addresses.at(i),
                              link_layout_.upstream_addresses.at(upstream)};
      },
      seed);
  std::lock_guard lock(mu_);
  links_ = std::move(links);
}

std::map<std::string, ContainerInfo> DockerRuntime::Impl::Inspect(
    const std::vector<Replica*>& replicas) {
  std::map<std::string, ContainerInfo> out;
  {
    std::lock_guard lock(mu_);
    if (!created_ || replicas.empty()) return out;
  }
  std::vector<std::string> args = {options_.docker, "inspect", "--type",
                                   "container"};
  for (const Replica* r : replicas) args.push_back(r->container);
  const CommandResult result = RunCommand(args, Options());
  if (result.timed_out || (result.exit_code != 0 &&
                           result.err.find("No such") == std::string::npos)) {
    throw Error(DescribeFailure(args, result, Options()));
  }
  for (ContainerInfo& info :
       ParseContainerInspect(result.out.empty() ? "[]" : result.out)) {
    out.emplace(info.name, std::move(info));
  }
  return out;
}

ReplicaStatus DockerRuntime::Impl::Observe(Replica& r,
                                           const ContainerInfo& info) {
  if (!info.started_at.empty() && info.started_at != r.started_at) {
    // A new run: ours, or one started from outside.
    const std::string since = r.started_at.empty() ? "" : info.finished_at;
    r.started_at = info.started_at;
    ++r.starts;
    r.ready = r.plan->readiness.kind == Readiness::Kind::kNone;
    r.log_offset = r.log->FollowNewRun(since, kDrain);
  }
  const auto address = info.networks.find(network_);
  if (address != info.networks.end() && !address->second.empty()) {
    r.address = address->second;
  }
  ReplicaStatus s = r.last;
  s.address = r.address;
  s.state = StateOf(info);
  s.ready = r.ready;
  s.pid = Alive(s.state) ? info.pid : 0;
  s.uptime = milliseconds(0);
  if (Alive(s.state)) {
    if (const auto started = ParseDockerTime(info.started_at)) {
      s.uptime = std::max(milliseconds(0),
                          std::chrono::duration_cast<milliseconds>(
                              std::chrono::system_clock::now() - *started));
    }
  }
  s.starts = r.starts;
  s.restarts = std::max(0, r.starts - 1);
  s.exit_code.reset();
  s.term_signal.reset();
  if (s.state == ReplicaState::kExited) {
    const ExitStatus exit = NormaliseExit(info.exit_code);
    s.exit_code = exit.exit_code;
    s.term_signal = exit.term_signal;
  }
  r.last = s;
  return s;
}

ReplicaStatus DockerRuntime::Impl::Refresh(Replica& r) {
  auto infos = Inspect({&r});
  std::lock_guard lock(mu_);
  const auto it = infos.find(r.container);
  if (it == infos.end()) {
    ReplicaStatus s = r.last;
    s.pid = 0;
    s.uptime = milliseconds(0);
    if (Alive(s.state)) s.state = ReplicaState::kExited;  // removed
    return s;
  }
  return Observe(r, it->second);
}

void DockerRuntime::Impl::StartBatch(const std::vector<Replica*>& batch) {
  if (batch.empty()) return;
  std::vector<std::string> args = {"start"};
  for (const Replica* r : batch) args.push_back(r->container);
  // `docker start` starts them one after another, and a busy engine (other
  // runs starting and stopping) can take seconds for each.
  constexpr milliseconds kPerContainer{3000};
  Docker(args, options_.command_timeout +
                   kPerContainer * static_cast<int>(batch.size()));
  auto infos = Inspect(batch);
  std::lock_guard lock(mu_);
  for (Replica* r : batch) {
    const auto it = infos.find(r->container);
    if (it != infos.end()) Observe(*r, it->second);
  }
}

bool DockerRuntime::Impl::CheckReady(const Replica& r,
                                     const std::string& address,
                                     std::uintmax_t offset) const {
  const ReplicaPlan& plan = *r.plan;
  switch (plan.readiness.kind) {
    case Readiness::Kind::kNone:
      return true;
    case Readiness::Kind::kTcp:
      return !address.empty() &&
             TcpAccepts(address, plan.readiness.port, kCheckTimeout);
    case Readiness::Kind::kHeartbeat:
      return !address.empty() &&
             HeartbeatAnswers(address, plan.heartbeat_port, kCheckTimeout);
    case Readiness::Kind::kLogLine:
      return LogLineScanner(r.log->path(), plan.readiness.pattern, offset)
          .Poll()
          .has_value();
  }
  return false;
}

void DockerRuntime::Impl::SaveLogs() {
  for (Replica& r : replicas_) {
    {
      std::lock_guard lock(mu_);
      r.log->StopFollowing(kDrain);
    }
    const CommandResult logs = RunCommand(
        {options_.docker, "logs", r.container}, Options(milliseconds(0), true));
    if (!logs.timed_out && logs.exit_code == 0) r.log->Replace(logs.out);
  }
}

// Everything of the run, by its label: what compose down would remove, and
// probe containers. The engine may still hold an endpoint of a container
// it is removing (or one that a `docker start` in flight brought back), and
// after many endpoints went at once it may take a moment to count them
// down, so a network that is still in use is tried again, a few times. A
// network the engine still refuses although nothing is attached is one
// whose endpoint count it lost (docker_leftovers.h): only a restart of the
// engine frees it, so it is left, labelled, with a warning.
void DockerRuntime::Impl::RemoveAll() {
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    std::vector<std::string> held;
    try {
      held = RemoveAllOnce();
    } catch (const Error&) {
      if (attempt == kAttempts) throw;
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (held.empty()) return;
    if (attempt == kAttempts) {
      for (const std::string& network : held) {
        std::cerr << "warning: " << project_ << ": "
                  << HeldNetworkMessage(network) << "\n";
      }
      return;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

std::vector<std::string> DockerRuntime::Impl::RemoveAllOnce() {
  const std::string filter = std::string("label=") + kRunLabel + "=" + run_id_;
  std::string errors;
  const auto list = [&](std::vector<std::string> argv) {
    std::vector<std::string> ids;
    const CommandResult result = RunCommand(argv, Options());
    if (result.exit_code != 0 || result.timed_out) {
      errors += DescribeFailure(argv, result, Options()) + "; ";
      return ids;
    }
    std::istringstream lines(result.out);
    for (std::string id; std::getline(lines, id);) {
      if (!id.empty()) ids.push_back(id);
    }
    return ids;
  };
  std::vector<std::string> rm = {options_.docker, "rm", "-f", "-v"};
  const std::size_t command_size = rm.size();
  for (std::string& id :
       list({options_.docker, "ps", "-aq", "--filter", filter})) {
    rm.push_back(std::move(id));
  }
  if (rm.size() > command_size) {
    const CommandResult done = RunCommand(rm, Options());
    if (done.exit_code != 0 || done.timed_out) {
      errors += DescribeFailure(rm, done, Options()) + "; ";
    }
  }
  NetworkRemoval networks;
  // A network is tried only once its containers are gone.
  if (errors.empty()) {
    networks = RemoveNetworks(
        options_.docker,
        list({options_.docker, "network", "ls", "-q", "--filter", filter}),
        options_.command_timeout);
  }
  for (const std::string& failure : networks.failures) errors += failure + "; ";
  if (!errors.empty()) {
    throw Error(project_ + ": cannot remove the run's containers: " +
                errors.substr(0, errors.size() - 2));
  }
  return networks.held;
}

}  // namespace chancho
