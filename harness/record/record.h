#pragma once

// The run record of a scenario (record.json in the run directory): the
// plan, every fault with its planned and actual time, target and whether it
// took effect, each replica's state changes and revivals, the clients'
// completion, and the comparison verdict. A record can be replayed: its
// plan is re-applied as recorded.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/faults/fault.h"
#include "harness/faults/fault_runner.h"
#include "harness/faults/trigger_watch.h"
#include "harness/runtime/runtime.h"

namespace chancho {

struct StateChange {
  std::chrono::milliseconds at{0};  // since the fault plan started
  std::string replica;
  ReplicaState state = ReplicaState::kCreated;
  int pid = 0;
  int starts = 0;
  bool ready = false;
};

struct ClientCompletion {
  std::string name;
  std::optional<int> exit_code;  // none: it did not finish in time
  std::chrono::milliseconds at{0};
};

struct RunRecord {
  std::string scenario_file;
  std::string scenario_name;
  std::string runtime;
  std::uint64_t seed = 0;
  std::string run_dir;
  std::vector<FaultEvent> plan;
  std::vector<FaultOutcome> faults;
  // Every trigger of the plan: when it fired and on what, or that it never
  // did.
  std::vector<TriggerWatch::Report> triggers;
  std::vector<UnappliedEvent> unapplied;
  std::vector<StateChange> changes;
  std::vector<ClientCompletion> clients;
  std::vector<LinkStatus> links;  // the proxied links at the end of the run
  std::string comparison_json;  // JsonReport of the comparison, or ""
  std::string verdict;          // "match", "mismatch" or "error: ..."
  int exit_code = 1;

  // Replicas that came back after dying: a start after the first.
  int revivals() const;
};

std::string RecordToJson(const RunRecord& record);
// Reads what RecordToJson wrote (the plan, scenario file and seed are what
// a replay needs). Throws chancho::Error naming the file on a bad record.
RunRecord LoadRecord(const std::filesystem::path& path);

}  // namespace chancho
