#include "harness/runtime/runtime.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "harness/runtime/control/control.h"
#include "harness/runtime/control/control_commands.h"
#include "harness/runtime/proxied_links.h"
#include "harness/runtime/readiness.h"
#include "harness/runtime/run_dir.h"

namespace chancho {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

std::string NotRunning(std::string_view replica, ReplicaState state) {
  return "replica " + std::string(replica) + " is not running (" +
         std::string(ToString(state)) + ")";
}

// How often a readiness check is tried while a replica is running.
constexpr milliseconds kCheckEvery{10};
constexpr milliseconds kCheckTimeout{50};

}  // namespace

std::string_view ToString(ReplicaState state) {
  switch (state) {
    case ReplicaState::kCreated:
      return "created";
    case ReplicaState::kRunning:
      return "running";
    case ReplicaState::kPaused:
      return "paused";
    case ReplicaState::kExited:
      return "exited";
  }
  return "unknown";
}

std::string_view ToString(RuntimeEvent::Kind kind) {
  switch (kind) {
    case RuntimeEvent::Kind::kStart:
      return "start";
    case RuntimeEvent::Kind::kReady:
      return "ready";
    case RuntimeEvent::Kind::kTerminate:
      return "terminate";
    case RuntimeEvent::Kind::kSignal:
      return "signal";
    case RuntimeEvent::Kind::kPause:
      return "pause";
    case RuntimeEvent::Kind::kResume:
      return "resume";
    case RuntimeEvent::Kind::kExited:
      return "exited";
  }
  return "unknown";
}

Error UnknownReplica(std::string_view name, const Deployment& deployment) {
  std::string known;
  for (const ReplicaPlan& plan : deployment.replicas) {
    known += (known.empty() ? "" : ", ") + plan.name;
  }
  return Error("no replica named \"" + std::string(name) + "\" (known: " +
               known + ")");
}

Runtime::Runtime(std::unique_ptr<Driver> driver, const RuntimeOptions& options)
    : driver_(std::move(driver)), options_(options) {
  for (const ReplicaPlan& plan : driver_->deployment().replicas) {
    Replica r;
    r.plan = &plan;
    r.check = MakeReadinessCheck(plan.readiness);
    r.check_mu = std::make_unique<std::mutex>();
    replicas_.push_back(std::move(r));
  }
  driver_->Watch([this] {
    { std::lock_guard lock(mu_); }
    changed_.notify_all();
  });
  if (options_.serve_control) {
    const std::string name = ControlName(run_dir());
    control_ = std::make_unique<ControlServer>(
        name, [this](const std::string& request) {
          return HandleControlRequest(*this, request, [this] {
            std::function<void()> callback;
            {
              std::lock_guard lock(mu_);
              callback = on_down_;
            }
            if (callback) callback();
          });
        });
    WriteFileAtomically(run_dir() / "control", name + "\n");
  }
}

Runtime::~Runtime() {
  try {
    Down(std::chrono::seconds(2));
  } catch (...) {
    // The driver's destructor removes whatever is left.
  }
  control_.reset();
  std::error_code ec;
  std::filesystem::remove(run_dir() / "control", ec);
  // While this object's members live: the driver's threads call back into
  // them until it is gone.
  driver_.reset();
}

const Deployment& Runtime::deployment() const { return driver_->deployment(); }

const std::filesystem::path& Runtime::run_dir() const {
  return driver_->run_dir();
}

std::string Runtime::control_name() const {
  return control_ ? control_->name() : "";
}

void Runtime::OnDownRequest(std::function<void()> callback) {
  std::lock_guard lock(mu_);
  on_down_ = std::move(callback);
}

Runtime::Replica& Runtime::Get(std::string_view name) {
  return const_cast<Replica&>(std::as_const(*this).Get(name));
}

const Runtime::Replica& Runtime::Get(std::string_view name) const {
  for (const Replica& r : replicas_) {
    if (r.plan->name == name) return r;
  }
  throw UnknownReplica(name, deployment());
}

