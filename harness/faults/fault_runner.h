#pragma once

// Applies a fault plan on a thread of its own, and records every outcome.
// An event without a trigger is due `at` after the start; one with a
// trigger is due `at` after the trigger fired (as the TriggerWatch saw it),
// and one whose `until` trigger fires first is cancelled. Due events run in
// order of their due time; the targets of one event are hit one after the
// other, as close together as the target allows, and those still to hit
// when the event's `until` fires are cancelled. Stop() ends the plan
// early: events not yet applied are listed by unapplied(), with the reason.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/faults/fault.h"

namespace chancho {

class TriggerWatch;

// An event of the plan that was not applied, and why.
struct UnappliedEvent {
  std::string event;  // its id
  enum class Why { kNotDue, kTriggerNeverFired, kCancelled } why = Why::kNotDue;
  std::string detail;  // e.g. "trigger never fired: log client-1 /x/ #1"
};

class FaultRunner {
 public:
  using Clock = std::chrono::steady_clock;
  using OnOutcome = std::function<void(const FaultOutcome&)>;

  // `target` (and `watch`, when given) must outlive the runner. Without a
  // watch, an event with a trigger never becomes due. `on_outcome`
  // (optional) is called on the runner's thread after each fault.
  FaultRunner(FaultTarget& target, std::vector<FaultEvent> plan,
              OnOutcome on_outcome = nullptr, TriggerWatch* watch = nullptr);
  ~FaultRunner();
  FaultRunner(const FaultRunner&) = delete;
  FaultRunner& operator=(const FaultRunner&) = delete;

  // Starts the clock: offsets count from `start` (the watch's start, when
  // there is one).
  void Start(Clock::time_point start = Clock::now());
  void Stop();
  // Blocks until every event ran or was cancelled, or Stop() was called.
  void Join();

  std::vector<FaultOutcome> outcomes() const;
  // After Join(): the events that were not applied, in plan order.
  std::vector<UnappliedEvent> unapplied() const;

 private:
  void Run(Clock::time_point start);
  void Apply(const FaultEvent& event, std::chrono::milliseconds triggered,
             Clock::time_point start);

  FaultTarget& target_;
  const std::vector<FaultEvent> plan_;
  OnOutcome on_outcome_;
  TriggerWatch* const watch_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::vector<FaultOutcome> outcomes_;
  std::vector<UnappliedEvent> unapplied_;
  std::thread thread_;
};

}  // namespace chancho
