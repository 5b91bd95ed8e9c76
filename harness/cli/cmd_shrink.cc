// chancho shrink RUN_DIR|record.json: the smallest fault schedule that still
// fails. The record's faults that took effect are searched by delta
// debugging (harness/faults/shrink.h), each candidate replayed through
// ScenarioRun `--repeats` times; what it finds goes to the output
// directory (default: shrink/ beside the record):
//   minimal-scenario.json  the scenario with the minimal schedule as its
//                          events (chancho run it to see the failure again)
//   record.json, report.html  a failing run of that schedule
//   shrink.json            the figures (schema chancho.shrink/1)
// Candidate runs go to runs/ there and are removed as the search goes,
// unless --keep-runs.

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "common/error.h"
#include "common/file_text.h"
#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"
#include "harness/cli/json_out.h"
#include "harness/faults/scenario_run.h"
#include "harness/faults/shrink.h"
#include "harness/record/record.h"

namespace chancho::cli {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

struct ShrinkArgs {
  std::string record;
  std::string out;
  int repeats = 2;
  int max_runs = 200;
  milliseconds max_time{std::chrono::hours(2)};
  milliseconds grace{2000};
  bool keep_runs = false;
  bool no_time = false;
  std::string defaults;
};

std::string Secs(milliseconds ms) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << ms.count() / 1000.0;
  return out.str();
}

// "kill join-movie-ratings-2 at 3.5 s" or "... 1.0 s after log client-1 /x/".
std::string DescribeEvent(const FaultEvent& e) {
  std::string what = std::string(ToString(e.kind));
  for (const auto& t : e.targets) what += " " + t;
  what += e.trigger ? " " + Secs(e.at) + " s after " + Describe(*e.trigger)
                    : " at " + Secs(e.at) + " s";
  return what;
}

