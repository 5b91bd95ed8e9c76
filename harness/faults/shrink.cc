#include "harness/faults/shrink.h"

#include <algorithm>
#include <map>
#include <set>

namespace chancho {
namespace {

using std::chrono::milliseconds;

struct OutOfBudget {
  std::string why;
};

class Search {
 public:
  Search(std::vector<FaultEvent> faults, const RunSchedule& fails,
         const ShrinkOptions& options,
         const std::function<void(const ShrinkStep&)>& progress)
      : faults_(std::move(faults)),
        fails_(fails),
        options_(options),
        progress_(progress),
        began_(std::chrono::steady_clock::now()) {}

  ShrinkResult Run() {
    ShrinkResult result;
    std::vector<int> all(faults_.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
    best_ = all;
    try {
      phase_ = "check";
      result.reproduced = Fails(all);
      if (result.reproduced) {
        phase_ = "subsets";
        result.proven = Ddmin(all);
        if (options_.shift_in_time) {
          phase_ = "time";
          ShiftInTime();
        }
      }
    } catch (const OutOfBudget& stop) {
      result.stopped = stop.why;
      result.proven = false;
    }
    for (int i : best_) result.minimal.push_back(faults_[i]);
    result.candidates = candidates_;
    result.runs = runs_;
    result.elapsed = Elapsed();
    return result;
  }

 private:
  milliseconds Elapsed() const {
    if (options_.elapsed) return options_.elapsed();
    return std::chrono::duration_cast<milliseconds>(
        std::chrono::steady_clock::now() - began_);
  }

  // Whether the schedule of `subset` (indices into faults_) fails every
  // repeat; each distinct subset is run once.
  bool Fails(const std::vector<int>& subset) {
    const auto known = seen_.find(subset);
    if (known != seen_.end()) return known->second;
    std::vector<FaultEvent> schedule;
    for (int i : subset) schedule.push_back(faults_[i]);
    const bool failed = RunCandidate(schedule);
    seen_[subset] = failed;
    if (failed && subset.size() < best_.size()) best_ = subset;
    return failed;
  }

  bool RunCandidate(const std::vector<FaultEvent>& schedule) {
    ++candidates_;
    for (int repeat = 1; repeat <= std::max(1, options_.repeats); ++repeat) {
      if (runs_ >= options_.max_runs) throw OutOfBudget{"max-runs"};
      if (Elapsed() >= options_.max_time) throw OutOfBudget{"max-time"};
      ++runs_;
      const bool failed = fails_(schedule);
      if (progress_) {
        progress_({runs_, candidates_, static_cast<int>(schedule.size()), repeat,
                   failed, phase_});
      }
      if (!failed) return false;
    }
    return true;
  }

  // ddmin from `c`, which fails. True when it ended 1-minimal.
  bool Ddmin(std::vector<int> c) {
    // A schedule that fails without any fault: the faults do not matter.
    if (Fails({})) {
      best_.clear();
      return true;
    }
    std::size_t n = 2;
    while (c.size() >= 2) {
      const auto parts = Split(c, n);
      bool reduced = false;
      for (const auto& part : parts) {
        if (Fails(part)) {
          c = part;
          n = 2;
          reduced = true;
          break;
        }
      }
      if (!reduced && n > 2) {
        for (const auto& part : parts) {
          const auto rest = Without(c, part);
          if (Fails(rest)) {
            c = rest;
            n = std::max<std::size_t>(n - 1, 2);
            reduced = true;
            break;
          }
        }
      }
      if (reduced) continue;
      if (n >= c.size()) break;
      n = std::min(2 * n, c.size());
    }
    best_ = c;
    // With two faults left, n == 2 tried each alone; with one, the empty
    // schedule passed. Larger sets ended at n == |c|: every complement,
    // one fault fewer each, passed.
    return true;
  }

  static std::vector<std::vector<int>> Split(const std::vector<int>& c,
                                             std::size_t n) {
    std::vector<std::vector<int>> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t end = start + (c.size() - start) / (n - i);
      parts.emplace_back(c.begin() + static_cast<long>(start),
                         c.begin() + static_cast<long>(end));
      start = end;
    }
    return parts;
  }

