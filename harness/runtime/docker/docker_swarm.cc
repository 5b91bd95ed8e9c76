#include "harness/runtime/docker/docker_driver.h"

// DockerDriver on a Swarm (options.docker.swarm): the stack, its services
// and the task containers that stand for the replicas.

#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "common/subprocess.h"
#include "harness/runtime/docker/docker_leftovers.h"
#include "harness/runtime/proxied_links.h"
#include "harness/runtime/readiness.h"

namespace chancho {

namespace {

constexpr char kServiceLabel[] = "com.docker.swarm.service.name";

}  // namespace

std::string DockerDriver::Service(const Replica& r) const {
  return project_ + "_" + r.plan->name;
}

void DockerDriver::CheckSwarm() const {
  const std::vector<std::string> args = {
      options_.docker.docker, "info", "--format",
      "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"};
  const CommandResult result = RunCommand(args, Options());
  if (result.timed_out || result.exit_code != 0) {
    throw Error(DescribeFailure(args, result, Options()));
  }
  std::istringstream words(result.out);
  std::string state, manager;
  words >> state >> manager;
  if (state != "active" || manager != "true") {
    throw Error("the Swarm runtime needs this Docker engine to be a Swarm "
                "manager, and it is not (swarm state: " +
                (state.empty() ? std::string("unknown") : state) +
                "); make it one with `docker swarm init --advertise-addr "
                "127.0.0.1` (ci/swarm.sh init)");
  }
}

void DockerDriver::DeployStack() {
  for (int attempt = 1;; ++attempt) {
    const std::vector<std::string> args = {
        options_.docker.docker, "stack",       "deploy",
        // Images are this machine's: no registry is asked.
        "--resolve-image",      "never",       "--compose-file",
        compose_file_.string(), project_};
    const CommandResult result = RunCommand(args, Options(kUpTimeout));
    if (!result.timed_out && result.exit_code == 0) {
      StartAnchor();
      return;
    }
    // Another run took the subnet between the choice and now.
    const bool overlap = result.err.find("overlap") != std::string::npos;
    if (!overlap || !options_.docker.subnet.empty() || attempt == 3) {
      throw Error(DescribeFailure(args, result, Options(kUpTimeout)));
    }
    RemoveAll();
    subnet_ = FreeSubnet();
    WriteComposeFile();
  }
}

// A container on the overlay for the whole run. Without one, this node
// leaves the network when the last task on it ends, and a `docker run
// --network` (an echo probe) that races the leaving can fail with "network
// not found" and leave behind an attachment that the Swarm counts as a user
// of the network, which then cannot be removed.
void DockerDriver::StartAnchor() {
  const std::string failure = RunHolder(project_ + "-anchor", "anchor", "");
  if (!failure.empty()) {
    std::cerr << "warning: " << project_ << ": no container holds the "
              << "network between tasks, so an echo probe may fail while no "
              << "task runs: " << failure << "\n";
  }
}

std::string DockerDriver::RunHolder(const std::string& name,
                                    const std::string& role,
                                    const std::string& ip) {
  std::vector<std::string> args = {options_.docker.docker, "run", "--detach",
                                   "--name", name, "--network", network_};
  if (!ip.empty()) args.insert(args.end(), {"--ip", ip});
  args.insert(args.end(), {"--entrypoint", "sleep", "--label",
                           "com.chancho.role=" + role});
  for (const auto& [key, value] : labels_) {
    args.insert(args.end(), {"--label", key + "=" + value});
  }
  args.insert(args.end(), {options_.docker.probe_image, "infinity"});
  const CommandResult result = RunCommand(args, Options());
  if (result.timed_out || result.exit_code != 0) {
    return DescribeFailure(args, result, Options());
  }
  return "";
}

std::vector<std::string> DockerDriver::Holders() const {
  std::vector<std::string> names = {project_ + "-anchor"};
  for (std::size_t i = 0; i < options_.links.size(); ++i) {
    names.push_back(project_ + "-link" + std::to_string(i + 1));
  }
  return names;
}

void DockerDriver::PlaceSwarmProxies(std::uint64_t seed) {
  const std::vector<std::string> holders = Holders();
  std::vector<int> pids;
  for (std::size_t i = 0; i < options_.links.size(); ++i) {
    const std::string& name = holders.at(i + 1);
    const std::string failure =
        RunHolder(name, "link-proxy", link_layout_.proxy_addresses.at(i));
    if (!failure.empty()) {
      throw Error(project_ + ": the container of link " +
                  std::to_string(i + 1) + "'s proxy did not start: " + failure);
    }
    const std::string pid = Docker({"inspect", "--format", "{{.State.Pid}}", name});
    try {
      pids.push_back(std::stoi(pid));
    } catch (const std::exception&) {
      throw Error(name + ": docker inspect gave no pid: " + OneLine(pid, 100));
    }
  }
  auto links = std::make_unique<ProxiedLinks>(
      options_.links, deployment_,
      [&](const ProxiedLink&, const std::string& upstream, std::size_t i) {
        ProxyPlacement placement;
        placement.listen_ip = link_layout_.proxy_addresses.at(i);
        // The upstream task's address changes with each start.
        const Replica* up = &Get(upstream);
        placement.upstream_lookup = [this, up] {
          std::lock_guard lock(mu_);
          return up->address;
        };
        placement.make_in = [pid = pids.at(i)](const std::function<void()>& make) {
          InNetworkNamespace(pid, [&] {
            make();
            return true;
          });
        };
        return placement;
      },
      seed);
  std::lock_guard lock(mu_);
  links_ = std::move(links);
}

bool DockerDriver::AdoptTask(Replica& r, const std::string& container) {
  if (!r.tasks.insert(container).second) return false;
  r.container = container;
  r.id.clear();
  // The new container's lines are all the new run's.
  r.started_at.clear();
  r.log->SetContainer(container);
  r.last.state = ReplicaState::kCreated;
  r.last.pid = 0;
  r.last.uptime = Duration(0);
  r.last.exit_code.reset();
  r.last.term_signal.reset();
  return true;
}

DockerDriver::Replica* DockerDriver::TaskOwner(const std::string& container) {
  for (Replica& r : replicas_) {
    if (container.starts_with(Service(r) + ".")) return &r;
  }
  return nullptr;
}

void DockerDriver::StartTask(Replica& r) {
  const std::string service = Service(r);
  int starts_before;
  std::set<std::string> tasks_before;
  {
    std::lock_guard lock(mu_);
    starts_before = r.starts;
    tasks_before = r.tasks;
  }
  // A new task each time: one whose container exited cannot be restarted.
  Docker({"service", "update", "--detach", "--quiet", "--replicas", "1",
          "--force", service});
  const Duration bound = options_.docker.command_timeout + kStartTimeout;
  const auto deadline = Clock::now() + bound;
  const std::vector<std::string> list = {
      "ps", "-a", "--filter", std::string("label=") + kServiceLabel + "=" + service,
      "--format", "{{.Names}}"};
  for (int round = 0;; ++round) {
    bool fresh = false;
    {
      const std::vector<std::string> names = OutputLines(Docker(list));
      std::lock_guard lock(mu_);
      for (const std::string& name : names) {
        if (tasks_before.contains(name)) continue;
        AdoptTask(r, name);  // unless the event stream did already
        fresh = fresh || r.container == name;
      }
    }
    if (fresh) {
      Refresh({&r});
      std::lock_guard lock(mu_);
      if (r.starts > starts_before || r.last.state == ReplicaState::kExited) {
        return;
      }
    }
    // The scheduler's word on a task it could not give a container (every
    // second).
    if (!fresh && round % 10 == 9) {
      // The current task is listed first, its history after it.
      std::istringstream tasks(Docker(
          {"service", "ps", "--no-trunc", "--format", "{{.Error}}", service}));
      std::string error;
      std::getline(tasks, error);
      if (!error.empty()) {
        throw Error("replica " + r.plan->name + ": swarm service " + service +
                    ": " + OneLine(error, 300));
      }
    }
    if (Clock::now() >= deadline) {
      throw Error("replica " + r.plan->name + ": swarm service " + service +
                  " did not start a task within " +
                  std::to_string(bound.count() / 1000) + " s (docker service "
                  "ps " + service + ")");
    }
    std::this_thread::sleep_for(Duration(100));
  }
}

void DockerDriver::RemoveServices(std::string& errors) {
  const std::vector<std::string> list = {
      options_.docker.docker, "service", "ls", "-q", "--filter",
      std::string("label=") + kRunLabel + "=" + run_id_};
  const CommandResult listed = RunCommand(list, Options());
  if (listed.timed_out || listed.exit_code != 0) {
    errors += DescribeFailure(list, listed, Options()) + "; ";
    return;
  }
  std::vector<std::string> rm = {options_.docker.docker, "service", "rm"};
  for (const std::string& id : OutputLines(listed.out)) rm.push_back(id);
  if (rm.size() == 3) return;
  const CommandResult removed = RunCommand(rm, Options());
  // A service that went in between is no error.
  if (removed.timed_out ||
      (removed.exit_code != 0 &&
       removed.err.find("not found") == std::string::npos)) {
    errors += DescribeFailure(rm, removed, Options()) + "; ";
  }
}

}  // namespace chancho
