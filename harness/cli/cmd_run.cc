// chancho run SCENARIO.json | --replay record.json: brings the system up,
// applies the scenario's faults on schedule while its clients run, waits
// for the clients (bounded), compares their results with known-good, brings
// everything down and writes record.json in the run directory. Exit 0 only
// when every client exited 0 and every result matches.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"
#include "harness/compare/compare.h"
#include "harness/compare/report.h"
#include "harness/deploy/deployment.h"
#include "harness/faults/fault_runner.h"
#include "harness/faults/scenario.h"
#include "harness/faults/trigger_watch.h"
#include "harness/record/record.h"
#include "harness/runtime/docker_runtime.h"
#include "harness/runtime/process_runtime.h"
#include "harness/runtime/run_dir.h"

extern char** environ;

namespace chancho::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct RunArgs {
  std::string scenario;
  std::string replay;
  std::optional<std::uint64_t> seed;
  bool no_faults = false;
  std::string runtime;  // overrides the scenario's (and a replayed record's)
  std::string runs_root = ".chancho/runs";
  long grace_ms = 5000;
};

milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

// Runs one setup step unless what it creates exists; the program is looked
// up beside chancho first, then on PATH. Its output goes to `log`.
void RunSetup(const SetupStep& step, const Scenario& s, const fs::path& log) {
  const std::string creates = ExpandPlaceholders(step.creates, s);
  if (!creates.empty() && fs::exists(creates)) return;
  std::vector<std::string> args;
  for (const auto& a : step.command) args.push_back(ExpandPlaceholders(a, s));
  if (args[0].find('/') == std::string::npos &&
      fs::exists(ExecutableDir() / args[0])) {
    args[0] = (ExecutableDir() / args[0]).string();
  }
  fs::create_directories(log.parent_path());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int error =
      posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  if (error != 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    throw Error("setup step '" + args[0] + "' failed; see " + log.string());
  }
  std::cout << "action: setup | result: success | command: " << args[0]
            << std::endl;
}

// The clients' replica names: the scenario's list, or every replica of role
// client.
std::vector<std::string> ClientNames(const Scenario& s, const Deployment& d) {
  if (!s.clients.empty()) return s.clients;
  std::vector<std::string> clients;
  for (const auto& r : d.replicas) {
    if (r.role == "client") clients.push_back(r.name);
  }
  return clients;
}

// On either runtime the clients are held back at Up() (created, not
// started) and started when the fault clock starts, so that the plan's
// offsets count from their start.
std::unique_ptr<Runtime> MakeRuntime(const Scenario& s, const Spec& spec,
                                     const RunArgs& args,
                                     const std::vector<FaultEvent>& plan) {
  const std::vector<ProxiedLink> links = PlanLinks(s, plan);
  if (s.runtime == "docker") {
    DockerRuntimeOptions options;
    options.runs_root = args.runs_root;
    options.links = links;
    const Deployment deployment = Plan(spec);
    for (const auto& name : ClientNames(s, deployment)) options.held.insert(name);
    return std::make_unique<DockerRuntime>(deployment, options);
  }
  ProcessRuntimeOptions options;
  options.runs_root = args.runs_root;
  options.bin_dirs = {ExecutableDir()};
  options.environment["CHANCHO_CLI"] = (ExecutableDir() / "chancho").string();
  options.links = links;
  const Deployment deployment = Plan(spec);
  for (const auto& name : ClientNames(s, deployment)) options.held.insert(name);
  return std::make_unique<ProcessRuntime>(deployment, options);
}

// Records every change of state, pid or start count, every 20 ms.
class Monitor {
 public:
  Monitor(Runtime& runtime, Clock::time_point start)
      : runtime_(runtime), start_(start), thread_([this] { Run(); }) {}
  ~Monitor() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  const std::vector<StateChange>& changes() const { return changes_; }