void Runtime::Record(RuntimeEvent::Kind kind, const std::string& replica,
                     int signal) {
  std::lock_guard lock(mu_);
  history_.push_back({kind, replica, Clock::now(), signal});
}

std::vector<RuntimeEvent> Runtime::History() const {
  std::lock_guard lock(mu_);
  return history_;
}

ReplicaStatus Runtime::Observe(Replica& r, const DriverStatus& d) {
  ReplicaStatus s;
  s.name = r.plan->name;
  s.service = r.plan->service;
  s.role = r.plan->role;
  s.address = d.address;
  s.state = d.state;
  s.pid = d.pid;
  s.uptime = d.uptime;
  s.starts = d.starts;
  s.restarts = std::max(0, d.starts - 1);
  s.exit_code = d.exit_code;
  s.term_signal = d.term_signal;
  std::lock_guard lock(mu_);
  if (d.state == ReplicaState::kExited && r.seen != ReplicaState::kExited) {
    history_.push_back(
        {RuntimeEvent::Kind::kExited, r.plan->name, Clock::now(), 0});
  }
  r.seen = d.state;
  s.ready = Alive(d.state) &&
            (r.ready_run == d.starts ||
             r.plan->readiness.kind == Readiness::Kind::kNone);
  return s;
}

std::vector<ReplicaStatus> Runtime::Ps() {
  const std::vector<DriverStatus> all = driver_->InspectAll();
  std::vector<ReplicaStatus> out;
  for (std::size_t i = 0; i < replicas_.size() && i < all.size(); ++i) {
    out.push_back(Observe(replicas_[i], all[i]));
  }
  return out;
}

ReplicaStatus Runtime::Status(std::string_view replica) {
  Replica& r = Get(replica);
  return Observe(r, driver_->Inspect(replica));
}

std::string Runtime::Logs(std::string_view replica) {
  Get(replica);
  return driver_->Logs(replica);
}

std::filesystem::path Runtime::LogPath(std::string_view replica) const {
  Get(replica);
  return driver_->LogPath(replica);
}

std::optional<ReplicaStatus> Runtime::WaitFor(
    Replica& r, Clock::time_point deadline,
    const std::function<bool(const ReplicaStatus&)>& done) {
  for (;;) {
    const ReplicaStatus s = Observe(r, driver_->Inspect(r.plan->name));
    if (done(s)) return s;
    const auto now = Clock::now();
    if (now >= deadline) return std::nullopt;
    std::unique_lock lock(mu_);
    changed_.wait_until(lock,
                        std::min(deadline, now + driver_->poll_interval()));
  }
}

bool Runtime::WaitReady(std::string_view replica, Duration timeout) {
  Replica& r = Get(replica);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const DriverStatus d = driver_->Inspect(replica);
    const ReplicaStatus s = Observe(r, d);
    if (s.ready) return true;
    if (d.state == ReplicaState::kExited) return false;
    // Checked without the runtime's lock: a check may take a while.
    bool ready = false;
    if (d.state == ReplicaState::kRunning) {
      const ReadinessTarget target{r.plan->name, d.address,
                                   driver_->LogPath(replica), d.log_offset,
                                   d.starts, r.plan->heartbeat_port,
                                   driver_.get()};
      std::lock_guard check(*r.check_mu);
      const auto attempt = [&] {
        return r.check->Try(target, kCheckTimeout, r.last_seen);
      };
      if (driver_->host_reaches_addresses()) {
        ready = attempt();
      } else {
        try {
          ready = d.pid > 0 && InNetworkNamespace(d.pid, attempt);
        } catch (const std::exception& e) {
          r.last_seen = e.what();
        }
      }
    }
    if (ready) {
      // Ready counts for the run that was checked, if it is still the one.
      const DriverStatus after = driver_->Inspect(replica);
      if (after.starts == d.starts && Alive(after.state)) {
        {
          std::lock_guard lock(mu_);
          r.ready_run = d.starts;
          history_.push_back(
              {RuntimeEvent::Kind::kReady, r.plan->name, Clock::now(), 0});
        }
        return true;
      }
    }
    const auto now = Clock::now();
    if (now >= deadline) return false;
    std::unique_lock lock(mu_);
    changed_.wait_until(lock, std::min(deadline, now + kCheckEvery));
  }
}

