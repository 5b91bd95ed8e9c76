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

// A client's progress line (action: progress | file: F | done: N | total:
// M), when its value changed.
struct ClientProgress {
  std::chrono::milliseconds at{0};  // since the fault plan started
  std::string client;
  std::string file;
  std::int64_t done = 0;
  std::int64_t total = 0;  // 0: unknown
};

// A replica of the run and what it is, so that a report can group it.
struct RecordedReplica {
  std::string name;
  std::string service;
  bool client = false;
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
  std::string spec;        // the spec or compose file the system came from
  std::string started_at;  // UTC, ISO 8601, when the run began
  // How long bring-up took, and the plan's zero to the end of the run
  // (clients done and the system down).
  std::chrono::milliseconds up_duration{0};
  std::chrono::milliseconds duration{0};
  std::vector<RecordedReplica> replicas;
  std::vector<FaultEvent> plan;
  std::vector<FaultOutcome> faults;
  // Every trigger of the plan: when it fired and on what, or that it never
  // did.
  std::vector<TriggerWatch::Report> triggers;
  std::vector<UnappliedEvent> unapplied;
  std::vector<StateChange> changes;
  std::vector<ClientCompletion> clients;
  std::vector<ClientProgress> progress;
  std::vector<LinkStatus> links;  // the proxied links at the end of the run
  std::string comparison_json;  // JsonReport of the comparison, or ""
  std::string verdict;          // "match", "mismatch" or "error: ..."
  int exit_code = 1;

  // Replicas that came back after dying: a start after the first.
  int revivals() const;
};

std::string RecordToJson(const RunRecord& record);
// Reads what RecordToJson wrote: the plan, scenario file and seed (what a
// replay needs), and the faults applied, the verdict, the exit code and
// the run directory (what `chancho shrink` needs; left at their defaults
// when an older record lacks them). Throws chancho::Error naming the file
// on a bad record.
RunRecord LoadRecord(const std::filesystem::path& path);
// The same from the record's text; `source` names it in errors.
RunRecord ParseRecord(const std::string& text, const std::string& source);

}  // namespace chancho
