#include "harness/faults/fault.h"

#include <algorithm>
#include <random>
#include <thread>

#include "common/error.h"
#include "harness/faults/targeting.h"

namespace chancho {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kEffectTimeout{5000};

constexpr std::string_view kNames[] = {"kill",  "stop",    "pause", "resume",
                                       "start", "restart", "link"};

std::optional<ReplicaStatus> Find(FaultTarget& target, const std::string& name) {
  for (auto& s : target.Ps()) {
    if (s.name == name) return s;
  }
  return std::nullopt;
}

// Polls the replica's status until `done` holds, for at most kEffectTimeout.
template <typename Done>
bool Observe(FaultTarget& target, const std::string& name, Done done) {
  const auto deadline = Clock::now() + kEffectTimeout;
  for (;;) {
    const auto s = Find(target, name);
    if (s && done(*s)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

}  // namespace

std::string_view ToString(FaultKind kind) {
  return kNames[static_cast<int>(kind)];
}

std::optional<FaultKind> ParseFaultKind(std::string_view text) {
  for (int i = 0; i < static_cast<int>(std::size(kNames)); ++i) {
    if (text == kNames[i]) return static_cast<FaultKind>(i);
  }
  return std::nullopt;
}

FaultOutcome ApplyFault(FaultTarget& target, const FaultEvent& event,
                        const std::string& replica) {
  FaultOutcome out;
  out.target = replica;
  out.kind = event.kind;
  out.origin = event.origin;
  try {
    const auto before = Find(target, replica);
    if (!before) throw Error("no replica named '" + replica + "'");
    const int old_pid = before->pid;
    const int old_starts = before->starts;
    // Gone from the state it had: not running any more, or running as a
    // new process (a health-checker may revive it within milliseconds).
    const auto replaced = [&](const ReplicaStatus& s) {
      return s.state != ReplicaState::kRunning || s.pid != old_pid ||
             s.starts != old_starts;
    };
    bool effect = false;
    switch (event.kind) {
      case FaultKind::kKill:
        if (before->state != ReplicaState::kRunning) {
          throw Error("not running (" + std::string(chancho::ToString(before->state)) + ")");
        }
        target.Kill(replica, event.signal);
        effect = Observe(target, replica, replaced);
        break;
      case FaultKind::kStop:
        target.Stop(replica, event.grace);
        effect = Observe(target, replica, replaced);
        break;
      case FaultKind::kPause:
        target.Pause(replica);
        effect = Observe(target, replica, [](const ReplicaStatus& s) {
          return s.state == ReplicaState::kPaused;
        });
        break;
      case FaultKind::kResume:
        target.Resume(replica);
        effect = Observe(target, replica, [](const ReplicaStatus& s) {
          return s.state == ReplicaState::kRunning;
        });
        break;
      case FaultKind::kStart:
        target.Start(replica);
        effect = Observe(target, replica, [](const ReplicaStatus& s) {
          return s.state == ReplicaState::kRunning;
        });
        break;
      case FaultKind::kRestart:
        target.Stop(replica, event.grace);
        target.Start(replica);
        effect = Observe(target, replica, [&](const ReplicaStatus& s) {
          return s.state == ReplicaState::kRunning && s.starts > old_starts;
        });
        break;
      case FaultKind::kLink: {
        const LinkFaultOutcome link = target.SetLinkFault(replica, event.link);
        out.took_effect = link.took_effect;
        out.detail = FormatLinkFault(event.link) + ": " + link.detail;
        return out;
      }
    }
    out.took_effect = effect;
    out.detail = effect ? "observed" : "no change observed within 5 s";
  } catch (const std::exception& e) {
    out.took_effect = false;
    out.detail = e.what();
  }
  return out;
}

std::vector<FaultEvent> PlanAutoKill(const AutoKill& spec,
                                     const std::vector<std::string>& eligible,
                                     std::uint64_t seed) {
  std::vector<FaultEvent> plan;
  if (spec.every.count() <= 0 || eligible.empty()) return plan;
  std::mt19937_64 rng(seed);
  for (auto at = spec.start; at < spec.until; at += spec.every) {
    FaultEvent e;
    e.at = at;
    e.kind = FaultKind::kKill;
    e.targets = PickRandom(eligible, spec.count, rng);
    e.origin = "auto";
    e.id = "auto/" + std::to_string(plan.size());
    e.trigger = spec.start_on;
    e.until = spec.until_on;
    plan.push_back(std::move(e));
  }
  return plan;
}

FaultEvent PlanBomb(std::chrono::milliseconds at,
                    const std::vector<std::string>& eligible) {
  FaultEvent e;
  e.at = at;
  e.kind = FaultKind::kKill;
  e.targets = eligible;
  e.origin = "bomb";
  return e;
}

}  // namespace chancho