std::string Runtime::ReadinessReport(std::string_view replica) {
  Replica& r = Get(replica);
  std::lock_guard check(*r.check_mu);
  return r.check->Describe() +
         (r.last_seen.empty() ? "" : ", last saw: " + r.last_seen);
}

std::optional<ReplicaStatus> Runtime::WaitExit(std::string_view replica,
                                               Duration timeout) {
  return WaitFor(Get(replica), Clock::now() + timeout,
                 [](const ReplicaStatus& s) { return !Alive(s.state); });
}

void Runtime::Kill(std::string_view replica, int signal) {
  Replica& r = Get(replica);
  const ReplicaStatus s = Observe(r, driver_->Inspect(replica));
  if (!Alive(s.state)) throw Error(NotRunning(replica, s.state));
  Record(signal == SIGTERM ? RuntimeEvent::Kind::kTerminate
                           : RuntimeEvent::Kind::kSignal,
         r.plan->name, signal);
  driver_->Signal(replica, signal);
}

void Runtime::Stop(std::string_view replica, Duration grace) {
  Replica& r = Get(replica);
  const ReplicaStatus s = Observe(r, driver_->Inspect(replica));
  if (!Alive(s.state)) throw Error(NotRunning(replica, s.state));
  StopWave({&r}, grace);
  const ReplicaStatus after = Observe(r, driver_->Inspect(replica));
  if (Alive(after.state)) {
    throw Error("replica " + std::string(replica) +
                " did not exit after SIGKILL (" +
                std::string(ToString(after.state)) + ")");
  }
}

void Runtime::Pause(std::string_view replica) {
  Replica& r = Get(replica);
  const ReplicaStatus s = Observe(r, driver_->Inspect(replica));
  if (s.state == ReplicaState::kPaused) return;
  if (s.state != ReplicaState::kRunning) {
    throw Error(NotRunning(replica, s.state));
  }
  Record(RuntimeEvent::Kind::kPause, r.plan->name);
  driver_->Pause(replica);
}

void Runtime::Resume(std::string_view replica) {
  Replica& r = Get(replica);
  const ReplicaStatus s = Observe(r, driver_->Inspect(replica));
  if (s.state != ReplicaState::kPaused) {
    throw Error("replica " + std::string(replica) + " is not paused (" +
                std::string(ToString(s.state)) + ")");
  }
  Record(RuntimeEvent::Kind::kResume, r.plan->name);
  driver_->Resume(replica);
}

void Runtime::Start(std::string_view replica) {
  Replica& r = Get(replica);
  const ReplicaStatus s = Observe(r, driver_->Inspect(replica));
  if (Alive(s.state)) {
    throw Error("replica " + std::string(replica) + " is already " +
                std::string(ToString(s.state)));
  }
  driver_->Create();
  Record(RuntimeEvent::Kind::kStart, r.plan->name);
  driver_->Start({r.plan->name});
  changed_.notify_all();
}

std::vector<LinkStatus> Runtime::Links() {
  ProxiedLinks* links = driver_->links();
  return links ? links->Status() : std::vector<LinkStatus>{};
}

std::vector<ProxiedLinks::NamedProxy> Runtime::LinkProxies() {
  ProxiedLinks* links = driver_->links();
  return links ? links->Proxies() : std::vector<ProxiedLinks::NamedProxy>{};
}

LinkFaultOutcome Runtime::SetLinkFault(std::string_view replica,
                                       const DirectedLinkFault& fault) {
  Get(replica);  // an unknown name is an error of its own
  ProxiedLinks* links = driver_->links();
  if (!links) {
    throw Error("replica " + std::string(replica) + " has no proxied link (" +
                (options_.links.empty() ? "the run has none"
                                        : "the system is not up") +
                ")");
  }
  return links->Set(replica, fault);
}

}  // namespace chancho
