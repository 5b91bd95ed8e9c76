#include "harness/runtime/docker/docker_driver.h"

// DockerDriver: making the run (compose, the network, the proxies) and
// removing it.

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

void DockerDriver::Create() {
  std::lock_guard create(create_mu_);
  {
    std::lock_guard lock(mu_);
    if (created_) return;
    created_ = true;
    create_done_ = false;
    create_error_.clear();
    existing_.clear();
  }
  if (create_thread_.joinable()) create_thread_.join();
  create_thread_ = std::thread([this] {
    std::string error;
    try {
      CreateLocked();
      PlaceProxies();
    } catch (const std::exception& e) {
      error = e.what();
    }
    {
      std::lock_guard lock(mu_);
      create_done_ = true;
      create_error_ = error;
    }
    create_cv_.notify_all();
    Notify();
  });
}

void DockerDriver::AwaitCreated(const Replica& r, bool everything) {
  std::unique_lock lock(mu_);
  const bool done = create_cv_.wait_for(lock, kUpTimeout, [&] {
    return create_done_ ||
           (!everything && existing_.count(r.container) != 0);
  });
  if (create_done_ && !create_error_.empty()) throw Error(create_error_);
  if (!done) {
    throw Error("replica " + r.plan->name + ": its container was not created "
                "within " + std::to_string(kUpTimeout.count() / 1000) + " s");
  }
}

void DockerDriver::FindCompose() {
  compose_ = options_.docker.compose_command;
  if (!compose_.empty()) return;
  const CommandResult v2 =
      RunCommand({options_.docker.docker, "compose", "version"},
                 Options(milliseconds(15000)));
  if (!v2.timed_out && v2.exit_code == 0) {
    compose_ = {options_.docker.docker, "compose"};
  } else if (FindProgram("docker-compose")) {
    // Not `docker-compose version`: the Python v1 takes a second to start.
    compose_ = {"docker-compose"};
  } else {
    throw Error("neither `" + options_.docker.docker +
                " compose` (v2) nor docker-compose (v1) is available: " +
                OneLine(v2.err.empty() ? v2.out : v2.err, 200));
  }
}

void DockerDriver::ConnectLinkEnd(const Replica& r) {
  if (!adopted() || options_.links.empty()) return;
  const std::string& name = r.plan->name;
  const bool end = std::any_of(
      options_.links.begin(), options_.links.end(),
      [&](const ProxiedLink& l) { return l.replica == name; }) ||
      link_layout_.upstream_addresses.contains(name);
  {
    std::lock_guard lock(mu_);
    if (!end || !connected_.insert(name).second) return;
  }
  std::vector<std::string> args = {"network", "connect"};
  if (const auto fixed = link_layout_.upstream_addresses.find(name);
      fixed != link_layout_.upstream_addresses.end()) {
    args.insert(args.end(), {"--ip", fixed->second});
  }
  args.insert(args.end(), {network_, r.container});
  Docker(args);
}

void DockerDriver::CheckAdoptedLinks() const {
  if (options_.links.empty()) return;
  // A link's ends are one container each: the proxy's address goes in the
  // linked service's extra_hosts, and the upstream gets a fixed address on
  // the links' network, both per service in the override.
  const auto alone = [this](const std::string& replica) {
    const ReplicaPlan* plan = deployment_.Find(replica);
    if (plan == nullptr) return;  // LinkUpstreams names it
    const auto replicas = std::count_if(
        deployment_.replicas.begin(), deployment_.replicas.end(),
        [plan](const ReplicaPlan& r) { return r.service == plan->service; });
    if (replicas != 1) {
      throw Error(replica + ": a link's ends must each be a service of one "
                  "replica in " + deployment_.compose_file.string() +
                  ", and " + plan->service + " has " + std::to_string(replicas));
    }
    if (plan->compose_networks.empty()) {
      throw Error(replica + ": a service with network_mode cannot be linked");
    }
  };
  for (const ProxiedLink& link : options_.links) {
    alone(link.replica);
    alone(link.upstream);
  }
}

void DockerDriver::CheckImages() {
  // Compose builds or pulls what a file of the user's names, as it would
  // without Chancho.
  if (adopted()) return;
  std::vector<std::string> args = {options_.docker.docker, "image", "inspect",
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
                "; build the missing image first (docker build; Chancho's own "
                "images: ci/build-images.sh BUILD_DIR)");
  }
}

std::string DockerDriver::FreeSubnet() {
  std::vector<std::string> inspect = {options_.docker.docker, "network", "inspect"};
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
  if (!subnet) {
    throw Error(deployment_.project + ": no free /24 in 172.25-26.0.0/16");
  }
  return *subnet;
}

