// chancho run SCENARIO.json | --replay record.json: a thin shell over
// ScenarioRun (harness/faults/scenario_run.h), which brings the system up,
// applies the scenario's faults on schedule or on their triggers while its
// clients run, waits for the clients (bounded), compares their results with
// known-good, brings everything down and writes record.json in the run
// directory. Exit 0 only when every client exited 0, every result matches
// and every trigger fired.

#include <unistd.h>

#include <iostream>
#include <memory>

#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"
#include "harness/cli/json_out.h"
#include "harness/cli/status_display.h"
#include "harness/faults/scenario_run.h"

namespace chancho::cli {
namespace {

struct RunArgs {
  std::string scenario;
  std::string replay;
  std::optional<std::uint64_t> seed;
  bool no_faults = false;
  std::string runtime;  // overrides the scenario's (and a replayed record's)
  std::string runs_root = ".chancho/runs";
  std::chrono::milliseconds grace{5000};
  std::string defaults;
  bool plain = false;
  bool quiet = false;
  bool json = false;
};

// chancho.run/1: what the run was and how it ended.
std::string RunJson(const RunRecord& r) {
  JsonOut out("chancho.run/1");
  const std::filesystem::path dir = r.run_dir;
  int took_effect = 0;
  for (const auto& f : r.faults) took_effect += f.took_effect ? 1 : 0;
  out.Field("scenario", r.scenario_name)
      .Field("seed", static_cast<std::uint64_t>(r.seed))
      .Field("runtime", r.runtime)
      .Field("run_dir", r.run_dir)
      .Field("record", r.run_dir.empty() ? "" : (dir / "record.json").string())
      .Field("report", r.run_dir.empty() ? "" : (dir / "report.html").string())
      .Field("verdict", r.verdict)
      .Field("exit_code", r.exit_code)
      .Field("faults", static_cast<int>(r.faults.size()))
      .Field("took_effect", took_effect)
      .Field("revivals", r.revivals())
      .StartArray("clients");
  for (const auto& c : r.clients) {
    out.StartObject().Field("name", c.name).Field("exit_code", c.exit_code).EndObject();
  }
  out.EndArray();
  return out.Done();
}

int Run(const RunArgs& args) {
  ScenarioRunOptions options = CliScenarioOptions(args.defaults, args.grace);
  options.runtime = args.runtime;
  options.seed = args.seed;
  options.no_faults = args.no_faults;
  options.runs_root = args.runs_root;
  // With --json nothing but the JSON goes to stdout.
  StatusDisplay display(
      std::cout, ChooseOutputMode(args.plain, args.quiet || args.json, STDOUT_FILENO),
      args.json ? std::vector<std::string>{} : std::vector<std::string>{"action: run |"});
  options.progress = &display.lines();
  options.status = [&display](const RunStatus& status) { display.Update(status); };
  ScenarioRun run = args.replay.empty()
                        ? ScenarioRun::FromScenario(args.scenario, options)
                        : ScenarioRun::FromRecord(args.replay, options);
  const RunRecord record = run.Run();
  display.Finish();
  if (args.json) {
    std::cout << RunJson(record);
  } else if (record.exit_code != 0 && !record.faults.empty() && !record.run_dir.empty()) {
    std::cout << "to find the faults that matter: chancho shrink "
              << (std::filesystem::path(record.run_dir) / "record.json").string()
              << std::endl;
  }
  return record.exit_code;
}

}  // namespace

void AddRunCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run a reproducible fault scenario: up, clients, faults on schedule or "
      "on their triggers, compare with known-good, down; writes record.json "
      "in the run directory. Exit 0 only when every client's results match "
      "and every trigger fired.");
  cmd->add_option("scenario", args->scenario, "scenario JSON file");
  cmd->add_option("--replay", args->replay,
                  "re-apply the fault timeline of a record.json");
  cmd->add_option("--seed", args->seed, "override the scenario's seed");
  cmd->add_flag("--no-faults", args->no_faults,
                "run the scenario without its faults (a fault-free baseline)");
  cmd->add_option("--runtime", args->runtime,
                  "run on this runtime instead of the scenario's (a replay "
                  "keeps the recorded one)")
      ->check(CLI::IsMember({"process", "docker", "swarm"}));
  cmd->add_option("--runs-root", args->runs_root, "where run directories go")
      ->capture_default_str();
  AddScenarioDefaultsOption(cmd, args->defaults);
  AddDurationOption(cmd, "--grace", args->grace,
                    "between SIGTERM and SIGKILL when bringing it down",
                    std::chrono::milliseconds(1));
  AddOutputOptions(cmd, args->plain, args->quiet);
  cmd->add_flag("--json", args->json,
                "print only a JSON summary (schema chancho.run/1) at the end");
  cmd->callback([args, &exit_code] {
    if (args->scenario.empty() == args->replay.empty()) {
      throw Error("run: give a scenario file or --replay record.json (one of them)");
    }
    exit_code = Run(*args);
  });
}

}  // namespace chancho::cli
