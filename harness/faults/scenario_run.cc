#include "harness/faults/scenario_run.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "common/subprocess.h"
#include "harness/compare/compare.h"
#include "harness/compare/report.h"
#include "harness/deploy/deployment.h"
#include "harness/faults/fault_runner.h"
#include "harness/faults/run_monitor.h"
#include "harness/faults/trigger_watch.h"
#include "harness/runtime/docker/docker_runtime.h"
#include "harness/runtime/process/process_runtime.h"
#include "harness/record/report_html.h"
#include "harness/runtime/run_dir.h"

extern char** environ;

namespace chancho {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

// One line to the progress stream, when there is one.
class ProgressOut {
 public:
  explicit ProgressOut(std::ostream* out) : out_(out) {}
  template <typename... Parts>
  void Line(const Parts&... parts) {
    if (!out_) return;
    std::ostringstream line;
    (line << ... << parts);
    *out_ << line.str() << std::endl;
  }
  void Text(const std::string& text) {
    if (out_) *out_ << text << std::flush;
  }

 private:
  std::ostream* out_;
};

// Runs one setup step unless what it creates exists; the program is looked
// up in `bin_dirs` first, then on PATH. Its output goes to `log`.
void RunSetup(const SetupStep& step, const Scenario& s,
              const std::vector<fs::path>& bin_dirs, const fs::path& log,
              ProgressOut& progress) {
  const std::string creates = ExpandPlaceholders(step.creates, s);
  if (!creates.empty() && fs::exists(creates)) return;
  std::vector<std::string> args;
  for (const auto& a : step.command) args.push_back(ExpandPlaceholders(a, s));
  if (args[0].find('/') == std::string::npos) {
    for (const auto& dir : bin_dirs) {
      if (fs::exists(dir / args[0])) {
        args[0] = (dir / args[0]).string();
        break;
      }
    }
  }
  fs::create_directories(log.parent_path());
  // A setup step makes data (a dataset, a generated file): bounded, but
  // generously.
  BackgroundCommand step_command(args, log);
  if (!step_command.Wait(std::chrono::minutes(30))) {
    throw Error("setup step '" + args[0] +
                "' did not finish within 30 minutes; see " + log.string());
  }
  if (step_command.ExitCode() != 0) {
    throw Error("setup step '" + args[0] + "' failed; see " + log.string());
  }
  progress.Line("action: setup | result: success | command: ", args[0]);
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
std::unique_ptr<Runtime> MakeScenarioRuntime(
    const Scenario& s, const Spec& spec, const ScenarioRunOptions& o,
    const std::vector<FaultEvent>& plan) {
  const auto kind = ParseRuntimeKind(s.runtime);
  if (!kind) throw Error("unknown runtime \"" + s.runtime + "\"");
  if (!s.compose.empty() && *kind != RuntimeKind::kDocker) {
    throw Error(s.compose.string() + ": a compose file runs on the Docker "
                "runtime, not on " + s.runtime);
  }
  Deployment deployment = ScenarioDeployment(s, spec);
  const std::vector<std::string> clients = ClientNames(s, deployment);
  RuntimeOptions options;
  options.runs_root = o.runs_root;
  options.bin_dirs = o.bin_dirs;
  if (!o.chancho_cli.empty()) {
    options.environment["CHANCHO_CLI"] = o.chancho_cli.string();
    options.address_shim = AddressShimBeside(o.chancho_cli);
  }
  options.links = PlanLinks(s, plan);
  options.held.insert(clients.begin(), clients.end());
  return MakeRuntime(*kind, std::move(deployment), std::move(options));
}

// Now in UTC, ISO 8601, to the second.
std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

void PrintOutcome(ProgressOut& progress, const FaultOutcome& o) {
  progress.Line("action: fault | result: ", o.took_effect ? "success" : "fail",
                " | kind: ", ToString(o.kind), " | target: ", o.target,
                " | event: ", o.event, " | trigger: ", o.trigger,
                " | triggered_ms: ", o.triggered.count(),
                " | planned_ms: ", o.planned.count(),
                " | actual_ms: ", o.actual.count(), " | detail: ", o.detail);
}

}  // namespace

ScenarioRun::ScenarioRun(Scenario scenario, ScenarioRunOptions options,
                         RunRecord record)
    : scenario_(std::move(scenario)),
      options_(std::move(options)),
      record_(std::move(record)) {}

ScenarioRun ScenarioRun::FromScenario(const fs::path& file,
                                      ScenarioRunOptions options) {
  Scenario scenario = LoadScenario(file, options.cache_dir);
  if (!options.runtime.empty()) scenario.runtime = options.runtime;
  if (!options.defaults.empty()) scenario.defaults = options.defaults;
  RunRecord record;
  record.scenario_file = fs::absolute(file).string();
  record.seed = options.seed      ? *options.seed
                : scenario.seed   ? *scenario.seed
                                  : std::random_device{}();
  ScenarioRun run(std::move(scenario), std::move(options), std::move(record));
  run.Prepare(nullptr);
  return run;
}

ScenarioRun ScenarioRun::FromRecord(const fs::path& file,
                                    ScenarioRunOptions options) {
  const RunRecord replayed = LoadRecord(file);
  Scenario scenario = LoadScenario(replayed.scenario_file, options.cache_dir);
  if (!options.defaults.empty()) scenario.defaults = options.defaults;
  if (!options.runtime.empty()) {
    scenario.runtime = options.runtime;
  } else if (!replayed.runtime.empty()) {
    scenario.runtime = replayed.runtime;
  }
  RunRecord record;
  record.scenario_file = replayed.scenario_file;
  record.seed = replayed.seed;
  ScenarioRun run(std::move(scenario), std::move(options), std::move(record));
  run.replay_ = file;
  run.Prepare(&replayed.plan);
  return run;
}

void ScenarioRun::Prepare(const std::vector<FaultEvent>* recorded) {
  ProgressOut progress(options_.progress);
  record_.scenario_name = scenario_.name;
  record_.runtime = scenario_.runtime;
  const fs::path log = scenario_.cache_dir / "setup.log";
  for (const auto& step : scenario_.setup) {
    RunSetup(step, scenario_, options_.bin_dirs, log, progress);
  }
  spec_ = ScenarioSpec(scenario_);
  if (options_.plan) {
    record_.plan = *options_.plan;
  } else if (!options_.no_faults) {
    record_.plan = recorded ? *recorded
                            : BuildPlan(scenario_, PlannedReplicas(spec_), record_.seed,
                                        ScenarioExclusions(scenario_, Plan(spec_)));
  }
}

RunRecord ScenarioRun::Run() {
  ProgressOut progress(options_.progress);
  RunRecord record = record_;
  progress.Line("action: plan | result: success | scenario: ", scenario_.name,
                " | seed: ", record.seed, " | events: ", record.plan.size(),
                replay_.empty() ? "" : " | replay: " + replay_.string());

  std::unique_ptr<Runtime> runtime =
      MakeScenarioRuntime(scenario_, spec_, options_, record.plan);
  record.run_dir = runtime->run_dir().string();
  record.spec = (scenario_.compose.empty() ? scenario_.spec : scenario_.compose).string();
  record.started_at = UtcNow();
  const std::vector<std::string> clients =
      ClientNames(scenario_, runtime->deployment());
  for (const auto& r : runtime->deployment().replicas) {
    record.replicas.push_back(
        {r.name, r.service,
         std::find(clients.begin(), clients.end(), r.name) != clients.end()});
  }
  const fs::path record_path = runtime->run_dir() / "record.json";
  const fs::path report_path = runtime->run_dir() / "report.html";
  auto view = MakeRuntimeView(*runtime);
  RunMonitor monitor(*view, clients, static_cast<int>(record.plan.size()),
                     options_.status);
  const auto began = Clock::now();
  const auto finish = [&](const std::string& verdict) {
    record.verdict = verdict;
    record.duration = Since(began) - record.up_duration;
    const std::string json = RecordToJson(record);
    WriteFileAtomically(record_path, json);
    WriteFileAtomically(report_path, ReportHtml(json));
    progress.Line("action: run | result: ", record.exit_code == 0 ? "success" : "fail",
                  " | verdict: ", verdict, " | faults: ", record.faults.size(),
                  " | revivals: ", record.revivals(),
                  " | report: ", report_path.string(),
                  " | record: ", record_path.string());
    return record;
  };
  try {
    runtime->Up();
  } catch (const Error& e) {
    record.up_duration = Since(began);
    monitor.SetZero(Clock::now());
    monitor.Stop();
    record.changes = monitor.changes();
    runtime->Down(options_.grace);
    return finish(std::string("error: ") + e.what());
  }
  record.up_duration = Since(began);
  progress.Line("action: up | result: success | run: ", record.run_dir);

  const auto start = Clock::now();
  monitor.SetZero(start);
  monitor.SetPhase("running");
  auto target = MakeRuntimeTarget(*runtime);
  TriggerWatch watch(*view, PlanTriggers(record.plan), start);
  FaultRunner runner(
      *target, record.plan,
      [&progress, &monitor](const FaultOutcome& o) {
        monitor.FaultApplied();
        PrintOutcome(progress, o);
      },
      &watch);
  runner.Start(start);
  for (const auto& name : clients) {
    if (runtime->Status(name).state == ReplicaState::kCreated) runtime->Start(name);
  }

  bool clients_ok = true;
  for (const auto& name : clients) {
    const auto left = scenario_.clients_timeout - Since(start);
    const auto status = runtime->WaitExit(name, std::max(milliseconds(0), left));
    ClientCompletion c{name, std::nullopt, Since(start)};
    if (status) c.exit_code = status->exit_code;
    clients_ok &= c.exit_code == 0;
    progress.Line("action: client_done | result: ",
                  c.exit_code == 0 ? "success" : "fail", " | client: ", name,
                  " | exit_code: ",
                  c.exit_code ? std::to_string(*c.exit_code) : "none",
                  " | seconds: ", c.at.count() / 1000.0);
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
      progress.Line("action: trigger | result: fail | event: ", u.event,
                    " | detail: ", u.detail);
    }
  }
  // Every network fault is healed at the end of the run, whatever its
  // duration said.
  record.links = runtime->Links();
  for (const auto& link : record.links) {
    runtime->SetLinkFault(link.replica, DirectedLinkFault{});
  }
  record.faults = runner.outcomes();
  monitor.Stop();
  record.changes = monitor.changes();
  record.progress = monitor.progress();
  runtime->Down(options_.grace);

  std::string verdict = "mismatch";
  try {
    const DirComparison comparison =
        CompareDirs(runtime->run_dir() / "results", scenario_.known_good);
    record.comparison_json = JsonReport(comparison);
    progress.Text(TextReport(comparison));
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

}  // namespace chancho