void DockerDriver::WriteComposeFile() {
  if (adopted()) {
    ComposeOptions additions;
    additions.labels = labels_;
    if (!options_.links.empty()) {
      link_layout_ = PlanDockerLinks(options_.links, link_upstreams_, subnet_);
      additions.extra_hosts = link_layout_.extra_hosts;
    }
    // Absolute: compose resolves relative paths against the directory of
    // the first file, the user's.
    additions.results_dir = std::filesystem::absolute(run_dir_ / "results");
    WriteComposeText(RenderComposeOverride(deployment_, additions), compose_file_);
    return;
  }
  ComposeOptions compose;
  compose.output_dir = run_dir_;
  compose.internal_network = options_.docker.internal_network;
  compose.subnet = subnet_;
  if (options_.docker.prefix_container_names) {
    compose.container_name_prefix = project_ + "-";
  }
  compose.labels = labels_;
  compose.docker_socket = options_.docker.docker_socket;
  if (compose.docker_socket.empty()) {
    const char* host = std::getenv("DOCKER_HOST");
    const std::string_view unix_scheme = "unix://";
    compose.docker_socket =
        host != nullptr && std::string_view(host).starts_with(unix_scheme)
            ? std::filesystem::path(host + unix_scheme.size())
            : std::filesystem::path("/var/run/docker.sock");
  }
  compose.results_dir = run_dir_ / "results";
  if (swarm()) compose.swarm_stack = project_;
  if (!options_.links.empty()) {
    link_layout_ = PlanDockerLinks(options_.links, link_upstreams_, subnet_);
    // A Swarm task has no fixed address (its proxy asks for the current
    // one), and a stack file's IPAM has no ip_range: the Swarm gives
    // addresses from the bottom, the proxies' are at the top.
    if (!swarm()) {
      compose.ip_range = link_layout_.ip_range;
      compose.addresses = link_layout_.upstream_addresses;
    }
    compose.extra_hosts = link_layout_.extra_hosts;
  }
  WriteCompose(deployment_, compose, compose_file_);
}


void DockerDriver::CreateLocked() {
  if (swarm()) {
    DeployStack();
    return;
  }
  for (int attempt = 1;; ++attempt) {
    {
      std::lock_guard lock(mu_);
      created_ = true;
    }
    std::vector<std::string> up = {"up", "--no-start"};
    if (adopted() && !options_.links.empty()) {
      // The links' network, made here: the ends join it before they start
      // (ConnectLinkEnd).
      std::vector<std::string> create = {options_.docker.docker, "network",
                                         "create", "--internal", "--subnet",
                                         subnet_, "--ip-range",
                                         link_layout_.ip_range};
      for (const auto& [key, value] : labels_) {
        create.insert(create.end(), {"--label", key + "=" + value});
      }
      create.push_back(network_);
      const CommandResult made = RunCommand(create, Options());
      if (made.timed_out || made.exit_code != 0) {
        const bool overlap = made.err.find("overlap") != std::string::npos;
        if (!overlap || !options_.docker.subnet.empty() || attempt == 3) {
          throw Error(DescribeFailure(create, made, Options()));
        }
        subnet_ = FreeSubnet();
        WriteComposeFile();
        continue;
      }
    }
    if (adopted()) {
      // The file's replica counts (deploy.replicas, scale), for either
      // compose version; images it builds are built now.
      std::map<std::string, int> scale;
      for (const ReplicaPlan& plan : deployment_.replicas) ++scale[plan.service];
      for (const auto& [service, count] : scale) {
        up.insert(up.end(), {"--scale", service + "=" + std::to_string(count)});
      }
    } else {
      up.push_back("--no-build");
    }
    const auto args = ComposeArgs(compose_, project_, ComposeFiles(), up);
    const CommandResult result = RunCommand(args, Options(kUpTimeout));
    if (!result.timed_out && result.exit_code == 0) return;
    // Another run took the subnet between the choice and now.
    const bool overlap = result.err.find("overlaps") != std::string::npos;
    if (!overlap || !options_.docker.subnet.empty() || subnet_.empty() ||
        attempt == 3) {
      throw Error(DescribeFailure(args, result, Options(kUpTimeout)));
    }
    RemoveAll();
    subnet_ = FreeSubnet();
    WriteComposeFile();
  }
}

