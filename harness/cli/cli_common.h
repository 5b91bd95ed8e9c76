#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>

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

// Loads the spec; warnings go to stderr, one line each.
Spec LoadSpecArgument(const SpecArgs& args);

// The directory of the running chancho executable (where the system
// binaries are built too).
std::filesystem::path ExecutableDir();

// Adds "--run DIR" to a command that acts on a run.
CLI::Option* AddRunOption(CLI::App* command, std::string& run);

// The run directory to act on: `run` when given, else $CHANCHO_RUN_DIR,
// else the newest run under .chancho/runs that has a live control socket.
std::filesystem::path LocateRun(const std::string& run);

// The control socket name of a live run; throws chancho::Error if the run
// is not live.
std::string ControlName(const std::filesystem::path& run_dir);

// A request to a live run (see HandleControlRequest).
std::string Request(const std::filesystem::path& run_dir,
                    const std::string& request);

}  // namespace chancho::cli
