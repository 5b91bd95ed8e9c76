#include "harness/faults/fault_runner.h"

#include <algorithm>

namespace chancho {

FaultRunner::FaultRunner(FaultTarget& target, std::vector<FaultEvent> plan,
                         OnOutcome on_outcome)
    : target_(target), plan_(std::move(plan)), on_outcome_(std::move(on_outcome)) {}

FaultRunner::~FaultRunner() {
  Stop();
  Join();
}

void FaultRunner::Start() { thread_ = std::thread([this] { Run(); }); }

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

void FaultRunner::Run() {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::vector<FaultEvent> plan = plan_;
  std::stable_sort(plan.begin(), plan.end(),
                   [](const FaultEvent& a, const FaultEvent& b) { return a.at < b.at; });
  for (const FaultEvent& event : plan) {
    {
      std::unique_lock lock(mu_);
      if (wake_.wait_until(lock, start + event.at, [this] { return stop_; })) {
        return;
      }
    }
    for (const std::string& replica : event.targets) {
      const auto applied = Clock::now();
      FaultOutcome outcome = ApplyFault(target_, event, replica);
      outcome.planned = event.at;
      outcome.actual =
          std::chrono::duration_cast<std::chrono::milliseconds>(applied - start);
      if (on_outcome_) on_outcome_(outcome);
      std::lock_guard lock(mu_);
      outcomes_.push_back(std::move(outcome));
    }
  }
}

}  // namespace chancho