void DockerDriver::PlaceProxies() {
  if (options_.links.empty() || links()) return;
  const std::uint64_t seed = NextRandom();
  if (swarm()) return PlaceSwarmProxies(seed);
  const std::string bridge = InterfaceWithAddress(link_layout_.gateway);
  if (bridge.empty()) {
    throw Error(network_ + ": no interface of this host holds the network's "
                "gateway " + link_layout_.gateway +
                ", so the links' proxies have nowhere to listen");
  }
  for (const std::string& address : link_layout_.proxy_addresses) {
    AddInterfaceAddress(bridge, address);
  }
  auto links = std::make_unique<ProxiedLinks>(
      options_.links, deployment_,
      [this](const ProxiedLink&, const std::string& upstream, std::size_t i) {
        ProxyPlacement placement;
        placement.listen_ip = link_layout_.proxy_addresses.at(i);
        placement.upstream_ip = link_layout_.upstream_addresses.at(upstream);
        return placement;
      },
      seed);
  std::lock_guard lock(mu_);
  links_ = std::move(links);
}


void DockerDriver::Remove() {
  std::lock_guard create(create_mu_);
  if (create_thread_.joinable()) create_thread_.join();
  if (!created()) return;
  std::string error;
  const auto note = [&error](const std::exception& e) {
    error += (error.empty() ? "" : "; ") + std::string(e.what());
  };
  try {
    SaveLogs();
  } catch (const std::exception& e) {
    note(e);
  }
  // compose down can fail while a health-checker's `docker start` is still
  // in flight (seen after a bomb); the removal by label that follows takes
  // whatever it left, so its failure counts only if that fails too.
  std::string compose_error;
  try {
    if (swarm()) {
      // The anchor and the links' holders first: the stack's network goes
      // with the stack.
      std::vector<std::string> rm = {options_.docker.docker, "rm", "-f"};
      for (const std::string& name : Holders()) rm.push_back(name);
      RunCommand(rm, Options());
      Docker({"stack", "rm", project_});
    } else {
      Compose({"down", "--volumes", "--remove-orphans", "-t", "0"},
              options_.docker.command_timeout);
    }
  } catch (const std::exception& e) {
    compose_error = e.what();
  }
  // Probe containers and anything compose missed. If this fails, the
  // run stays marked as created, so that the destructor tries again.
  try {
    RemoveAll();
  } catch (const std::exception& e) {
    if (!compose_error.empty()) {
      error += (error.empty() ? "" : "; ") + compose_error;
    }
    note(e);
    throw Error(project_ + ": remove: " + error);
  }
  // Nothing of the run is left for the reaper to remove.
  if (reaper_) reaper_->Disarm();
  {
    std::lock_guard lock(mu_);
    created_ = false;
    for (Replica& r : replicas_) {
      r.log->StopFollowing(milliseconds(0));
      if (Alive(r.last.state)) r.last.state = ReplicaState::kExited;
      r.last.pid = 0;
      r.last.uptime = milliseconds(0);
      r.asked = SystemClock::now();
    }
  }
  Notify();
  if (!error.empty()) throw Error(project_ + ": remove: " + error);
}

void DockerDriver::SaveLogs() {
  for (Replica& r : replicas_) {
    {
      std::lock_guard lock(mu_);
      r.log->StopFollowing(kDrain);
    }
    // A Swarm replica's file already has every task's lines, as written.
    if (swarm()) continue;
    const CommandResult logs = RunCommand(
        {options_.docker.docker, "logs", r.container}, Options(milliseconds(0), true));
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
void DockerDriver::RemoveAll() {
  // A Swarm removes a service's tasks, and then its network, seconds after
  // the service.
  const int kAttempts = swarm() ? 20 : 5;
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

std::vector<std::string> DockerDriver::RemoveAllOnce() {
  const std::string filter = std::string("label=") + kRunLabel + "=" + run_id_;
  std::string errors;
  // A Swarm run's services first: their tasks' containers and the network
  // go with them, or with the next attempt.
  if (swarm()) RemoveServices(errors);
  if (!errors.empty()) {
    throw Error(project_ + ": cannot remove the run's services: " + errors);
  }
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
  std::vector<std::string> rm = {options_.docker.docker, "rm", "-f", "-v"};
  const std::size_t command_size = rm.size();
  for (std::string& id :
       list({options_.docker.docker, "ps", "-aq", "--filter", filter})) {
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
        options_.docker.docker,
        list({options_.docker.docker, "network", "ls", "-q", "--filter", filter}),
        options_.docker.command_timeout);
  }
  for (const std::string& failure : networks.failures) errors += failure + "; ";
  // A Swarm removes a stack's network in the background: the run is gone
  // once the network is.
  if (swarm() && errors.empty() && networks.held.empty() &&
      !list({options_.docker.docker, "network", "ls", "-q", "--filter", filter})
           .empty()) {
    errors += "the Swarm is still removing the network " + network_ + "; ";
  }
  if (!errors.empty()) {
    throw Error(project_ + ": cannot remove the run's containers: " +
                errors.substr(0, errors.size() - 2));
  }
  return networks.held;
}

}  // namespace chancho
