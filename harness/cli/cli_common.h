#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "harness/faults/scenario_run.h"
#include "harness/spec/spec.h"

namespace chancho::cli {

// The system a command works on: a compose-spec.json path, or "tp0" for the
// built-in echo system with `clients` clients.
struct SpecArgs {
  std::string spec;
  int clients = 1;
  std::string tp0_dir;
  std::string defaults;  // a service-defaults file (service_defaults.h)
};

void AddSpecOptions(CLI::App* command, SpecArgs& args);

// A duration option in Chancho's one syntax (500ms, 2s, 1m, 1m30s); a bare
// number counts in `bare_unit`, as the option did before units existed
// (milliseconds for grace periods, seconds for timeouts). `value` holds the
// default, shown in --help.
CLI::Option* AddDurationOption(CLI::App* command, const std::string& name,
                               std::chrono::milliseconds& value,
                               const std::string& description,
                               std::chrono::milliseconds bare_unit);

// "10s", "1.5s", "250ms".
std::string DurationText(std::chrono::milliseconds value);

// Loads the spec; warnings go to stderr, one line each.
Spec LoadSpecArgument(const SpecArgs& args);

// The directory of the running chancho executable (where the system
// binaries are built too).
std::filesystem::path ExecutableDir();

// The options of a scenario run that `run` and `shrink` share: the system's
// programs and the chancho CLI beside this executable, `grace`, and the
// service-defaults file `defaults` (empty: the scenario's), made absolute.
ScenarioRunOptions CliScenarioOptions(const std::string& defaults,
                                      std::chrono::milliseconds grace);

// Adds "--defaults FILE" (an existing service-defaults file for a
// scenario's spec) to `command`.
CLI::Option* AddScenarioDefaultsOption(CLI::App* command, std::string& defaults);

// Adds "--run DIR" to a command that acts on a run.
CLI::Option* AddRunOption(CLI::App* command, std::string& run);

// The run directory to act on: `run` when given, else $CHANCHO_RUN_DIR,
// else the newest run under .chancho/runs that has a live control socket.
std::filesystem::path LocateRun(const std::string& run);

// Whether a supervisor answers on the run's control socket.
bool RunIsLive(const std::filesystem::path& run_dir);

// The control socket name of a live run; throws chancho::Error if the run
// is not live.
std::string ControlName(const std::filesystem::path& run_dir);

// A request to a live run (see HandleControlRequest).
std::string Request(const std::filesystem::path& run_dir,
                    const std::string& request);

}  // namespace chancho::cli
