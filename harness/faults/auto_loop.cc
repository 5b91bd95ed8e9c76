#include "harness/faults/auto_loop.h"

#include <algorithm>

namespace chancho {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Later chunks mix the chunk number into the seed.
std::uint64_t ChunkSeed(std::uint64_t seed, int chunk) {
  return seed ^ (static_cast<std::uint64_t>(chunk) * 0x9E3779B97F4A7C15ULL);
}

}  // namespace

void AutoLoop::Run() {
    const auto start = Clock::now();
    const milliseconds span = spec_.every * kAutoLoopChunk;
    for (int chunk = 0;; ++chunk) {
      const milliseconds from = span * chunk;
      if (from >= spec_.until) return;
      const AutoKill part{spec_.every, spec_.count, milliseconds(0),
                          std::min(span, spec_.until - from), std::nullopt,
                          std::nullopt};
      auto plan = PlanAutoKill(part, eligible_, ChunkSeed(seed_, chunk));
      {
        std::unique_lock lock(mu_);
        if (wake_.wait_until(lock, start + from, [this] { return stop_; })) {
          return;
        }
        runner_ = std::make_unique<FaultRunner>(
            target_, std::move(plan), [this, from](FaultOutcome o) {
              // The runner counts from the start of the chunk.
              o.planned += from;
              o.actual += from;
              {
                std::lock_guard count(mu_);
                ++tally_.faults;
                tally_.took_effect += o.took_effect ? 1 : 0;
              }
              on_outcome_(o);
            });
        runner_->Start();
      }
      // Only this thread replaces runner_, so it may read it unlocked.
      runner_->Join();
      std::lock_guard lock(mu_);
      runner_.reset();
    }
}

}  // namespace chancho
