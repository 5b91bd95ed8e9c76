#pragma once

// What a scenario run watches while it runs, on a thread of its own:
// - every replica's change of state, pid, start count or readiness (polled
//   every 20 ms), for the record;
// - the progress lines that the clients append to their logs (read every
//   200 ms), for the record and the live status;
// - a RunStatus snapshot for whoever shows the run to a person, every
//   `status_period`.
//
// Times in the record count from the plan's zero (SetZero), which comes
// after the system is up; what the monitor saw during bring-up has negative
// times.
//
// Thread-safety: SetZero, FaultApplied and the status callback's caller may
// be on different threads; changes() and progress() are for after Stop().

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness/faults/trigger_watch.h"
#include "harness/record/record.h"

namespace chancho {

// The live state of a run, for a status line.
struct RunStatus {
  // "up" (bring-up), "running" (clients and faults), "done" (the last
  // status: the monitor stopped)
  std::string phase;
  std::chrono::milliseconds elapsed{0};  // since the monitor started
  int replicas = 0;
  int ready = 0;
  std::vector<std::string> waiting;  // replicas not ready, clients aside
  int faults_applied = 0;
  int faults_planned = 0;
  int revivals = 0;
  struct Client {
    std::string name;
    std::string state;  // "created", "running", "exited 0", ...
    std::optional<ClientProgress> progress;
  };
  std::vector<Client> clients;
};

class RunMonitor {
 public:
  using Clock = std::chrono::steady_clock;
  using StatusCallback = std::function<void(const RunStatus&)>;

  // Starts watching `view`'s replicas; `clients` are the client replicas
  // (not counted in ready/waiting). `status` may be empty.
  RunMonitor(SystemView& view, std::vector<std::string> clients,
             int faults_planned, StatusCallback status,
             std::chrono::milliseconds status_period = std::chrono::milliseconds(250));
  ~RunMonitor();
  RunMonitor(const RunMonitor&) = delete;
  RunMonitor& operator=(const RunMonitor&) = delete;

  void SetZero(Clock::time_point zero);
  void SetPhase(const std::string& phase);
  void FaultApplied();
  // Ends the thread after one last round, whose status has the phase
  // "done"; idempotent.
  void Stop();

  std::vector<StateChange> changes() const;
  std::vector<ClientProgress> progress() const;
  // The last status (also after Stop()).
  RunStatus Status() const;

 private:
  void Loop();
  void PollStates();
  void ReadProgress();
  RunStatus MakeStatus() const;  // under mutex_

  SystemView& view_;
  const std::vector<std::string> clients_;
  const int faults_planned_;
  const StatusCallback status_;
  const std::chrono::milliseconds status_period_;
  const Clock::time_point started_;

  mutable std::mutex mutex_;
  Clock::time_point zero_;
  std::string phase_ = "up";
  int faults_applied_ = 0;
  // What was seen, and when; its `at` is set from the zero on the way out.
  template <typename T>
  struct Timed {
    Clock::time_point at;
    T value;
  };
  template <typename T>
  std::vector<T> SinceZero(const std::vector<Timed<T>>& seen) const;  // under mutex_

  std::vector<Timed<StateChange>> seen_;
  std::map<std::string, StateChange> last_;
  std::vector<std::string> order_;  // replicas as Ps() lists them
  std::map<std::string, std::uintmax_t> log_offsets_;
  std::map<std::string, std::string> partial_lines_;
  std::vector<Timed<ClientProgress>> progress_;
  std::map<std::string, ClientProgress> last_progress_;

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace chancho
