#include "harness/runtime/docker_runtime.h"

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <thread>

#include "harness/runtime/docker_cli.h"
#include "harness/runtime/docker_leftovers.h"
#include "harness/runtime/docker_runtime_impl.h"
#include "harness/runtime/readiness.h"
#include "harness/runtime/run_dir.h"

namespace chancho {

using docker_internal::Alive;
using docker_internal::Clock;
using docker_internal::kCheckEvery;
using docker_internal::kInspectEvery;
using std::chrono::milliseconds;

namespace {

std::string NotRunning(std::string_view replica, ReplicaState state) {
  return "replica " + std::string(replica) + " is not running (" +
         std::string(ToString(state)) + ")";
}

milliseconds TimeoutOf(const ReplicaPlan& plan) {
  return milliseconds(static_cast<long>(plan.readiness.timeout_s * 1000));
}

}  // namespace

DockerRuntime::DockerRuntime(Deployment deployment,
                             DockerRuntimeOptions options)
    : impl_(std::make_unique<Impl>(std::move(deployment), std::move(options))) {
}

DockerRuntime::~DockerRuntime() {
  try {
    Down(std::chrono::seconds(2));
  } catch (...) {
    try {
      impl_->RemoveAll();  // the last resort: by label
    } catch (...) {
      // The next DockerRuntime's ReapLeftovers removes what is left.
    }
  }
}

const Deployment& DockerRuntime::deployment() const {
  return impl_->deployment_;
}

const std::filesystem::path& DockerRuntime::run_dir() const {
  return impl_->run_dir_;
}

const std::string& DockerRuntime::compose_project() const {
  return impl_->project_;
}

const std::string& DockerRuntime::network() const { return impl_->network_; }

std::string DockerRuntime::container(std::string_view replica) const {
  return impl_->Get(replica).container;
}

ReapResult DockerRuntime::ReapLeftovers(const std::string& docker) {
  return ReapDockerLeftovers(docker);
}

void DockerRuntime::Up() {
  try {
    {
      std::lock_guard lock(impl_->down_mu_);
      impl_->Create();
      impl_->PlaceProxies();
    }
    std::vector<Impl::Replica*> all;
    for (Impl::Replica& r : impl_->replicas_) all.push_back(&r);
    const auto before = impl_->Inspect(all);
    // A second Up starts only what is not running.
    const auto running = [&before](const Impl::Replica& r) {
      const auto it = before.find(r.container);
      return it != before.end() && Alive(StateOf(it->second));
    };
    // Batches of replicas whose dependencies are ready start together: one
    // `docker start` for all the clients of a server.
    std::vector<Impl::Replica*> batch;
    for (Impl::Replica& r : impl_->replicas_) {
      const auto in_batch = [&](const std::string& name) {
        return std::any_of(batch.begin(), batch.end(), [&](Impl::Replica* b) {
          return b->plan->name == name;
        });
      };
      if (std::any_of(r.plan->depends_on.begin(), r.plan->depends_on.end(),
                      in_batch)) {
        impl_->StartBatch(batch);
        batch.clear();
      }
      for (const std::string& dependency : r.plan->depends_on) {
        const ReplicaPlan* dep = impl_->deployment_.Find(dependency);
        if (!WaitReady(dependency, TimeoutOf(*dep))) {
          throw Error("replica " + dependency + " (needed by " + r.plan->name +
                      ") not ready within " +
                      std::to_string(dep->readiness.timeout_s) + " s; see " +
                      LogPath(dependency).string());
        }
      }
      if (!running(r) && !impl_->options_.held.count(r.plan->name)) {
        batch.push_back(&r);
      }
    }
    impl_->StartBatch(batch);
    for (const ReplicaPlan& plan : impl_->deployment_.replicas) {
      if (impl_->options_.held.count(plan.name)) continue;
      if (!WaitReady(plan.name, TimeoutOf(plan)) &&
          plan.readiness.kind != Readiness::Kind::kNone) {
        throw Error("replica " + plan.name + " not ready within " +
                    std::to_string(plan.readiness.timeout_s) + " s; see " +
                    LogPath(plan.name).string());
      }
    }
  } catch (...) {
    // A failed Up leaves nothing running; the logs stay in the run dir.
    try {
      Down(milliseconds(0));
    } catch (...) {
    }
    throw;
  }
}

void DockerRuntime::Down(Duration grace) {
  std::lock_guard down_lock(impl_->down_mu_);
  {
    std::lock_guard lock(impl_->mu_);
    if (!impl_->created_) return;
  }
  std::vector<Impl::Replica*> all;
  for (auto& r : impl_->replicas_) all.push_back(&r);
  std::string error;
  const auto note = [&error](const std::exception& e) {
    error += (error.empty() ? "" : "; ") + std::string(e.what());
  };
  // Each step runs even when the one before failed: whatever happens,
  // compose down and the removal by label come last.
  try {
    // Health-checkers first, or they would `docker start` what is stopped.
    // docker stop lets a paused container handle SIGTERM too.
    const auto infos = impl_->Inspect(all);
    for (const bool checkers : {true, false}) {
      std::vector<std::string> stop = {"stop", "-t",
                                       std::to_string(StopSeconds(grace))};
      for (const auto* r : all) {
        const auto it = infos.find(r->container);
        if (it != infos.end() && Alive(StateOf(it->second)) &&
            (r->plan->role == "health-checker") == checkers) {
          stop.push_back(r->container);
        }
      }
      if (stop.size() > 3) {
        impl_->Docker(stop, grace + impl_->options_.command_timeout);
      }
    }
    const auto after = impl_->Inspect(all);
    std::lock_guard lock(impl_->mu_);
    for (auto* r : all) {
      const auto it = after.find(r->container);
      if (it != after.end()) impl_->Observe(*r, it->second);
    }
  } catch (const std::exception& e) {
    note(e);
  }
  try {
    impl_->SaveLogs();
  } catch (const std::exception& e) {
    note(e);
  }
  // compose down can fail while a health-checker's `docker start` is still
  // in flight (seen after a bomb); the removal by label that follows takes
  // whatever it left, so its failure counts only if that fails too.
  std::string compose_error;
  try {
    impl_->Compose({"down", "--volumes", "--remove-orphans", "-t", "0"},
                   impl_->options_.command_timeout);
  } catch (const std::exception& e) {
    compose_error = e.what();
  }
  // Probe containers and anything compose missed. If this fails, the
  // run stays marked as created, so that the destructor tries again.
  try {
    impl_->RemoveAll();
  } catch (const std::exception& e) {
    if (!compose_error.empty()) error += (error.empty() ? "" : "; ") + compose_error;
    note(e);
    throw Error(impl_->project_ + ": down: " + error);
  }
  std::lock_guard lock(impl_->mu_);
  impl_->created_ = false;
  for (auto& r : impl_->replicas_) {
    r.log->StopFollowing(milliseconds(0));
    if (Alive(r.last.state)) r.last.state = ReplicaState::kExited;
    r.last.pid = 0;
    r.last.uptime = milliseconds(0);
  }
  if (!error.empty()) throw Error(impl_->project_ + ": down: " + error);
}

void DockerRuntime::Kill(std::string_view replica, int signal) {
  Impl::Replica& r = impl_->Get(replica);
  const ReplicaStatus s = impl_->Refresh(r);
  if (!Alive(s.state)) throw Error(NotRunning(replica, s.state));
  impl_->Docker({"kill", "-s", std::to_string(signal), r.container});
}

void DockerRuntime::Stop(std::string_view replica, Duration grace) {
  Impl::Replica& r = impl_->Get(replica);
  ReplicaStatus s = impl_->Refresh(r);
  if (!Alive(s.state)) throw Error(NotRunning(replica, s.state));
  impl_->Docker({"stop", "-t", std::to_string(StopSeconds(grace)), r.container},
                grace + impl_->options_.command_timeout);
  s = impl_->Refresh(r);
  if (Alive(s.state)) {
    throw Error("replica " + std::string(replica) +
                " did not exit after docker stop (" +
                std::string(ToString(s.state)) + ")");
  }
}

void DockerRuntime::Pause(std::string_view replica) {
  Impl::Replica& r = impl_->Get(replica);
  ReplicaStatus s = impl_->Refresh(r);
  if (s.state == ReplicaState::kPaused) return;
  if (s.state != ReplicaState::kRunning) {
    throw Error(NotRunning(replica, s.state));
  }
  impl_->Docker({"pause", r.container});
  s = impl_->Refresh(r);
  if (s.state != ReplicaState::kPaused) {
    throw Error("replica " + std::string(replica) +
                ": docker pause returned, but it is " +
                std::string(ToString(s.state)));
  }
}

void DockerRuntime::Resume(std::string_view replica) {
  Impl::Replica& r = impl_->Get(replica);
  const ReplicaStatus s = impl_->Refresh(r);
  if (s.state != ReplicaState::kPaused) {
    throw Error("replica " + std::string(replica) + " is not paused (" +
                std::string(ToString(s.state)) + ")");
  }
  impl_->Docker({"unpause", r.container});
}

void DockerRuntime::Start(std::string_view replica) {
  Impl::Replica& r = impl_->Get(replica);
  const ReplicaStatus s = impl_->Refresh(r);
  if (Alive(s.state)) {
    throw Error("replica " + std::string(replica) + " is already " +
                std::string(ToString(s.state)));
  }
  bool created;
  {
    std::lock_guard lock(impl_->mu_);
    created = impl_->created_;
  }
  if (!created) {
    std::lock_guard lock(impl_->down_mu_);
    impl_->Create();
  }
  impl_->StartBatch({&r});
}

std::vector<ReplicaStatus> DockerRuntime::Ps() const {
  std::vector<Impl::Replica*> all;
  for (auto& r : impl_->replicas_) all.push_back(&r);
  const auto infos = impl_->Inspect(all);
  std::lock_guard lock(impl_->mu_);
  std::vector<ReplicaStatus> out;
  for (auto* r : all) {
    const auto it = infos.find(r->container);
    out.push_back(it != infos.end() ? impl_->Observe(*r, it->second) : r->last);
  }
  return out;
}

ReplicaStatus DockerRuntime::Status(std::string_view replica) const {
  return impl_->Refresh(impl_->Get(replica));
}

std::string DockerRuntime::Logs(std::string_view replica) const {
  const Impl::Replica& r = impl_->Get(replica);
  bool created;
  {
    std::lock_guard lock(impl_->mu_);
    created = impl_->created_;
  }
  if (created) {
    const CommandResult logs =
        RunCommand({impl_->options_.docker, "logs", r.container},
                   impl_->Options(milliseconds(0), true));
    if (!logs.timed_out && logs.exit_code == 0) return logs.out;
  }
  return ReadFile(r.log->path());
}

std::filesystem::path DockerRuntime::LogPath(std::string_view replica) const {
  return impl_->Get(replica).log->path();
}

bool DockerRuntime::WaitReady(std::string_view replica, Duration timeout) {
  Impl::Replica& r = impl_->Get(replica);
  const auto deadline = Clock::now() + timeout;
  auto next_inspect = Clock::now();
  ReplicaState state = ReplicaState::kCreated;
  for (;;) {
    if (Clock::now() >= next_inspect) {
      state = impl_->Refresh(r).state;
      next_inspect = Clock::now() + kInspectEvery;
    }
    std::string started_at, address;
    std::uintmax_t offset;
    {
      std::lock_guard lock(impl_->mu_);
      if (r.ready) return true;
      if (state == ReplicaState::kExited) return false;
      started_at = r.started_at;
      address = r.address;
      offset = r.log_offset;
    }
    // Checked without the lock: a TCP or UDP check may take a while.
    if (state == ReplicaState::kRunning &&
        impl_->CheckReady(r, address, offset)) {
      std::lock_guard lock(impl_->mu_);
      if (r.started_at == started_at) {
        r.ready = true;
        return true;
      }
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kCheckEvery);
  }
}

std::optional<ReplicaStatus> DockerRuntime::WaitExit(std::string_view replica,
                                                     Duration timeout) {
  Impl::Replica& r = impl_->Get(replica);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const ReplicaStatus s = impl_->Refresh(r);
    if (!Alive(s.state)) return s;
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    // docker wait returns when the container stops; bounded by `left`.
    RunCommand({impl_->options_.docker, "wait", r.container},
               impl_->Options(std::max(left, milliseconds(1))));
  }
}

