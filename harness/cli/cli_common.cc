#include "harness/cli/cli_common.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <vector>

#include "harness/runtime/control/control.h"
#include "harness/runtime/run_dir.h"
#include "harness/spec/tp0_spec.h"

namespace chancho::cli {

void AddSpecOptions(CLI::App* command, SpecArgs& args) {
  command
      ->add_option("spec", args.spec,
                   "compose-spec.json, or \"tp0\" for the built-in echo system")
      ->required();
  command
      ->add_option("--clients", args.clients,
                   "tp0 only: number of clients (client1..clientN)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--tp0-dir", args.tp0_dir,
                      "tp0 only: directory with server/config.ini and "
                      "client/config.yaml")
      ->default_str(CHANCHO_SOURCE_DIR "/system/tp0");
}

Spec LoadSpecArgument(const SpecArgs& args) {
  Spec spec;
  if (args.spec == "tp0") {
    const std::filesystem::path dir =
        args.tp0_dir.empty() ? std::filesystem::path(CHANCHO_SOURCE_DIR) /
                                   "system" / "tp0"
                             : std::filesystem::absolute(args.tp0_dir);
    spec = Tp0Spec(args.clients, dir);
  } else {
    spec = LoadSpec(args.spec);
  }
  for (const std::string& warning : spec.warnings) {
    std::cerr << "warning: " << warning << "\n";
  }
  return spec;
}

std::filesystem::path ExecutableDir() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : self.parent_path();
}

void AddRunOption(CLI::App* command, std::string& run) {
  command->add_option("--run", run,
                      "run directory (default: $CHANCHO_RUN_DIR, else the "
                      "newest live run under .chancho/runs)");
}

std::string ControlName(const std::filesystem::path& run_dir) {
  const auto file = run_dir / "control";
  if (!std::filesystem::exists(file)) {
    throw Error(run_dir.string() + ": not a live run (no control socket)");
  }
  std::string name = ReadFile(file);
  while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) {
    name.pop_back();
  }
  return name;
}

std::filesystem::path LocateRun(const std::string& run) {
  if (!run.empty()) {
    if (!std::filesystem::is_directory(run)) {
      throw Error(run + ": no such run directory");
    }
    return std::filesystem::absolute(run);
  }
  if (const char* env = std::getenv("CHANCHO_RUN_DIR"); env && *env) {
    return env;
  }
  const std::filesystem::path root = ".chancho/runs";
  std::vector<std::filesystem::path> runs;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    if (entry.is_directory() && std::filesystem::exists(entry.path() / "control")) {
      runs.push_back(entry.path());
    }
  }
  // Run ids start with their UTC time, so the newest sorts last.
  std::sort(runs.rbegin(), runs.rend());
  for (const auto& candidate : runs) {
    try {
      ControlRequest(ControlName(candidate), "info", std::chrono::seconds(2));
      return std::filesystem::absolute(candidate);
    } catch (const Error&) {
      // A run whose supervisor died: its control file is stale.
    }
  }
  throw Error("no live run under " +
              std::filesystem::absolute(root).string() +
              " (start one with `chancho up SPEC --detach`, or pass --run)");
}

std::string Request(const std::filesystem::path& run_dir,
                    const std::string& request) {
  return ControlRequest(ControlName(run_dir), request, std::chrono::minutes(5));
}

}  // namespace chancho::cli
