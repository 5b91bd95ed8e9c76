#pragma once

// Watches a running system for the triggers of a fault plan (trigger.h):
// on a thread of its own, every `period`, it reads what the watched
// replicas appended to their log files and, when a trigger needs it, their
// states. Each trigger fires once, at the first poll that sees it; its time
// counts from the plan's start, as fault offsets do.
//
// Thread-safe: FiredAt, FaultApplied and Reports may be called from any
// thread while the watch runs.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "harness/faults/fault.h"
#include "harness/runtime/runtime.h"

namespace chancho {

// What triggers look at. Calls come from the watch's thread only.
class SystemView {
 public:
  virtual ~SystemView() = default;
  virtual std::vector<ReplicaStatus> Ps() = 0;
  // The file that the replica's output is appended to. It may be replaced
  // by a file that starts with the same lines (DockerLog::Replace).
  virtual std::filesystem::path LogPath(const std::string& replica) = 0;
};

// `runtime` must outlive the view.
std::unique_ptr<SystemView> MakeRuntimeView(Runtime& runtime);

// The replicas a trigger's selector names among `replicas` (never at
// random; no replica is spared). Throws chancho::Error naming the trigger
// when it names none.
std::vector<std::string> TriggerReplicas(const Trigger& trigger,
                                         const std::vector<ReplicaStatus>& replicas);

// Checks the triggers of `plan` before it runs: every selector names a
// replica of `replicas`, and a fault trigger names an event of the plan
// other than its own. Throws chancho::Error with the event's id.
void CheckTriggers(const std::vector<FaultEvent>& plan,
                   const std::vector<ReplicaStatus>& replicas);

// The distinct triggers of a plan (start and until triggers), in order.
std::vector<Trigger> PlanTriggers(const std::vector<FaultEvent>& plan);

class TriggerWatch {
 public:
  using Clock = std::chrono::steady_clock;

  struct Report {
    Trigger trigger;
    std::optional<std::chrono::milliseconds> fired;
    std::string what;  // what fired it (the line, the states), or ""
  };

  // Starts watching. `view` must outlive the watch. `start` is the plan's
  // zero. Throws chancho::Error when a selector names no replica.
  TriggerWatch(SystemView& view, std::vector<Trigger> triggers,
               Clock::time_point start,
               std::chrono::milliseconds period = std::chrono::milliseconds(10));
  ~TriggerWatch();
  TriggerWatch(const TriggerWatch&) = delete;
  TriggerWatch& operator=(const TriggerWatch&) = delete;

  // Ends the thread after one last round of reading; what fired stays
  // readable. Idempotent.
  void Stop();

  // When `trigger` fired, if it did. A trigger the watch was not given
  // never fires.
  std::optional<std::chrono::milliseconds> FiredAt(const Trigger& trigger) const;

  // The runner applied event `id`; `starts` is each target's start count
  // just before. Fault triggers on `id` watch these targets from now on.
  void FaultApplied(const std::string& id,
                    std::vector<std::pair<std::string, int>> starts);

  std::vector<Report> Reports() const;
  // Rounds of reading made so far: once it grew by two, everything
  // appended before the first of them was read.
  std::uint64_t polls() const;

 private:
  struct Tail {
    std::filesystem::path path;
    std::uintmax_t offset = 0;
    std::uintmax_t inode = 0;
    std::uint64_t lines = 0;  // complete lines seen
    std::uint64_t skip = 0;   // lines to skip after the file was replaced
    std::string partial;
  };
  struct Watched {
    Report report;
    std::vector<std::string> replicas;
    std::regex regex;  // log
    int matches = 0;   // log: matching lines seen
  };

  void Run();
  void Poll();
  void ReadLog(const std::string& replica, Tail& tail,
               std::chrono::milliseconds now);
  void OnLine(const std::string& replica, const std::string& line,
              std::chrono::milliseconds now);
  void Fire(Watched& w, std::chrono::milliseconds now, std::string what);

  SystemView& view_;
  const Clock::time_point start_;
  const std::chrono::milliseconds period_;
  bool needs_states_ = false;
  std::map<std::string, Tail> tails_;  // only the watch's thread
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::uint64_t polls_ = 0;
  std::vector<Watched> watched_;
  std::map<std::string, std::vector<std::pair<std::string, int>>> applied_;
  std::thread thread_;  // last: starts once everything above is built
};

}  // namespace chancho