NetworkProbeResult DockerRuntime::EchoProbe(const std::string& host, int port,
                                            const std::string& message,
                                            Duration timeout) {
  std::ostringstream suffix;
  {
    std::lock_guard lock(impl_->mu_);
    if (!impl_->created_) {
      throw Error(impl_->project_ + ": echo probe: the system is not up");
    }
    suffix << std::hex << std::setw(6) << std::setfill('0')
           << (impl_->random_() & 0xffffff);
  }
  const std::string name = impl_->project_ + "-probe-" + suffix.str();
  std::vector<std::string> labels = {"com.chancho.role=probe"};
  for (const auto& [key, value] : impl_->labels_) {
    labels.push_back(key + "=" + value);
  }
  const auto args =
      ProbeRunArgs(impl_->options_.docker, name, impl_->network_, labels,
                   impl_->options_.probe_image, host, port, message, timeout);
  const CommandOptions options =
      impl_->Options(timeout + impl_->options_.command_timeout);
  const CommandResult result = RunCommand(args, options);
  NetworkProbeResult probe;
  if (result.timed_out) {
    RunCommand({impl_->options_.docker, "rm", "-f", name}, impl_->Options());
    probe.error = DescribeFailure(args, result, options);
    return probe;
  }
  // 125-127: docker run itself failed (no image, no network).
  if (result.exit_code >= 125 || result.exit_code < 0) {
    throw Error(DescribeFailure(args, result, options));
  }
  probe.reply = result.out.substr(0, result.out.find('\n'));
  probe.success = result.exit_code == 0;
  if (!probe.success) {
    probe.error = "sent \"" + message + "\" to " + host + ":" +
                  std::to_string(port) + ", got \"" + probe.reply + "\"";
    if (const std::string err = OneLine(result.err); !err.empty()) {
      probe.error += ": " + err;
    }
  }
  return probe;
}

std::vector<LinkStatus> DockerRuntime::Links() const {
  ProxiedLinks* links = impl_->links();
  return links ? links->Status() : std::vector<LinkStatus>{};
}

LinkFaultOutcome DockerRuntime::SetLinkFault(std::string_view replica,
                                             const DirectedLinkFault& fault) {
  impl_->Get(replica);  // an unknown name is an error of its own
  ProxiedLinks* links = impl_->links();
  if (!links) {
    throw Error("replica " + std::string(replica) +
                " has no proxied link (" +
                (impl_->options_.links.empty() ? "the run has none"
                                               : "the system is not up") +
                ")");
  }
  return links->Set(replica, fault);
}

}  // namespace chancho
