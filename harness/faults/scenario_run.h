#pragma once

// A whole fault-scenario run, the workflow behind `chancho run` and the
// fixtures' SystemTest::RunScenario:
//   1. the scenario's setup steps (skipped when what they create exists);
//   2. the plan: the scenario's, seeded, or a recorded one to replay;
//   3. up on the scenario's runtime, the clients held back;
//   4. the fault clock: the trigger watch, the fault runner and the clients
//      start together;
//   5. the wait for the clients (bounded by the scenario's timeout), every
//      network fault healed, down;
//   6. the comparison with known-good, and record.json in the run
//      directory.
// The run passes (record.exit_code 0) when every client exited 0, every
// result matches, and no trigger of the plan failed to fire.
//
// Not thread-safe; one Run() at a time per object. Several objects may run
// side by side (each run has its own directory and addresses).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/faults/run_monitor.h"
#include "harness/faults/scenario.h"
#include "harness/record/record.h"
#include "harness/spec/spec.h"

namespace chancho {

struct ScenarioRunOptions {
  // "process" or "docker"; empty: the scenario's (a replay: its record's).
  std::string runtime;
  std::optional<std::uint64_t> seed;  // overrides the scenario's
  // A service-defaults file for the spec, instead of the scenario's.
  std::filesystem::path defaults;
  bool no_faults = false;             // a fault-free baseline
  // Replaces the plan, the scenario's or the replayed record's: the
  // schedules that `chancho shrink` tries.
  std::optional<std::vector<FaultEvent>> plan;
  std::filesystem::path runs_root = ".chancho/runs";
  // Between SIGTERM and SIGKILL when the system goes down.
  std::chrono::milliseconds grace{5000};
  // Where the system's programs and the setup steps' are looked up, before
  // PATH.
  std::vector<std::filesystem::path> bin_dirs;
  // The chancho CLI, for replicas that call `chancho ctl` (the
  // health-checkers), passed as CHANCHO_CLI; empty: none.
  std::filesystem::path chancho_cli;
  // What a scenario's {cache} stands for, where its setup steps' output
  // goes too (setup.log); empty: .chancho/cache under the working
  // directory.
  std::filesystem::path cache_dir;
  // Receives one log-format line per step (setup, plan, up, fault,
  // client_done, trigger, run) and the comparison's text report; null:
  // nothing is printed.
  std::ostream* progress = nullptr;
  // Called with the run's live status about every 250 ms, on a thread of
  // the run's; empty: none.
  RunMonitor::StatusCallback status;
};

class ScenarioRun {
 public:
  // Reads the scenario and builds its plan (running its setup steps).
  // Throws chancho::Error for a scenario that cannot be read, a setup step
  // that fails, or a plan that cannot be built.
  static ScenarioRun FromScenario(const std::filesystem::path& scenario,
                                  ScenarioRunOptions options);
  // The same scenario with the plan of `record` (record.json), triggers
  // included; the record's runtime unless options.runtime overrides it.
  static ScenarioRun FromRecord(const std::filesystem::path& record,
                                ScenarioRunOptions options);

  const Scenario& scenario() const { return scenario_; }
  const std::vector<FaultEvent>& plan() const { return record_.plan; }
  std::uint64_t seed() const { return record_.seed; }

  // Runs it; what goes wrong in the run (a replica that does not come up,
  // a client that fails, a mismatch) is in the record's verdict and exit
  // code, not an exception. The record is also written to record.json in
  // the run directory.
  RunRecord Run();

 private:
  ScenarioRun(Scenario scenario, ScenarioRunOptions options, RunRecord record);
  // Setup steps, the spec, and the plan (`recorded`, or built from the
  // seed).
  void Prepare(const std::vector<FaultEvent>* recorded);

  Scenario scenario_;
  ScenarioRunOptions options_;
  RunRecord record_;  // what is known before the run: plan, seed, scenario
  Spec spec_;
  std::filesystem::path replay_;  // the record replayed, if any
};

}  // namespace chancho