 private:
  // The last round comes after Stop(), so that the states the run ended
  // with (the clients' exits) are recorded too.
  void Run() {
    std::map<std::string, StateChange> last;
    for (bool stopping = false; !stopping;) {
      stopping = stop_;
      for (const auto& s : runtime_.Ps()) {
        StateChange c{Since(start_), s.name, s.state, s.pid, s.starts, s.ready};
        auto& prev = last[s.name];
        if (prev.replica.empty() || prev.state != c.state || prev.pid != c.pid ||
            prev.starts != c.starts || prev.ready != c.ready) {
          changes_.push_back(c);
          prev = c;
        }
      }
      if (!stopping) std::this_thread::sleep_for(milliseconds(20));
    }
  }

  Runtime& runtime_;
  const Clock::time_point start_;
  std::atomic<bool> stop_{false};
  std::vector<StateChange> changes_;
  std::thread thread_;
};

int Run(const RunArgs& args) {
  RunRecord record;
  std::optional<RunRecord> replayed;
  if (!args.replay.empty()) {
    replayed = LoadRecord(args.replay);
    record.scenario_file = replayed->scenario_file;
  } else {
    record.scenario_file = fs::absolute(args.scenario).string();
  }
  Scenario scenario = LoadScenario(record.scenario_file);
  if (!args.runtime.empty()) {
    scenario.runtime = args.runtime;
  } else if (replayed && !replayed->runtime.empty()) {
    scenario.runtime = replayed->runtime;
  }
  record.scenario_name = scenario.name;
  record.runtime = scenario.runtime;
  for (const auto& step : scenario.setup) {
    RunSetup(step, scenario, fs::path(".chancho") / "cache" / "setup.log");
  }
  const Spec spec = ScenarioSpec(scenario);
  record.seed = replayed       ? replayed->seed
                : args.seed    ? *args.seed
                : scenario.seed ? *scenario.seed
                                : std::random_device{}();
  if (!args.no_faults) {
    record.plan = replayed ? replayed->plan
                           : BuildPlan(scenario, PlannedReplicas(spec), record.seed);
  }
  std::cout << "action: plan | result: success | scenario: " << scenario.name
            << " | seed: " << record.seed << " | events: " << record.plan.size()
            << (replayed ? " | replay: " + args.replay : "") << std::endl;

  std::unique_ptr<Runtime> runtime =
      MakeRuntime(scenario, spec, args, record.plan);
  record.run_dir = runtime->run_dir().string();
  const std::vector<std::string> clients =
      ClientNames(scenario, runtime->deployment());
  const fs::path record_path = runtime->run_dir() / "record.json";
  const auto finish = [&](const std::string& verdict) {
    record.verdict = verdict;
    WriteFileAtomically(record_path, RecordToJson(record));
    std::cout << "action: run | result: "
              << (record.exit_code == 0 ? "success" : "fail")
              << " | verdict: " << verdict << " | faults: " << record.faults.size()
              << " | revivals: " << record.revivals()
              << " | record: " << record_path.string() << std::endl;
    return record.exit_code;
  };
  try {
    runtime->Up();
  } catch (const Error& e) {
    runtime->Down(milliseconds(args.grace_ms));
    return finish(std::string("error: ") + e.what());
  }
  std::cout << "action: up | result: success | run: " << record.run_dir
            << std::endl;

  const auto start = Clock::now();
  Monitor monitor(*runtime, start);
  auto target = MakeRuntimeTarget(*runtime);
  auto view = MakeRuntimeView(*runtime);
  TriggerWatch watch(*view, PlanTriggers(record.plan), start);
  FaultRunner runner(
      *target, record.plan,
      [](const FaultOutcome& o) {
        std::cout << "action: fault | result: "
                  << (o.took_effect ? "success" : "fail") << " | kind: "
                  << ToString(o.kind) << " | target: " << o.target
                  << " | event: " << o.event << " | trigger: " << o.trigger
                  << " | triggered_ms: " << o.triggered.count()
                  << " | planned_ms: " << o.planned.count()
                  << " | actual_ms: " << o.actual.count()
                  << " | detail: " << o.detail << std::endl;
      },
      &watch);
  runner.Start(start);
  for (const auto& name : clients) {
    if (runtime->Status(name).state == ReplicaState::kCreated) runtime->Start(name);
  }

  bool clients_ok = true;
  for (const auto& name : clients) {
    const auto left = scenario.clients_timeout - Since(start);
    const auto status =
        runtime->WaitExit(name, std::max(milliseconds(0), left));
    ClientCompletion c{name, std::nullopt, Since(start)};
    if (status) c.exit_code = status->exit_code;
    clients_ok &= c.exit_code == 0;
    std::cout << "action: client_done | result: "
              << (c.exit_code == 0 ? "success" : "fail") << " | client: " << name
              << " | exit_code: "
              << (c.exit_code ? std::to_string(*c.exit_code) : "none")
              << " | seconds: " << c.at.count() / 1000.0 << std::endl;
    record.clients.push_back(c);
  }
  // The watch first: its last round sees the clients' exits, so that a
  // loop that runs until they are done is cancelled, not cut short.
  watch.Stop();
  runner.Stop();
  runner.Join();
  monitor.Stop();
  record.triggers = watch.Reports();
  record.unapplied = runner.unapplied();
  // A fault whose trigger never fired did not test what the scenario says.
  std::vector<std::string> never_fired;
  for (const auto& u : record.unapplied) {
    if (u.why == UnappliedEvent::Why::kTriggerNeverFired &&
        std::find(never_fired.begin(), never_fired.end(), u.detail) ==
            never_fired.end()) {
      never_fired.push_back(u.detail);
      std::cout << "action: trigger | result: fail | event: " << u.event
                << " | detail: " << u.detail << std::endl;
    }
  }
  // Every network fault is healed at the end of the run, whatever its
  // duration said.
  record.links = runtime->Links();
  for (const auto& link : record.links) {
    runtime->SetLinkFault(link.replica, DirectedLinkFault{});
  }
  record.faults = runner.outcomes();
  record.changes = monitor.changes();
  runtime->Down(milliseconds(args.grace_ms));

  std::string verdict = "mismatch";
  try {
    const DirComparison comparison =
        CompareDirs(runtime->run_dir() / "results", scenario.known_good);
    record.comparison_json = JsonReport(comparison);
    std::cout << TextReport(comparison);
    if (comparison.AllMatch()) verdict = "match";
  } catch (const Error& e) {
    verdict = std::string("error: ") + e.what();
  }
  record.exit_code =
      (clients_ok && verdict == "match" && never_fired.empty()) ? 0 : 1;
  for (const auto& what : never_fired) {
    verdict = verdict == "match" ? what : verdict + "; " + what;
  }
  return finish(verdict);
}

}  // namespace

void AddRunCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run a reproducible fault scenario: up, clients, faults on schedule, "
      "compare with known-good, down; writes record.json in the run "
      "directory. Exit 0 only when every client's results match.");
  cmd->add_option("scenario", args->scenario, "scenario JSON file");
  cmd->add_option("--replay", args->replay,
                  "re-apply the fault timeline of a record.json");
  cmd->add_option("--seed", args->seed, "override the scenario's seed");
  cmd->add_flag("--no-faults", args->no_faults,
                "run the scenario without its faults (a fault-free baseline)");
  cmd->add_option("--runtime", args->runtime,
                  "run on this runtime instead of the scenario's (a replay "
                  "keeps the recorded one)")
      ->check(CLI::IsMember({"process", "docker"}));
  cmd->add_option("--runs-root", args->runs_root, "where run directories go")
      ->capture_default_str();
  cmd->add_option("--grace", args->grace_ms,
                  "ms between SIGTERM and SIGKILL when bringing it down")
      ->capture_default_str();
  cmd->callback([args, &exit_code] {
    if (args->scenario.empty() == args->replay.empty()) {
      throw Error("run: give a scenario file or --replay record.json (one of them)");
    }
    exit_code = Run(*args);
  });
}

}  // namespace chancho::cli
