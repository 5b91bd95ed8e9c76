#include "harness/runtime/process_runtime.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "harness/runtime/control.h"
#include "harness/runtime/control_commands.h"
#include "harness/runtime/process_runtime_impl.h"
#include "harness/runtime/run_dir.h"

namespace chancho {

using Clock = std::chrono::steady_clock;

ProcessRuntime::ProcessRuntime(Deployment deployment,
                               ProcessRuntimeOptions options)
    : impl_(std::make_unique<Impl>(std::move(deployment), std::move(options))) {
  if (impl_->options_.serve_control) {
    const std::string name = "chancho/" + impl_->run_dir_.filename().string() +
                             "/" + std::to_string(::getpid());
    impl_->control_ = std::make_unique<ControlServer>(
        name, [this](const std::string& request) {
          return HandleControlRequest(*this, request, [this] {
            std::function<void()> callback;
            {
              std::lock_guard lock(impl_->mu_);
              callback = impl_->on_down_;
            }
            if (callback) callback();
          });
        });
    WriteFileAtomically(impl_->run_dir_ / "control", name + "\n");
    for (auto& r : impl_->replicas_) {
      r.environment = impl_->BuildEnvironment(*r.plan, r.address);
    }
  }
}

ProcessRuntime::~ProcessRuntime() {
  try {
    Down(std::chrono::seconds(2));
  } catch (...) {
    // The Impl destructor still kills and reaps whatever is left.
  }
  impl_->control_.reset();
  std::error_code ec;
  std::filesystem::remove(impl_->run_dir_ / "control", ec);
}

const Deployment& ProcessRuntime::deployment() const {
  return impl_->deployment_;
}

const std::filesystem::path& ProcessRuntime::run_dir() const {
  return impl_->run_dir_;
}

std::string ProcessRuntime::control_name() const {
  return impl_->control_ ? impl_->control_->name() : "";
}

void ProcessRuntime::OnDownRequest(std::function<void()> callback) {
  std::lock_guard lock(impl_->mu_);
  impl_->on_down_ = std::move(callback);
}

void ProcessRuntime::Up() {
  const auto& held = impl_->options_.held;
  for (const ReplicaPlan& plan : impl_->deployment_.replicas) {
    if (held.count(plan.name) != 0) continue;
    for (const std::string& dependency : plan.depends_on) {
      const ReplicaPlan* dep = impl_->deployment_.Find(dependency);
      const auto timeout = std::chrono::milliseconds(
          static_cast<long>(dep->readiness.timeout_s * 1000));
      if (!WaitReady(dependency, timeout)) {
        throw Error("replica " + dependency + " (needed by " + plan.name +
                    ") not ready within " +
                    std::to_string(dep->readiness.timeout_s) + " s; see " +
                    LogPath(dependency).string());
      }
    }
    if (Status(plan.name).state != ReplicaState::kRunning) Start(plan.name);
  }
  for (const ReplicaPlan& plan : impl_->deployment_.replicas) {
    if (held.count(plan.name) != 0) continue;
    const auto timeout = std::chrono::milliseconds(
        static_cast<long>(plan.readiness.timeout_s * 1000));
    if (!WaitReady(plan.name, timeout) &&
        plan.readiness.kind != Readiness::Kind::kNone) {
      throw Error("replica " + plan.name + " not ready within " +
                  std::to_string(plan.readiness.timeout_s) + " s; see " +
                  LogPath(plan.name).string());
    }
  }
}

// In waves, dependents first: a replica gets SIGTERM once every running
// replica that depends on it has exited, so services stop while their
// broker is still there and exit cleanly instead of losing it first. Each
// wave has `grace` before SIGKILL.
void ProcessRuntime::Down(Duration grace) {
  std::unique_lock lock(impl_->mu_);
  const auto alive = [](const Impl::Replica& r) {
    return r.state == ReplicaState::kRunning || r.state == ReplicaState::kPaused;
  };
  std::vector<Impl::Replica*> remaining;
  for (auto& r : impl_->replicas_) {
    if (alive(r)) remaining.push_back(&r);
  }
  while (!remaining.empty()) {
    std::vector<Impl::Replica*> wave;
    for (Impl::Replica* r : remaining) {
      const bool needed = std::any_of(
          remaining.begin(), remaining.end(), [&](const Impl::Replica* other) {
            const auto& deps = other->plan->depends_on;
            return std::find(deps.begin(), deps.end(), r->plan->name) != deps.end();
          });
      if (!needed) wave.push_back(r);
    }
    if (wave.empty()) wave = remaining;  // a cycle: stop the rest together
    for (Impl::Replica* r : wave) {
      if (!alive(*r)) continue;
      SendSignal(r->pid, SIGTERM);
      // A paused process must run to handle SIGTERM.
      if (r->state == ReplicaState::kPaused) SendSignal(r->pid, SIGCONT);
    }
    const auto deadline = Clock::now() + grace;
    for (Impl::Replica* r : wave) {
      if (!impl_->WaitExitLocked(lock, *r, deadline)) SendSignal(r->pid, SIGKILL);
    }
    std::erase_if(remaining, [&](const Impl::Replica* r) {
      return std::find(wave.begin(), wave.end(), r) != wave.end();
    });
  }
  for (auto& r : impl_->replicas_) {
    impl_->WaitExitLocked(lock, r, Clock::now() + std::chrono::seconds(10));
  }
}

void ProcessRuntime::Kill(std::string_view replica, int signal) {
  std::lock_guard lock(impl_->mu_);
  impl_->SignalGroup(impl_->Get(replica), signal);
}

void ProcessRuntime::Stop(std::string_view replica, Duration grace) {
  std::unique_lock lock(impl_->mu_);
  Impl::Replica& r = impl_->Get(replica);
  const bool paused = r.state == ReplicaState::kPaused;
  impl_->SignalGroup(r, SIGTERM);
  if (paused) SendSignal(r.pid, SIGCONT);
  if (!impl_->WaitExitLocked(lock, r, Clock::now() + grace)) {
    SendSignal(r.pid, SIGKILL);
    if (!impl_->WaitExitLocked(lock, r,
                               Clock::now() + std::chrono::seconds(10))) {
      throw Error("replica " + std::string(replica) +
                  " did not exit after SIGKILL");
    }
  }
}

void ProcessRuntime::Pause(std::string_view replica) {
  std::unique_lock lock(impl_->mu_);
  Impl::Replica& r = impl_->Get(replica);
  if (r.state == ReplicaState::kPaused) return;
  impl_->SignalGroup(r, SIGSTOP);
  const int pid = r.pid;
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  while (!ProcessStopped(pid)) {
    if (Clock::now() > deadline || r.state != ReplicaState::kRunning) {
      throw Error("replica " + std::string(replica) +
                  ": SIGSTOP sent, but the process is not stopped");
    }
    impl_->changed_.wait_for(lock, std::chrono::milliseconds(1));
  }
  r.state = ReplicaState::kPaused;
}

void ProcessRuntime::Resume(std::string_view replica) {
  std::lock_guard lock(impl_->mu_);
  Impl::Replica& r = impl_->Get(replica);
  if (r.state != ReplicaState::kPaused) {
    throw Error("replica " + std::string(replica) + " is not paused (" +
                std::string(ToString(r.state)) + ")");
  }
  impl_->SignalGroup(r, SIGCONT);
  r.state = ReplicaState::kRunning;
}

void ProcessRuntime::Start(std::string_view replica) {
  {
    std::lock_guard lock(impl_->mu_);
    const Impl::Replica& r = impl_->Get(replica);
    if (r.state == ReplicaState::kRunning || r.state == ReplicaState::kPaused) {
      throw Error("replica " + std::string(replica) + " is already " +
                  std::string(ToString(r.state)));
    }
  }
  // Spawned on the io thread: PR_SET_PDEATHSIG fires when the thread that
  // forked ends, and that thread lives as long as the runtime. The lock is
  // taken there, never held while waiting for the io thread, which also
  // needs it to record exits.
  impl_->OnIoThread([this, replica] {
    std::lock_guard lock(impl_->mu_);
    Impl::Replica& r = impl_->Get(replica);
    if (r.state != ReplicaState::kRunning && r.state != ReplicaState::kPaused) {
      impl_->Spawn(r);
    }
  });
  impl_->changed_.notify_all();
}

std::vector<ReplicaStatus> ProcessRuntime::Ps() const {
  std::lock_guard lock(impl_->mu_);
  std::vector<ReplicaStatus> out;
  for (const auto& r : impl_->replicas_) out.push_back(impl_->StatusLocked(r));
  return out;
}

ReplicaStatus ProcessRuntime::Status(std::string_view replica) const {
  std::lock_guard lock(impl_->mu_);
  return impl_->StatusLocked(impl_->Get(replica));
}

std::string ProcessRuntime::Logs(std::string_view replica) const {
  const std::filesystem::path path = LogPath(replica);
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::filesystem::path ProcessRuntime::LogPath(std::string_view replica) const {
  std::lock_guard lock(impl_->mu_);
  return impl_->Get(replica).log_path;
}

bool ProcessRuntime::WaitReady(std::string_view replica, Duration timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    std::unique_lock lock(impl_->mu_);
    Impl::Replica& r = impl_->Get(replica);
    if (r.ready) return true;
    if (r.state == ReplicaState::kExited) return false;
    const std::uint64_t generation = r.generation;
    const bool running = r.state == ReplicaState::kRunning;
    const std::uintmax_t log_offset = r.log_offset;
    lock.unlock();
    // Checked without the lock: a TCP or UDP probe may take a while.
    const bool ready =
        running && Impl::CheckReady(*r.plan, r.address, r.log_path, log_offset,
                                    std::chrono::milliseconds(50));
    lock.lock();
    if (ready && r.generation == generation &&
        r.state == ReplicaState::kRunning) {
      r.ready = true;
      return true;
    }
    if (Clock::now() >= deadline) return false;
    impl_->changed_.wait_for(lock, std::chrono::milliseconds(5));
  }
}

std::optional<ReplicaStatus> ProcessRuntime::WaitExit(std::string_view replica,
                                                      Duration timeout) {
  std::unique_lock lock(impl_->mu_);
  Impl::Replica& r = impl_->Get(replica);
  if (!impl_->WaitExitLocked(lock, r, Clock::now() + timeout)) {
    return std::nullopt;
  }
  return impl_->StatusLocked(r);
}

std::vector<LinkStatus> ProcessRuntime::Links() const {
  return impl_->links_->Status();
}

LinkFaultOutcome ProcessRuntime::SetLinkFault(std::string_view replica,
                                              const DirectedLinkFault& fault) {
  impl_->Get(replica);  // an unknown name is an error of its own
  return impl_->links_->Set(replica, fault);
}

}  // namespace chancho