  static std::vector<int> Without(const std::vector<int>& c,
                                  const std::vector<int>& part) {
    std::vector<int> out;
    for (int i : c) {
      if (std::find(part.begin(), part.end(), i) == part.end()) out.push_back(i);
    }
    return out;
  }

  // Moves each survivor placed on the clock earlier (and, failing that,
  // later) while the schedule still fails; faults_ takes the moves.
  void ShiftInTime() {
    for (int i : std::vector<int>(best_)) {
      FaultEvent& event = faults_[i];
      if (event.trigger || event.at <= milliseconds(0)) continue;
      bool moved = false;
      for (int halving = 0; halving < 3; ++halving) {
        if (!TryAt(i, event.at / 2)) break;
        moved = true;
      }
      if (!moved) TryAt(i, event.at + event.at / 2);
    }
  }

  // Runs the best schedule with fault `i` at `at`; keeps it when it fails.
  bool TryAt(int i, milliseconds at) {
    const milliseconds was = faults_[i].at;
    faults_[i].at = at;
    std::vector<FaultEvent> schedule;
    for (int j : best_) schedule.push_back(faults_[j]);
    if (RunCandidate(schedule)) return true;
    faults_[i].at = was;
    return false;
  }

  std::vector<FaultEvent> faults_;
  const RunSchedule& fails_;
  const ShrinkOptions& options_;
  const std::function<void(const ShrinkStep&)>& progress_;
  const std::chrono::steady_clock::time_point began_;
  std::map<std::vector<int>, bool> seen_;
  std::vector<int> best_;
  std::string phase_;
  int candidates_ = 0;
  int runs_ = 0;
};

}  // namespace

std::vector<FaultEvent> SplitTargets(const std::vector<FaultEvent>& schedule) {
  std::vector<FaultEvent> out;
  for (const FaultEvent& event : schedule) {
    if (event.targets.size() <= 1) {
      out.push_back(event);
      continue;
    }
    for (const std::string& target : event.targets) {
      FaultEvent one = event;
      one.targets = {target};
      one.id = event.id + "/" + target;
      out.push_back(std::move(one));
    }
  }
  return out;
}

std::vector<FaultEvent> AppliedSchedule(const std::vector<FaultEvent>& plan,
                                        const std::vector<FaultOutcome>& outcomes) {
  std::vector<FaultEvent> out;
  for (const FaultOutcome& outcome : outcomes) {
    if (!outcome.took_effect) continue;
    const auto event = std::find_if(plan.begin(), plan.end(), [&](const FaultEvent& e) {
      return e.id == outcome.event;
    });
    if (event == plan.end()) continue;
    FaultEvent one = *event;
    one.targets = {outcome.target};
    if (event->targets.size() > 1) one.id = event->id + "/" + outcome.target;
    const bool seen = std::any_of(out.begin(), out.end(), [&](const FaultEvent& e) {
      return e.id == one.id && e.targets == one.targets;
    });
    if (!seen) out.push_back(std::move(one));
  }
  return out;
}

std::string ScheduleKey(const std::vector<FaultEvent>& schedule) {
  std::string key;
  for (const FaultEvent& e : schedule) {
    key += e.id + "@" + std::to_string(e.at.count()) + ":" + std::string(ToString(e.kind));
    for (const std::string& target : e.targets) key += "," + target;
    key += ";";
  }
  return key;
}

ShrinkResult ShrinkSchedule(const std::vector<FaultEvent>& schedule,
                            const RunSchedule& fails,
                            const ShrinkOptions& options,
                            const std::function<void(const ShrinkStep&)>& progress) {
  return Search(SplitTargets(schedule), fails, options, progress).Run();
}

}  // namespace chancho
