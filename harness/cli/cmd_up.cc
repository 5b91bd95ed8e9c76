#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include "common/subprocess.h"
#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"
#include "harness/cli/status_display.h"
#include "harness/faults/run_monitor.h"
#include "harness/faults/trigger_watch.h"
#include "harness/compose/compose_import.h"
#include "harness/deploy/deployment.h"
#include "harness/runtime/control/control.h"
#include "harness/runtime/control/control_commands.h"
#include "harness/runtime/docker/docker_runtime.h"
#include "harness/faults/scenario.h"
#include "harness/faults/targeting.h"
#include "harness/runtime/process/process_runtime.h"
#include "harness/runtime/run_dir.h"
#include "harness/toxiproxy/http_api_server.h"
#include "harness/toxiproxy/toxiproxy_api.h"

namespace chancho::cli {
namespace {

struct UpArgs {
  SpecArgs spec;
  std::string runs_root = ".chancho/runs";
  std::string run_dir;  // set for the supervisor of --detach
  bool detach = false;
  bool supervised = false;
  std::chrono::milliseconds grace{10000};
  std::string runtime = "process";
  std::vector<std::string> links;  // SELECTOR=UPSTREAM:PORT
  std::string compose_file;        // -f: a compose file of the user's
  std::vector<std::string> profiles;
  std::string api;  // ADDRESS:PORT of the Toxiproxy-compatible API
  bool api_any_address = false;
  bool plain = false;
  bool quiet = false;
};

// --api ADDRESS:PORT -> the address and port; off loopback only with
// --api-any-address.
std::pair<std::string, std::uint16_t> ParseApiAddress(const UpArgs& args) {
  const auto colon = args.api.rfind(':');
  unsigned port = 0;
  const char* begin = args.api.data() + (colon == std::string::npos ? 0 : colon + 1);
  const char* end = args.api.data() + args.api.size();
  const auto [ptr, ec] = std::from_chars(begin, end, port);
  if (colon == std::string::npos || ec != std::errc() || ptr != end ||
      port > 65535) {
    throw Error("--api " + args.api + ": expected ADDRESS:PORT, e.g. 127.0.0.1:8474");
  }
  std::string ip = args.api.substr(0, colon);
  if (ip.empty() || ip == "localhost") ip = "127.0.0.1";
  if (!args.api_any_address && !ip.starts_with("127.")) {
    throw Error("--api " + args.api + ": the API gives control of the run's "
                "network to whoever reaches it; it listens on loopback "
                "(127.0.0.0/8) unless you add --api-any-address");
  }
  return {ip, static_cast<std::uint16_t>(port)};
}

// The Toxiproxy-compatible API of a run that is up, over its links.
struct RunApi {
  std::unique_ptr<ToxiproxyApi> api;
  std::unique_ptr<HttpApiServer> server;
  std::string url;
};

RunApi StartApi(const UpArgs& args, Runtime& runtime) {
  RunApi run;
  if (args.api.empty()) return run;
  const auto [ip, port] = ParseApiAddress(args);
  std::vector<ServedProxy> served;
  for (const auto& link : runtime.LinkProxies()) {
    served.push_back({link.name, link.upstream, link.proxy});
  }
  ToxiproxyApiOptions options;
  options.allow_any_listen = args.api_any_address;
  run.api = std::make_unique<ToxiproxyApi>(std::move(served), options);
  ToxiproxyApi* api = run.api.get();
  run.server = std::make_unique<HttpApiServer>(
      ip, port, [api](const ApiRequest& request) { return api->Handle(request); });
  run.url = "http://" + ip + ":" + std::to_string(run.server->port());
  WriteFileAtomically(runtime.run_dir() / "api", run.url + "\n");
  return run;
}

// What `up` still prints with --quiet: whether the system came up, and
// that it went down.
const std::vector<std::string> kUpVerdicts = {
    "action: up | result: success", "action: up | result: fail",
    "action: down | result: success"};

StatusDisplay MakeDisplay(const UpArgs& args) {
  return StatusDisplay(std::cout,
                       ChooseOutputMode(args.plain, args.quiet, STDOUT_FILENO),
                       kUpVerdicts);
}

// Several lines (a status table) through the display.
void Print(StatusDisplay& display, const std::string& text) {
  std::size_t begin = 0;
  for (std::size_t end; (end = text.find('\n', begin)) != std::string::npos;
       begin = end + 1) {
    display.Line(text.substr(begin, end - begin));
  }
  if (begin < text.size()) display.Line(text.substr(begin));
}

// What `up` runs: a spec's plan, or a compose file of the user's as it is.
struct UpSystem {
  Spec spec;
  Deployment deployment;
};

UpSystem LoadSystem(const UpArgs& args) {
  if (args.compose_file.empty()) {
    if (args.spec.spec.empty()) {
      throw Error("give a spec (compose-spec.json, or tp0) or -f "
                  "docker-compose.yaml");
    }
    Spec spec = LoadSpecArgument(args.spec);
    Deployment deployment = Plan(spec);
    return {std::move(spec), std::move(deployment)};
  }
  if (!args.spec.spec.empty()) {
    throw Error("give a spec or -f docker-compose.yaml, not both");
  }
  if (args.runtime != "docker") {
    throw Error("-f runs a compose file on the Docker runtime "
                "(--runtime docker); a spec runs on either");
  }
  ComposeImportOptions options;
  options.profiles = args.profiles;
  ImportedCompose imported = ImportCompose(args.compose_file, options);
  for (const std::string& warning : imported.spec.warnings) {
    std::cerr << "warning: " << warning << "\n";
  }
  Deployment deployment = PlanImported(imported);
  return {std::move(imported.spec), std::move(deployment)};
}

// "SELECTOR=UPSTREAM:PORT" -> a proxied link from every replica the
// selector names (exclusions do not apply) to UPSTREAM.
std::vector<ProxiedLink> ParseLinkOptions(const std::vector<std::string>& options,
                                          const Spec& spec) {
  std::vector<ProxiedLink> links;
  const auto replicas = PlannedReplicas(spec);
  for (const std::string& text : options) {
    const auto eq = text.rfind('=');
    const auto colon = text.rfind(':');
    if (eq == std::string::npos || colon == std::string::npos || colon < eq) {
      throw Error("--link " + text + ": expected SELECTOR=UPSTREAM:PORT");
    }
    int port = 0;
    const std::string port_text = text.substr(colon + 1);
    const auto [end, ec] = std::from_chars(
        port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size()) {
      throw Error("--link " + text + ": the port is not a number");
    }
    std::mt19937_64 unused;
    Exclusions none;
    none.roles.clear();
  
    for (const std::string& replica :
         Select(ParseSelector(text.substr(0, eq)), replicas, none, unused)) {
      links.push_back({replica, text.substr(eq + 1, colon - eq - 1), port});
    }
  }
  return links;
}

// A runtime of the kind the user chose, with its control socket, so that
// `chancho ps/ctl/down` work the same on both.
struct RunningSystem {
  std::unique_ptr<Runtime> runtime;
};

RunningSystem MakeSystem(const UpArgs& args, const UpSystem& up,
                         std::atomic<bool>& down_requested) {
  const Spec& spec = up.spec;
  RuntimeOptions options;
  options.runs_root = args.runs_root;
  options.run_dir = args.run_dir;
  options.bin_dirs = {ExecutableDir()};
  options.address_shim = AddressShimBeside(ExecutableDir() / "chancho");
  options.environment["CHANCHO_CLI"] = (ExecutableDir() / "chancho").string();
  options.links = ParseLinkOptions(args.links, spec);
  const auto kind = ParseRuntimeKind(args.runtime);
  if (!kind) throw Error("unknown runtime \"" + args.runtime + "\"");
  RunningSystem system{MakeRuntime(*kind, up.deployment, options)};
  system.runtime->OnDownRequest([&down_requested] { down_requested = true; });
  return system;
}

// Docker replicas are reached from the host by their container address;
// the hosts file gives `chancho probe` and the scripts the same names as on
// ProcessRuntime.
void WriteDockerHostsFile(Runtime& runtime) {
  std::string hosts = "# Container addresses of run " +
                      runtime.run_dir().filename().string() + "\n";
  for (const ReplicaStatus& s : runtime.Ps()) {
    if (!s.address.empty()) hosts += s.address + " " + s.name + "\n";
  }
  WriteFileAtomically(runtime.run_dir() / "hosts", hosts);
}

// Runs the system until SIGINT/SIGTERM/SIGHUP or a `down` request, then
// brings it down. Used in the foreground and by the detached supervisor.
int RunInForeground(const UpArgs& args, const UpSystem& spec) {
  // Blocked before any thread starts, so every thread inherits the mask and
  // the signals wait for sigtimedwait below. Children get a clean mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::atomic<bool> down_requested = false;
  RunningSystem system = MakeSystem(args, spec, down_requested);
  Runtime& runtime = *system.runtime;
  StatusDisplay display = MakeDisplay(args);
  display.Line("action: up | result: in_progress | project: " +
               runtime.deployment().project +
               " | replicas: " + std::to_string(runtime.deployment().replicas.size()) +
               " | run: " + runtime.run_dir().string());
  auto view = MakeRuntimeView(runtime);
  RunMonitor monitor(*view, {}, 0,
                     [&display](const RunStatus& status) { display.Update(status); });
  try {
    runtime.Up();
  } catch (const Error& e) {
    monitor.Stop();
    display.Line(std::string("action: up | result: fail | error: ") + e.what());
    Print(display, FormatStatusTable(runtime.Ps()));
    runtime.Down(args.grace);
    std::filesystem::remove(runtime.run_dir() / "control");
    return 1;
  }
  monitor.Stop();
  if (args.runtime == "docker") WriteDockerHostsFile(runtime);
  RunApi api;
  try {
    api = StartApi(args, runtime);
  } catch (const Error& e) {
    display.Line(std::string("action: up | result: fail | error: ") + e.what());
    runtime.Down(args.grace);
    std::filesystem::remove(runtime.run_dir() / "control");
    return 1;
  }
  WriteFileAtomically(runtime.run_dir() / "up", std::to_string(::getpid()) + "\n");
  Print(display, FormatStatusTable(runtime.Ps()));
  display.Line("action: up | result: success | run: " + runtime.run_dir().string());
  if (api.server) {
    display.Line("Toxiproxy API: " + api.url + " (" +
                 std::to_string(runtime.LinkProxies().size()) + " links)");
  }
  if (!args.supervised) display.Line("Ctrl-C brings the system down gracefully.");
  int received = 0;
  while (!down_requested) {
    timespec tick{0, 100'000'000};
    received = sigtimedwait(&signals, nullptr, &tick);
    if (received > 0) break;
  }
  std::filesystem::remove(runtime.run_dir() / "up");
  // The API's proxies go before the runtime's links do.
  api.server.reset();
  api.api.reset();
  std::filesystem::remove(runtime.run_dir() / "api");
  if (!down_requested) {
    display.Line(std::string("action: down | result: in_progress | signal: ") +
                 SignalName(received));
    runtime.Down(args.grace);
  }
  Print(display, FormatStatusTable(runtime.Ps()));
  display.Line("action: down | result: success");
  std::filesystem::remove(runtime.run_dir() / "control");
  return 0;
}

// What a detached `up` says when its supervisor exited first, with the
// supervisor's log `text`: its own failure once, and nothing after it. A
// run that failed to come up has said so in its log ("action: up | result:
// fail", and the status table): the log, and nullopt. A supervisor that
// failed before that ends its log with "chancho: error: ...": the lines
// before it, and that error. Otherwise the log, and a line saying that it
// exited.
std::optional<std::string> SupervisorFailure(const std::string& text,
                                             const std::filesystem::path& log) {
  if (text.find("action: up | result: fail") != std::string::npos) {
    std::cerr << text;
    return std::nullopt;
  }
  constexpr std::string_view kPrefix = "chancho: error: ";
  std::string_view rest = text;
  while (!rest.empty() && rest.back() == '\n') rest.remove_suffix(1);
  const std::size_t start = rest.rfind('\n') + 1;  // 0 when one line
  const std::string_view last = rest.substr(start);
  if (!last.starts_with(kPrefix)) {
    std::cerr << text;
    return "the supervisor exited before the system was up; see " +
           log.string();
  }
  std::cerr << rest.substr(0, start);
  return std::string(last.substr(kPrefix.size())) + " (the supervisor's log: " +
         log.string() + ")";
}

// Starts a supervisor (this executable, `up --supervised`) in a session of
// its own, waits until it reports the system up or fails, and returns.
int Detach(const UpArgs& args) {
  const auto run_dir = CreateRunDir(args.runs_root, std::random_device{}());
  const auto log = run_dir / "supervisor.log";
  std::vector<std::string> argv = {
      (ExecutableDir() / "chancho").string(), "up",
      "--clients", std::to_string(args.spec.clients),
      "--run-dir", run_dir.string(), "--grace", std::to_string(args.grace.count()) + "ms",
      "--runtime", args.runtime, "--supervised"};
  if (args.compose_file.empty()) {
    argv.push_back(args.spec.spec);
  } else {
    argv.insert(argv.end(),
                {"-f", std::filesystem::absolute(args.compose_file).string()});
  }
  for (const std::string& profile : args.profiles) {
    argv.insert(argv.end(), {"--profile", profile});
  }
  if (!args.spec.tp0_dir.empty()) {
    argv.insert(argv.end(), {"--tp0-dir", args.spec.tp0_dir});
  }
  if (!args.spec.defaults.empty()) {
    argv.insert(argv.end(),
                {"--defaults",
                 std::filesystem::absolute(args.spec.defaults).string()});
  }
  for (const std::string& link : args.links) {
    argv.insert(argv.end(), {"--link", link});
  }
  if (!args.api.empty()) argv.insert(argv.end(), {"--api", args.api});
  if (args.api_any_address) argv.push_back("--api-any-address");
  // In a session of its own, so that the terminal's signals do not reach
  // it; it outlives this command once released.
  BackgroundCommand supervisor(argv, log, /*own_session=*/true);
  StatusDisplay display = MakeDisplay(args);
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::minutes(5);
  auto next_status = started;
  while (!std::filesystem::exists(run_dir / "up")) {
    // The supervisor answers `ps` on its control socket once its runtime
    // exists; until then there is nothing to show.
    if (std::chrono::steady_clock::now() >= next_status) {
      next_status = std::chrono::steady_clock::now() + std::chrono::milliseconds(250);
      try {
        display.Update(ReadinessStatus(
            StatusesFromJson(Request(run_dir, "ps")),
            std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - started)));
      } catch (const Error&) {
      }
    }
    if (!supervisor.Running()) {
      display.Finish();
      const auto failure = SupervisorFailure(ReadFile(log), log);
      if (failure) throw Error(*failure);
      return 1;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      display.Finish();
      // SIGTERM lets it take its system down; whatever is left then dies
      // with its process group.
      ::kill(supervisor.pid(), SIGTERM);
      supervisor.Wait(std::chrono::seconds(30));
      throw Error("the system was not up within 5 minutes; see " + log.string());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const int pid = supervisor.Release();
  display.Finish();
  Print(display, FormatStatusTable(StatusesFromJson(Request(run_dir, "ps"))));
  display.Line("action: up | result: success | supervisor: " + std::to_string(pid) +
               " | run: " + run_dir.string());
  if (std::filesystem::exists(run_dir / "api")) {
    std::string url = ReadFile(run_dir / "api");
    while (!url.empty() && url.back() == '\n') url.pop_back();
    display.Line("Toxiproxy API: " + url);
  }
  display.Line("Next: chancho ps | logs | ctl | down  (--run " + run_dir.string() + ")");
  return 0;
}

}  // namespace

void AddUpCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<UpArgs>();
  CLI::App* cmd = app.add_subcommand(
      "up",
      "Run a system as local processes. In the foreground, Ctrl-C brings it "
      "down gracefully; with --detach a supervisor keeps it running.");
  AddSpecOptions(cmd, args->spec);
  // Either a spec or -f.
  cmd->get_option("spec")->required(false);
  cmd->add_option("-f,--file", args->compose_file,
                  "run a docker-compose file of your own as it is (Docker "
                  "runtime; Chancho adds its labels in an override file)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--profile", args->profiles,
                  "with -f: a compose profile to activate (repeatable)");
  cmd->add_flag("-d,--detach", args->detach,
                "return once the system is up; a supervisor keeps it running");
  cmd->add_option("--runs-root", args->runs_root, "where run directories go")
      ->capture_default_str();
  AddDurationOption(cmd, "--grace", args->grace,
                    "between SIGTERM and SIGKILL when bringing it down",
                    std::chrono::milliseconds(1));
  cmd->add_option("--runtime", args->runtime,
                  "process (local processes), docker (containers; needs a "
                  "Docker engine and ci/build-images.sh) or swarm (a Swarm "
                  "stack; needs a Swarm manager, ci/swarm.sh init)")
      ->check(CLI::IsMember({"process", "docker", "swarm"}))
      ->capture_default_str();
  cmd->add_option("--link", args->links,
                  "SELECTOR=UPSTREAM:PORT: forward the selected replicas' "
                  "connections to UPSTREAM through a TCP fault proxy, for "
                  "network faults (chancho chaos: partition, delay, ...); "
                  "repeatable, e.g. --link prefix:filter-=rabbitmq:5672");
  cmd->add_option("--api", args->api,
                  "ADDRESS:PORT: serve a Toxiproxy-compatible HTTP API for "
                  "the run's links and proxies made through it, e.g. "
                  "127.0.0.1:8474 (off by default; loopback only)");
  cmd->add_flag("--api-any-address", args->api_any_address,
                "let --api listen off loopback, and the API make proxies on "
                "any address");
  AddOutputOptions(cmd, args->plain, args->quiet);
  cmd->add_option("--run-dir", args->run_dir)->group("");
  cmd->add_flag("--supervised", args->supervised)->group("");
  cmd->callback([args, cmd, &exit_code] {
    if (!args->compose_file.empty() && args->runtime == "process" &&
        cmd->count("--runtime") == 0) {
      args->runtime = "docker";  // a compose file means containers
    }
    if (!args->api.empty()) ParseApiAddress(*args);  // before anything starts
    const UpSystem system = LoadSystem(*args);
    exit_code = args->detach ? Detach(*args) : RunInForeground(*args, system);
  });
}

}  // namespace chancho::cli
