#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/faults/chaos_shell.h"
#include "harness/faults/fault.h"
#include "harness/faults/fault_runner.h"

namespace chancho {

inline constexpr int kAutoLoopChunk = 1000;

// The chaos shell's "auto X Y": every X, kill Y random eligible replicas,
// until `until` or Stop(). An interactive loop runs until it is stopped, so
// it is planned kAutoLoopChunk ticks at a time (at 50 ms a tick, a day of
// plan would be millions of events), each chunk run by a FaultRunner, on a
// thread of its own. Chunk 0 plans with the seed itself, so a loop that
// fits in one chunk fires exactly PlanAutoKill(seed).
class AutoLoop {
 public:
  AutoLoop(FaultTarget& target, AutoKill spec,
           std::vector<std::string> eligible, std::uint64_t seed,
           FaultRunner::OnOutcome on_outcome)
      : target_(target),
        spec_(spec),
        eligible_(std::move(eligible)),
        seed_(seed),
        on_outcome_(std::move(on_outcome)),
        thread_([this] { Run(); }) {}
  ~AutoLoop() {
    Stop();
    Join();
  }

  void Stop() {
    std::lock_guard lock(mu_);
    stop_ = true;
    if (runner_) runner_->Stop();
    wake_.notify_all();
  }
  // Returns once the loop ended (Stop(), or the last tick was applied).
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  ChaosShell::Tally tally() const {
    std::lock_guard lock(mu_);
    return tally_;
  }

 private:
  void Run();

  FaultTarget& target_;
  const AutoKill spec_;
  const std::vector<std::string> eligible_;
  const std::uint64_t seed_;
  const FaultRunner::OnOutcome on_outcome_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::unique_ptr<FaultRunner> runner_;
  ChaosShell::Tally tally_;
  std::thread thread_;  // last: starts once everything above is built
};

}  // namespace chancho
