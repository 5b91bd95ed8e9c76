#include "harness/faults/fault_runner.h"

#include <algorithm>
#include <optional>

#include "harness/faults/trigger_watch.h"

namespace chancho {
namespace {

using std::chrono::milliseconds;

// How often a runner waiting for a trigger looks at the watch again; the
// watch itself polls the system at about this period.
constexpr milliseconds kTriggerPoll{5};

// Why an event (or what was left of it) was not applied: its `until`
// trigger fired at `at`.
UnappliedEvent Cancelled(const FaultEvent& e, milliseconds at,
                         const std::string& more = "") {
  return {e.id, UnappliedEvent::Why::kCancelled,
          "cancelled: " + Describe(*e.until) + " fired at " +
              std::to_string(at.count()) + " ms" + more};
}

}  // namespace

FaultRunner::FaultRunner(FaultTarget& target, std::vector<FaultEvent> plan,
                         OnOutcome on_outcome, TriggerWatch* watch)
    : target_(target),
      plan_(std::move(plan)),
      on_outcome_(std::move(on_outcome)),
      watch_(watch) {}

FaultRunner::~FaultRunner() {
  Stop();
  Join();
}

void FaultRunner::Start(Clock::time_point start) {
  thread_ = std::thread([this, start] { Run(start); });
}

void FaultRunner::Stop() {
  std::lock_guard lock(mu_);
  stop_ = true;
  wake_.notify_all();
}

void FaultRunner::Join() {
  if (thread_.joinable()) thread_.join();
}

std::vector<FaultOutcome> FaultRunner::outcomes() const {
  std::lock_guard lock(mu_);
  return outcomes_;
}

std::vector<UnappliedEvent> FaultRunner::unapplied() const {
  std::lock_guard lock(mu_);
  return unapplied_;
}

void FaultRunner::Run(Clock::time_point start) {
  const auto fired = [&](const std::optional<Trigger>& t) -> std::optional<milliseconds> {
    if (!t) return milliseconds(0);
    if (!watch_) return std::nullopt;
    return watch_->FiredAt(*t);
  };
  // Plan order, so that events due at the same time run as listed.
  std::vector<const FaultEvent*> pending;
  for (const auto& e : plan_) pending.push_back(&e);
  std::unique_lock lock(mu_);
  while (!stop_ && !pending.empty()) {
    const auto now = Clock::now();
    std::optional<Clock::time_point> next;
    bool waiting = false;
    const FaultEvent* due = nullptr;
    milliseconds due_base{0};
    Clock::time_point due_when = Clock::time_point::max();
    for (auto it = pending.begin(); it != pending.end();) {
      const FaultEvent& e = **it;
      const auto base = fired(e.trigger);
      const auto until = e.until ? fired(e.until) : std::nullopt;
      if (until && (!base || *base + e.at > *until)) {
        unapplied_.push_back(Cancelled(e, *until));
        it = pending.erase(it);
        continue;
      }
      if (!base) {
        waiting = true;
      } else {
        const auto when = start + *base + e.at;
        if (when <= now && when < due_when) {
          due = &e;
          due_base = *base;
          due_when = when;
        } else if (when > now && (!next || when < *next)) {
          next = when;
        }
      }
      ++it;
    }
    if (due) {
      pending.erase(std::find(pending.begin(), pending.end(), due));
      lock.unlock();
      Apply(*due, due_base, start);
      lock.lock();
      continue;
    }
    if (waiting && watch_) {
      const auto poll = now + kTriggerPoll;
      if (!next || poll < *next) next = poll;
    }
    if (next) {
      wake_.wait_until(lock, *next, [this] { return stop_; });
    } else {
      wake_.wait(lock, [this] { return stop_; });
    }
  }
  for (const FaultEvent* e : pending) {
    const auto base = fired(e->trigger);
    const auto until = e->until ? fired(e->until) : std::nullopt;
    if (until) {
      unapplied_.push_back(Cancelled(*e, *until));
    } else if (!base) {
      unapplied_.push_back({e->id, UnappliedEvent::Why::kTriggerNeverFired,
                            "trigger never fired: " + Describe(*e->trigger)});
    } else {
      unapplied_.push_back(
          {e->id, UnappliedEvent::Why::kNotDue,
           "not due before the plan ended (due at " +
               std::to_string((*base + e->at).count()) + " ms)"});
    }
  }
  const auto index = [&](const UnappliedEvent& u) {
    for (std::size_t i = 0; i < plan_.size(); ++i) {
      if (plan_[i].id == u.event) return i;
    }
    return plan_.size();
  };
  std::stable_sort(unapplied_.begin(), unapplied_.end(),
                   [&](const UnappliedEvent& a, const UnappliedEvent& b) {
                     return index(a) < index(b);
                   });
}

void FaultRunner::Apply(const FaultEvent& event, milliseconds triggered,
                        Clock::time_point start) {
  // A fault trigger on this event compares its targets' start counts with
  // these.
  std::vector<std::pair<std::string, int>> starts;
  if (watch_) {
    const auto ps = target_.Ps();
    for (const std::string& replica : event.targets) {
      int before = 0;
      for (const auto& s : ps) {
        if (s.name == replica) before = s.starts;
      }
      starts.emplace_back(replica, before);
    }
  }
  for (std::size_t i = 0; i < event.targets.size(); ++i) {
    const std::string& replica = event.targets[i];
    // Hitting the targets one after the other can take long (a container's
    // kill and its check take up to a second or more); the ones still to
    // hit when the event's `until` fires are cancelled with it.
    const auto until = event.until && watch_ ? watch_->FiredAt(*event.until)
                                             : std::nullopt;
    if (until) {
      std::string left;
      for (std::size_t j = i; j < event.targets.size(); ++j) {
        left += (left.empty() ? "" : ", ") + event.targets[j];
      }
      std::lock_guard lock(mu_);
      unapplied_.push_back(Cancelled(event, *until, "; not hit: " + left));
      break;
    }
    const auto applied = Clock::now();
    FaultOutcome outcome = ApplyFault(target_, event, replica);
    outcome.planned = triggered + event.at;
    outcome.actual = std::chrono::duration_cast<milliseconds>(applied - start);
    outcome.event = event.id;
    outcome.trigger = event.trigger ? Describe(*event.trigger) : "clock";
    outcome.triggered = triggered;
    if (on_outcome_) on_outcome_(outcome);
    std::lock_guard lock(mu_);
    outcomes_.push_back(std::move(outcome));
  }
  if (watch_) watch_->FaultApplied(event.id, std::move(starts));
}

}  // namespace chancho
