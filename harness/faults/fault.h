#pragma once

// Faults as plain data, how one is applied and checked, and the seeded
// plans of the chaos monkey.
//
// A FaultEvent names concrete replicas: random choices are made when the
// plan is made, from the seed and the list of eligible replicas only, so
// the same seed gives the same targets at the same offsets, and a recorded
// plan replays as it was.

#include <chrono>
#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/faults/fault_target.h"
#include "harness/faults/trigger.h"

namespace chancho {

// kLink: a network fault on the replica's proxied links (`link`, which
// kind none heals).
enum class FaultKind { kKill, kStop, kPause, kResume, kStart, kRestart, kLink };
std::string_view ToString(FaultKind kind);
// "kill", "stop", ...; nullopt for anything else.
std::optional<FaultKind> ParseFaultKind(std::string_view text);

struct FaultEvent {
  // The offset from the start of the plan, or, with a trigger, from the
  // moment the trigger fired.
  std::chrono::milliseconds at{0};
  FaultKind kind = FaultKind::kKill;
  std::vector<std::string> targets;
  int signal = SIGKILL;                   // kill
  std::chrono::milliseconds grace{2000};  // stop, restart
  DirectedLinkFault link;                 // link
  std::string origin;                     // "event", "auto", "bomb", ...
  // Names the event in the plan ("events/0", "auto/3", "bomb/0"), so that
  // a fault trigger can refer to it.
  std::string id;
  std::optional<Trigger> trigger;  // none: `at` counts from the start
  std::optional<Trigger> until;    // fired first: the event is cancelled

  bool operator==(const FaultEvent&) const = default;
};

// What happened when a fault was applied to one replica.
struct FaultOutcome {
  std::string target;
  FaultKind kind = FaultKind::kKill;
  std::string origin;
  std::chrono::milliseconds planned{0};
  std::chrono::milliseconds actual{0};  // when it was applied
  std::string event;    // the event's id
  std::string trigger;  // Describe() of its trigger, or "clock"
  std::chrono::milliseconds triggered{0};  // when the trigger fired
  bool took_effect = false;
  std::string detail;  // why not, or what was observed
};

// Applies `event` to `target` and checks that it took effect: a killed or
// stopped replica left the running state (or was already replaced by a new
// process), a paused one is paused, a resumed or started one runs. Never
// throws: a failure is an outcome with took_effect false and the reason.
// A link fault took effect when every proxy of the replica installed it
// (on every open connection; a partition or reset closes them).
// `planned`/`actual` are left for the caller.
FaultOutcome ApplyFault(FaultTarget& target, const FaultEvent& event,
                        const std::string& replica);

// "every X, kill Y random eligible replicas", from `start` until `until`.
// With `start_on`, `start` and `until` count from the moment it fired;
// with `until_on`, the ticks not yet applied when it fires are cancelled
// (and `until` still bounds how many there are).
struct AutoKill {
  std::chrono::milliseconds every{2000};
  int count = 1;
  std::chrono::milliseconds start{0};
  std::chrono::milliseconds until{60000};
  std::optional<Trigger> start_on;
  std::optional<Trigger> until_on;
};
std::vector<FaultEvent> PlanAutoKill(const AutoKill& spec,
                                     const std::vector<std::string>& eligible,
                                     std::uint64_t seed);

// "bomba": every eligible replica at once (the broker, the clients, the
// client-handler and one health-checker are spared by Eligible()).
FaultEvent PlanBomb(std::chrono::milliseconds at,
                    const std::vector<std::string>& eligible);

}  // namespace chancho
