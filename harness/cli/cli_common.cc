#include "harness/cli/cli_common.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <vector>

#include "common/duration.h"
#include "harness/runtime/control/control.h"
#include "harness/runtime/run_dir.h"

namespace chancho::cli {

CLI::Option* AddDurationOption(CLI::App* command, const std::string& name,
                               std::chrono::milliseconds& value,
                               const std::string& description,
                               std::chrono::milliseconds bare_unit) {
  const std::string unit = bare_unit >= std::chrono::hours(24)   ? "days"
                           : bare_unit >= std::chrono::hours(1)  ? "hours"
                           : bare_unit >= std::chrono::seconds(1) ? "seconds"
                                                                  : "ms";
  return command
      ->add_option_function<std::string>(
          name,
          [&value, name, bare_unit](const std::string& text) {
            try {
              value = common::ParseDurationOr(text, bare_unit);
            } catch (const std::invalid_argument& e) {
              throw CLI::ValidationError(name, e.what());
            }
          },
          description + " (a duration: 500ms, 2s, 1m; a bare number is " + unit + ")")
      ->default_str(DurationText(value))
      ->type_name("DURATION");
}

std::string DurationText(std::chrono::milliseconds value) {
  const auto ms = value.count();
  if (ms != 0 && ms % 1000 != 0) return std::to_string(ms) + "ms";
  if (ms >= 60000 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  return std::to_string(ms / 1000) + "s";
}

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
                      "client/config.yaml (and compose-spec.json, else the "
                      "shipped one); default: the shipped tp0");
  command->add_option("--defaults", args.defaults,
                      "a service-defaults file that fills what the spec "
                      "leaves out (command, image, role, readiness, "
                      "aliases); default: the spec's \"defaults\", if any")
      ->check(CLI::ExistingFile);
}

namespace {

// Where the tp0 that ships with Chancho is: beside the binary
// (<bin>/../share/chancho/tp0; in a build tree, a link to system/tp0), or
// system/tp0 under the working directory (a source tree).
std::filesystem::path ShippedTp0() {
  const std::filesystem::path candidates[] = {
      ExecutableDir().parent_path() / "share" / "chancho" / "tp0",
      std::filesystem::current_path() / "system" / "tp0"};
  for (const auto& dir : candidates) {
    if (std::filesystem::exists(dir / "compose-spec.json")) return dir;
  }
  throw Error("tp0: compose-spec.json not found in " +
              candidates[0].string() + " nor " + candidates[1].string() +
              "; give the spec's path instead of \"tp0\"");
}

}  // namespace

Spec LoadSpecArgument(const SpecArgs& args) {
  Spec spec;
  if (args.spec == "tp0") {
    const std::filesystem::path config_dir =
        args.tp0_dir.empty() ? ShippedTp0()
                             : std::filesystem::absolute(args.tp0_dir);
    const std::filesystem::path file =
        std::filesystem::exists(config_dir / "compose-spec.json")
            ? config_dir / "compose-spec.json"
            : ShippedTp0() / "compose-spec.json";
    spec = LoadSpec(file);
    spec.dir = config_dir;
    ScaleRole(spec, "client", args.clients);
  } else {
    spec = LoadSpec(args.spec, args.defaults.empty()
                                   ? std::filesystem::path()
                                   : std::filesystem::absolute(args.defaults));
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

ScenarioRunOptions CliScenarioOptions(const std::string& defaults,
                                      std::chrono::milliseconds grace) {
  ScenarioRunOptions options;
  options.grace = grace;
  options.bin_dirs = {ExecutableDir()};
  options.chancho_cli = ExecutableDir() / "chancho";
  if (!defaults.empty()) options.defaults = std::filesystem::absolute(defaults);
  return options;
}

CLI::Option* AddScenarioDefaultsOption(CLI::App* command, std::string& defaults) {
  return command
      ->add_option("--defaults", defaults,
                   "a service-defaults file for the scenario's spec, instead "
                   "of the scenario's (or the spec's) \"defaults\"")
      ->check(CLI::ExistingFile);
}

CLI::Option* AddRunOption(CLI::App* command, std::string& run) {
  return command->add_option("--run", run,
                      "run directory (default: $CHANCHO_RUN_DIR, else the "
                      "newest live run under .chancho/runs)");
}

bool RunIsLive(const std::filesystem::path& run_dir) {
  if (!std::filesystem::exists(run_dir / "control")) return false;
  try {
    ControlRequest(ControlName(run_dir), "info", std::chrono::seconds(2));
    return true;
  } catch (const Error&) {
    return false;  // a run whose supervisor died: its control file is stale
  }
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
    if (RunIsLive(candidate)) return std::filesystem::absolute(candidate);
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
