#include "harness/runtime/docker/docker_driver.h"

// DockerDriver: what the engine says of the containers (inspect and the
// event stream), and what Inspect answers.

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

void DockerDriver::Refresh(const std::vector<Replica*>& replicas) {
  if (replicas.empty() || !created()) return;
  const auto asked = SystemClock::now();
  std::vector<std::string> args = {options_.docker.docker, "inspect", "--type",
                                   "container"};
  std::vector<std::pair<Replica*, std::string>> asking;
  {
    std::lock_guard lock(mu_);
    for (Replica* r : replicas) {
      // A Swarm replica has no container before its first task.
      if (r->container.empty()) continue;
      asking.emplace_back(r, r->container);
      args.push_back(r->container);
    }
  }
  if (asking.empty()) return;
  const CommandResult result = RunCommand(args, Options());
  if (result.timed_out || (result.exit_code != 0 &&
                           result.err.find("No such") == std::string::npos)) {
    throw Error(DescribeFailure(args, result, Options()));
  }
  std::map<std::string, ContainerInfo> infos;
  for (ContainerInfo& info :
       ParseContainerInspect(result.out.empty() ? "[]" : result.out)) {
    infos.emplace(info.name, std::move(info));
  }
  std::lock_guard lock(mu_);
  for (const auto& [r, container] : asking) {
    // Another task took over while this one was inspected.
    if (r->container != container) continue;
    const auto it = infos.find(container);
    r->refreshed = Clock::now();
    if (it != infos.end()) {
      Observe(*r, it->second, asked);
    } else if (asked >= r->asked && Alive(r->last.state)) {
      r->last.state = ReplicaState::kExited;  // removed
      r->last.pid = 0;
      r->last.uptime = milliseconds(0);
    }
  }
}

void DockerDriver::Observe(Replica& r, const ContainerInfo& info,
                           SystemClock::time_point asked) {
  if (!info.started_at.empty() && info.started_at != r.started_at) {
    // A new run: ours, or one started from outside.
    const std::string since = r.started_at.empty() ? "" : info.finished_at;
    r.started_at = info.started_at;
    ++r.starts;
    r.log_offset = r.log->FollowNewRun(since, kDrain);
  }
  r.id = info.id;
  const auto address = info.networks.find(network_);
  if (address != info.networks.end() && !address->second.empty()) {
    r.address = address->second;
  }
  DriverStatus& s = r.last;
  s.address = r.address;
  s.starts = r.starts;
  s.log_offset = r.log_offset;
  // An answer asked before the last event applied is stale.
  if (asked < r.asked) return;
  r.asked = asked;
  s.state = StateOf(info);
  s.pid = Alive(s.state) ? info.pid : 0;
  s.uptime = milliseconds(0);
  r.started.reset();
  if (Alive(s.state)) r.started = ParseDockerTime(info.started_at);
  s.exit_code.reset();
  s.term_signal.reset();
  if (s.state == ReplicaState::kExited) {
    const ExitStatus exit = NormaliseExit(info.exit_code);
    s.exit_code = exit.exit_code;
    s.term_signal = exit.term_signal;
  }
}

// A death, a pause or its end is taken from the event as it is, so that it
// is seen at once; a start needs the container's new pid, address and
// start time, so it is inspected (on the events thread).
void DockerDriver::OnEvent(const std::string& container,
                           const std::string& action,
                           SystemClock::time_point time,
                           std::optional<int> exit_code) {
  Replica* r = nullptr;
  {
    std::lock_guard lock(mu_);
    for (Replica& candidate : replicas_) {
      if (candidate.container == container) r = &candidate;
    }
  }
  if (r == nullptr && swarm()) {
    // A new task (made by Start, or by a health-checker's service update),
    // or an old one's last words.
    r = TaskOwner(container);
    if (r == nullptr) return;
    {
      std::lock_guard lock(mu_);
      if ((action != "create" && action != "start") || !AdoptTask(*r, container)) {
        return;
      }
    }
    if (action == "create") return;
  }
  if (r == nullptr) return;
  if (action == "create") {
    {
      std::lock_guard lock(mu_);
      existing_.insert(container);
    }
    create_cv_.notify_all();
    return;
  }
  if (action == "start") {
    try {
      Refresh({r});
    } catch (const std::exception& e) {
      std::cerr << "warning: " << container << ": " << e.what() << "\n";
    }
    Notify();
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (time < r->asked) return;
    DriverStatus& s = r->last;
    if (action == "die") {
      r->asked = time;
      s.state = ReplicaState::kExited;
      s.pid = 0;
      s.uptime = milliseconds(0);
      const ExitStatus exit = NormaliseExit(exit_code.value_or(0));
      s.exit_code = exit.exit_code;
      s.term_signal = exit.term_signal;
    } else if (action == "pause" && s.state == ReplicaState::kRunning) {
      r->asked = time;
      s.state = ReplicaState::kPaused;
    } else if (action == "unpause" && s.state == ReplicaState::kPaused) {
      r->asked = time;
      s.state = ReplicaState::kRunning;
    } else if (action == "destroy" && Alive(s.state)) {
      r->asked = time;
      s.state = ReplicaState::kExited;
      s.pid = 0;
    } else {
      return;
    }
  }
  Notify();
}

DriverStatus DockerDriver::Inspect(std::string_view replica) {
  Replica& r = Get(replica);
  if (!Streaming()) {
    bool stale;
    {
      std::lock_guard lock(mu_);
      stale = Clock::now() - r.refreshed >= kInspectEvery;
    }
    if (stale) Refresh({&r});
  }
  std::lock_guard lock(mu_);
  return Current(r);
}

DriverStatus DockerDriver::Current(const Replica& r) const {
  DriverStatus s = r.last;
  if (Alive(s.state) && r.started) {
    s.uptime = std::max(milliseconds(0),
                        std::chrono::duration_cast<milliseconds>(
                            SystemClock::now() - *r.started));
  }
  return s;
}

std::vector<DriverStatus> DockerDriver::InspectAll() {
  if (!Streaming()) {
    std::vector<Replica*> all;
    for (Replica& r : replicas_) all.push_back(&r);
    Refresh(all);
  }
  std::lock_guard lock(mu_);
  std::vector<DriverStatus> out;
  for (const Replica& r : replicas_) out.push_back(Current(r));
  return out;
}

// One `docker start` per container, a few at once: the engine starts the
// containers of one command one after another.
}  // namespace chancho
