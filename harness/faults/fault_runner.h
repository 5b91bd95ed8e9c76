#pragma once

// Applies a fault plan on schedule, on a thread of its own, and records
// every outcome. Events run in order of their offset; the targets of one
// event are hit one after the other, as close together as the target
// allows. Stop() ends the plan early (events not yet due are not applied).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "harness/faults/fault.h"

namespace chancho {

class FaultRunner {
 public:
  using OnOutcome = std::function<void(const FaultOutcome&)>;

  // `target` must outlive the runner. `on_outcome` (optional) is called on
  // the runner's thread after each fault.
  FaultRunner(FaultTarget& target, std::vector<FaultEvent> plan,
              OnOutcome on_outcome = nullptr);
  ~FaultRunner();
  FaultRunner(const FaultRunner&) = delete;
  FaultRunner& operator=(const FaultRunner&) = delete;

  // Starts the clock: offsets count from now.
  void Start();
  void Stop();
  // Blocks until every event ran or Stop() was called.
  void Join();

  std::vector<FaultOutcome> outcomes() const;

 private:
  void Run();

  FaultTarget& target_;
  const std::vector<FaultEvent> plan_;
  OnOutcome on_outcome_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::vector<FaultOutcome> outcomes_;
  std::thread thread_;
};

}  // namespace chancho