void RemoveQuietly(const fs::path& dir) {
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

int Shrink(const ShrinkArgs& args) {
  fs::path record_path = args.record;
  if (fs::is_directory(record_path)) record_path /= "record.json";
  const RunRecord failed = LoadRecord(record_path);
  if (failed.exit_code == 0) {
    throw Error(record_path.string() + ": the run passed (verdict: " + failed.verdict +
                "): there is no failure to shrink");
  }
  const std::vector<FaultEvent> applied = AppliedSchedule(failed.plan, failed.faults);
  const fs::path out = args.out.empty() ? record_path.parent_path() / "shrink" : fs::path(args.out);
  const fs::path runs = out / "runs";
  fs::create_directories(runs);
  std::cout << "action: shrink | result: start | record: " << record_path.string()
            << " | faults: " << applied.size() << " | repeats: " << args.repeats
            << " | max_runs: " << args.max_runs << " | out: " << out.string() << std::endl;

  ScenarioRunOptions options = CliScenarioOptions(args.defaults, args.grace);
  options.runs_root = runs;

  // The run directory of each schedule's last failing run, kept until the
  // search ends; passing runs go at once.
  std::map<std::string, fs::path> failing_runs;
  const auto started = std::chrono::steady_clock::now();
  const RunSchedule fails = [&](const std::vector<FaultEvent>& schedule) {
    ScenarioRunOptions o = options;
    o.plan = schedule;
    const RunRecord r = ScenarioRun::FromRecord(record_path, o).Run();
    const bool failed_now = r.exit_code != 0;
    if (failed_now) {
      auto& kept = failing_runs[ScheduleKey(schedule)];
      if (!kept.empty() && !args.keep_runs) RemoveQuietly(kept);
      kept = r.run_dir;
    } else if (!args.keep_runs && !r.run_dir.empty()) {
      RemoveQuietly(r.run_dir);
    }
    return failed_now;
  };
  ShrinkOptions shrink;
  shrink.repeats = args.repeats;
  shrink.max_runs = args.max_runs;
  shrink.max_time = args.max_time;
  shrink.shift_in_time = !args.no_time;
  const auto progress = [&](const ShrinkStep& step) {
    const auto elapsed = std::chrono::duration_cast<milliseconds>(
        std::chrono::steady_clock::now() - started);
    std::cout << "action: shrink_run | phase: " << step.phase << " | run: " << step.run
              << " | candidate: " << step.candidate << " | faults: " << step.faults
              << " | repeat: " << step.repeat << "/" << args.repeats
              << " | result: " << (step.failed ? "fail" : "pass")
              << " | seconds: " << Secs(elapsed) << std::endl;
  };
  const ShrinkResult result = ShrinkSchedule(applied, fails, shrink, progress);

  const Scenario scenario = LoadScenario(failed.scenario_file);
  const fs::path minimal_file = out / "minimal-scenario.json";
  WriteFileAtomically(minimal_file, ScenarioWithEvents(scenario, result.minimal, failed.seed));
  const auto kept = failing_runs.find(ScheduleKey(result.minimal));
  fs::path minimal_record;
  if (result.reproduced && kept != failing_runs.end()) {
    for (const char* name : {"record.json", "report.html"}) {
      if (fs::exists(kept->second / name)) {
        fs::copy_file(kept->second / name, out / name, fs::copy_options::overwrite_existing);
      }
    }
    minimal_record = out / "record.json";
  }
  if (!args.keep_runs) {
    for (const auto& [key, dir] : failing_runs) RemoveQuietly(dir);
    std::error_code ignored;
    fs::remove(runs, ignored);  // only when empty
  }

  JsonOut json("chancho.shrink/1");
  json.Field("record", record_path.string())
      .Field("reproduced", result.reproduced)
      .Field("minimal_proven", result.proven)
      .Field("stopped", result.stopped)
      .Field("faults_before", static_cast<int>(SplitTargets(applied).size()))
      .Field("faults_after", static_cast<int>(result.minimal.size()))
      .Field("candidates", result.candidates)
      .Field("runs", result.runs)
      .Field("repeats", args.repeats)
      .Field("seconds", result.elapsed.count() / 1000.0)
      .Field("scenario", minimal_file.string())
      .Field("minimal_record", minimal_record.string())
      .StartArray("minimal");
  for (const auto& e : result.minimal) json.String(DescribeEvent(e));
  json.EndArray();
  WriteFileAtomically(out / "shrink.json", json.Done());

  if (!result.reproduced) {
    std::cout << "action: shrink | result: fail | detail: the failure did not come back in "
              << args.repeats << " replays of the " << applied.size()
              << " faults that took effect: it depends on more than the schedule" << std::endl;
    return 1;
  }
  std::cout << "action: shrink | result: success | faults: " << SplitTargets(applied).size()
            << " -> " << result.minimal.size()
            << " | minimal: " << (result.proven ? "1-minimal" : "not proven (" + result.stopped + ")")
            << " | candidates: " << result.candidates << " | runs: " << result.runs
            << " | seconds: " << Secs(result.elapsed) << " | scenario: " << minimal_file.string()
            << std::endl;
  if (result.minimal.empty()) {
    std::cout << "  the run fails without any fault" << std::endl;
  }
  for (const auto& e : result.minimal) std::cout << "  " << DescribeEvent(e) << std::endl;
  return 0;
}

}  // namespace

void AddShrinkCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ShrinkArgs>();
  CLI::App* cmd = app.add_subcommand(
      "shrink",
      "Find the smallest fault schedule that still fails: delta debugging over "
      "a failed run's faults, each candidate replayed --repeats times (failing "
      "only if it fails every time); writes minimal-scenario.json, its record "
      "and shrink.json");
  cmd->add_option("record", args->record, "RUN_DIR or record.json of a failed run")
      ->required()
      ->check(CLI::ExistingPath);
  cmd->add_option("-o,--output", args->out,
                  "where the results go (default: shrink/ beside the record)");
  cmd->add_option("--repeats", args->repeats,
                  "runs per candidate; it fails only if every run fails")
      ->capture_default_str()
      ->check(CLI::Range(1, 20));
  cmd->add_option("--max-runs", args->max_runs, "stop after this many runs in all")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  AddDurationOption(cmd, "--max-time", args->max_time,
                    "stop after this long, with the smallest failing schedule so far",
                    std::chrono::seconds(1));
  AddDurationOption(cmd, "--grace", args->grace,
                    "between SIGTERM and SIGKILL when each run goes down",
                    std::chrono::milliseconds(1));
  cmd->add_flag("--no-time", args->no_time,
                "do not try to move the surviving faults earlier or later");
  cmd->add_flag("--keep-runs", args->keep_runs, "keep every candidate's run directory");
  AddScenarioDefaultsOption(cmd, args->defaults);
  cmd->callback([args, &exit_code] { exit_code = Shrink(*args); });
}

}  // namespace chancho::cli
