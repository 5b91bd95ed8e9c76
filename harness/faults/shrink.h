#pragma once

// Shrinking a failing fault schedule to what matters (`chancho shrink`).
//
// The search is delta debugging (Zeller's ddmin) over the schedule's faults,
// one target per fault (SplitTargets: a bomb of five targets is five
// faults, so shrinking also merges a bomb into fewer targets). A candidate
// schedule is run `repeats` times and counts as failing only when every run
// fails, so a flaky failure cannot shrink into noise; it counts as passing
// at its first passing run. Each distinct subset is run at most once.
//
// When the subsets are done and the budget allows, the survivors are moved
// in time: each clock-placed fault is tried at half its offset (up to three
// halvings while it still fails), and, when the first halving passes, at
// one and a half times it. A move is kept only when the schedule still
// fails.
//
// The result is 1-minimal when `proven` says so: every schedule with one
// fault fewer was run and passed. The search stops early at `max_runs` runs
// or `max_time`, with the smallest failing schedule found so far.
//
// Pure apart from the caller's `fails`, which runs a schedule; the clock is
// injectable for tests.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "harness/faults/fault.h"

namespace chancho {

struct ShrinkOptions {
  int repeats = 2;
  int max_runs = 200;
  std::chrono::milliseconds max_time{std::chrono::hours(2)};
  bool shift_in_time = true;
  // The time since the search began; empty: the steady clock.
  std::function<std::chrono::milliseconds()> elapsed;
};

// One run of a candidate, for progress lines.
struct ShrinkStep {
  int run = 0;        // 1-based, over the whole search
  int candidate = 0;  // 1-based: which distinct schedule
  int faults = 0;     // in the candidate
  int repeat = 0;     // 1..repeats
  bool failed = false;
  std::string phase;  // "check", "subsets" or "time"
};

struct ShrinkResult {
  std::vector<FaultEvent> minimal;  // the smallest failing schedule found
  bool reproduced = false;  // the whole schedule failed every repeat
  bool proven = false;      // 1-minimal (see above)
  int candidates = 0;       // distinct schedules run
  int runs = 0;             // runs in all (repeats included)
  std::chrono::milliseconds elapsed{0};
  std::string stopped;      // "", "max-runs" or "max-time"
};

// One event per target of each event, in order; ids get "/<target>" when
// an event had more than one.
std::vector<FaultEvent> SplitTargets(const std::vector<FaultEvent>& schedule);

// The faults of a run that took effect, one event per target, in the
// order they were applied: each is its plan event (by id), with that
// target only. Faults that took no effect, and plan events never applied,
// are left out.
std::vector<FaultEvent> AppliedSchedule(const std::vector<FaultEvent>& plan,
                                        const std::vector<FaultOutcome>& outcomes);

// A short text that tells schedules apart: each event's id, time, kind and
// targets.
std::string ScheduleKey(const std::vector<FaultEvent>& schedule);

// Runs `schedule` once; true when the run failed.
using RunSchedule = std::function<bool(const std::vector<FaultEvent>& schedule)>;

// Shrinks `schedule` (split by SplitTargets first). When the whole schedule
// does not fail every repeat, nothing is shrunk: `reproduced` is false and
// `minimal` is the split schedule.
ShrinkResult ShrinkSchedule(const std::vector<FaultEvent>& schedule,
                            const RunSchedule& fails,
                            const ShrinkOptions& options,
                            const std::function<void(const ShrinkStep&)>& progress = {});

}  // namespace chancho
