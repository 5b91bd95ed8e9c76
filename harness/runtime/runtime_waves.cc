#include "harness/runtime/runtime.h"

#include "harness/runtime/control/control_commands.h"

#include <signal.h>

#include <algorithm>
#include <functional>

// Runtime: bringing the whole system up in dependency order, and down in
// waves.

namespace chancho {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

milliseconds ReadinessTimeout(const ReplicaPlan& plan) {
  return milliseconds(static_cast<long>(plan.readiness.timeout_s * 1000));
}

}  // namespace

void Runtime::Up() {
  try {
    std::lock_guard up(down_mu_);
    UpInOrder();
  } catch (...) {
    try {
      Down(milliseconds(0));
    } catch (...) {
      // The error of Up is the one to report.
    }
    throw;
  }
}

std::string Runtime::NotReady(const ReplicaPlan& plan, const std::string& why) {
  const ReplicaStatus status = Status(plan.name);
  std::string what;
  if (status.state == ReplicaState::kExited) {
    const std::string exit = ExitText(status);
    what = "exited (" + (exit.empty() ? std::string("removed") : exit) +
           ") before it was ready";
  } else {
    what = "not ready within " + NumberText(plan.readiness.timeout_s) + " s";
  }
  return "replica " + plan.name + why + " " + what + " (" +
         ReadinessReport(plan.name) + "); see " + LogPath(plan.name).string();
}

// Batches in deployment order: a replica that depends on one of the batch
// being gathered closes that batch, which then starts, and its
// dependencies are waited for before it joins the next.
void Runtime::UpInOrder() {
  driver_->Create();
  const std::vector<DriverStatus> before = driver_->InspectAll();
  std::vector<Replica*> batch;
  const auto start_batch = [&] {
    if (batch.empty()) return;
    std::vector<std::string> names;
    for (Replica* b : batch) {
      names.push_back(b->plan->name);
      Record(RuntimeEvent::Kind::kStart, b->plan->name);
    }
    driver_->Start(names);
    batch.clear();
    changed_.notify_all();
  };
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    Replica& r = replicas_[i];
    const auto& deps = r.plan->depends_on;
    const bool needs_batch =
        std::any_of(deps.begin(), deps.end(), [&](const std::string& d) {
          return std::any_of(batch.begin(), batch.end(), [&](Replica* b) {
            return b->plan->name == d;
          });
        });
    if (needs_batch) start_batch();
    for (const std::string& dependency : deps) {
      const ReplicaPlan* dep = deployment().Find(dependency);
      if (!WaitReady(dependency, ReadinessTimeout(*dep))) {
        throw Error(NotReady(*dep, " (needed by " + r.plan->name + ")"));
      }
    }
    const bool running = i < before.size() && Alive(before[i].state);
    if (!running && options_.held.count(r.plan->name) == 0) {
      batch.push_back(&r);
    }
  }
  start_batch();
  for (const Replica& r : replicas_) {
    if (options_.held.count(r.plan->name) != 0) continue;
    if (!WaitReady(r.plan->name, ReadinessTimeout(*r.plan)) &&
        r.plan->readiness.kind != Readiness::Kind::kNone) {
      throw Error(NotReady(*r.plan, ""));
    }
  }
}

void Runtime::StopWave(const std::vector<Replica*>& wave, Duration grace) {
  std::vector<Replica*> alive;
  for (Replica* r : wave) {
    if (!Alive(Observe(*r, driver_->Inspect(r->plan->name)).state)) continue;
    Record(RuntimeEvent::Kind::kTerminate, r->plan->name, SIGTERM);
    try {
      driver_->Terminate(r->plan->name);
      alive.push_back(r);
    } catch (const Error&) {
      // It ended in between, or the signal cannot be sent: SIGKILL below
      // if it still runs.
      alive.push_back(r);
    }
  }
  const auto deadline = Clock::now() + grace;
  for (Replica* r : alive) {
    const auto gone = WaitFor(*r, deadline, [](const ReplicaStatus& s) {
      return !Alive(s.state);
    });
    if (gone) continue;
    Record(RuntimeEvent::Kind::kSignal, r->plan->name, SIGKILL);
    try {
      driver_->Signal(r->plan->name, SIGKILL);
    } catch (const Error&) {
    }
  }
  for (Replica* r : alive) {
    WaitFor(*r, Clock::now() + std::chrono::seconds(10),
            [](const ReplicaStatus& s) { return !Alive(s.state); });
  }
}

// Replicas that revive others go first, so that they revive nothing; then
// a replica gets SIGTERM once every running replica that depends on it has
// exited, so services stop while their broker is still there and exit
// cleanly instead of losing it first.
void Runtime::Down(Duration grace) {
  std::lock_guard down(down_mu_);
  std::vector<Replica*> remaining;
  const std::vector<DriverStatus> all = driver_->InspectAll();
  for (std::size_t i = 0; i < replicas_.size() && i < all.size(); ++i) {
    if (Alive(Observe(replicas_[i], all[i]).state)) {
      remaining.push_back(&replicas_[i]);
    }
  }
  std::string error;
  const auto wave_of = [&](const std::function<bool(const Replica*)>& pick) {
    std::vector<Replica*> wave;
    std::copy_if(remaining.begin(), remaining.end(), std::back_inserter(wave),
                 pick);
    if (wave.empty()) return;
    try {
      StopWave(wave, grace);
    } catch (const std::exception& e) {
      error += (error.empty() ? "" : "; ") + std::string(e.what());
    }
    std::erase_if(remaining, [&](const Replica* r) {
      return std::find(wave.begin(), wave.end(), r) != wave.end();
    });
  };
  wave_of([](const Replica* r) { return r->plan->revives_others; });
  while (!remaining.empty()) {
    const std::size_t before = remaining.size();
    wave_of([&](const Replica* r) {
      return std::none_of(
          remaining.begin(), remaining.end(), [&](const Replica* other) {
            const auto& deps = other->plan->depends_on;
            return std::find(deps.begin(), deps.end(), r->plan->name) !=
                   deps.end();
          });
    });
    // A cycle: stop the rest together.
    if (remaining.size() == before) wave_of([](const Replica*) { return true; });
  }
  try {
    driver_->Remove();
  } catch (const std::exception& e) {
    error += (error.empty() ? "" : "; ") + std::string(e.what());
  }
  changed_.notify_all();
  if (!error.empty()) throw Error(deployment().project + ": down: " + error);
}


}  // namespace chancho
