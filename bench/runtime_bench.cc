// ProcessRuntime figures, each beside a bare baseline measured in the same
// run: bring-up of tp0 to all-ready, and the latency from kill to observed
// exit. The baselines do the same work with plain posix_spawn/kill/waitpid
// and no harness, so the ratio is the harness's overhead.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/subprocess.h"
#include "harness/runtime/docker/docker_runtime.h"
#include "harness/runtime/process/process_runtime.h"
#include "harness/runtime/readiness.h"

extern char** environ;

namespace chancho {
namespace {

const std::filesystem::path kRuns =
    std::filesystem::temp_directory_path() / "chancho-bench-runs";

// tp0 whose clients keep running for the whole measurement.
Deployment Tp0Deployment(int clients) {
  Spec spec = LoadSpec(std::filesystem::path(CHANCHO_SOURCE_DIR) / "system" /
                       "tp0" / "compose-spec.json");
  ScaleRole(spec, "client", clients);
  for (auto& service : spec.services) {
    service.environment["CLI_LOOP_AMOUNT"] = "1000000";
    service.environment["CLI_LOOP_PERIOD"] = "1s";
  }
  return Plan(spec);
}

RuntimeOptions Options() {
  RuntimeOptions options;
  options.runs_root = kRuns;
  options.bin_dirs = {CHANCHO_BIN_DIR};
  return options;
}

// Up() to all-ready of tp0 with state.range(0) clients on a fresh runtime
// of type R each iteration; creating and removing it is not timed.
template <typename R, typename Options>
void BringUpTp0(benchmark::State& state, const Options& options) {
  const Deployment deployment = Tp0Deployment(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<R> runtime;
    try {
      runtime = std::make_unique<R>(deployment, options);
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      break;
    }
    state.ResumeTiming();
    runtime->Up();
    state.PauseTiming();
    runtime->Down(std::chrono::seconds(2));
    std::filesystem::remove_all(runtime->run_dir());
    runtime.reset();
    state.ResumeTiming();
  }
}

void BM_BringUpTp0_ProcessRuntime(benchmark::State& state) {
  BringUpTp0<ProcessRuntime>(state, Options());
}

pid_t Spawn(const std::string& program, std::vector<std::string> env,
            const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string arg0 = program;
  char* argv[] = {arg0.data(), nullptr};
  pid_t pid = 0;
  posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// The same processes, started by hand: the server on 127.0.0.1 with a hosts
// file, then the clients once its readiness line is in its log.
void BM_BringUpTp0_BareSpawn(benchmark::State& state) {
  const int clients = static_cast<int>(state.range(0));
  const auto dir = kRuns / "bare";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "hosts") << "127.0.0.1 server\n";
  const std::string bin = CHANCHO_BIN_DIR;
  const std::string tp0 = std::string(CHANCHO_SOURCE_DIR) + "/system/tp0";
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove(dir / "server.log");
    std::vector<pid_t> pids;
    state.ResumeTiming();
    pids.push_back(Spawn(bin + "/tp0-server",
                         {"CONFIG_FILE=" + tp0 + "/server/config.ini",
                          "CHANCHO_BIND_IP=127.0.0.1"},
                         (dir / "server.log").string()));
    LogLineScanner ready(dir / "server.log",
                         "action: accept_connections \\| result: in_progress");
    while (!ready.Poll()) std::this_thread::sleep_for(std::chrono::microseconds(200));
    for (int i = 1; i <= clients; ++i) {
      pids.push_back(Spawn(bin + "/tp0-client",
                           {"CONFIG_FILE=" + tp0 + "/client/config.yaml",
                            "CLI_ID=" + std::to_string(i),
                            "CLI_LOOP_AMOUNT=1000000", "CLI_LOOP_PERIOD=1s",
                            "CHANCHO_HOSTS_FILE=" + (dir / "hosts").string()},
                           "/dev/null"));
    }
    state.PauseTiming();
    for (pid_t pid : pids) ::kill(pid, SIGKILL);
    for (pid_t pid : pids) ::waitpid(pid, nullptr, 0);
    state.ResumeTiming();
  }
}

void BM_KillToExit_ProcessRuntime(benchmark::State& state) {
  ReplicaPlan plan;
  plan.name = plan.service = "victim";
  plan.command = {"sleep", "1000"};
  Deployment deployment;
  deployment.project = "bench";
  deployment.replicas = {plan};
  ProcessRuntime runtime(deployment, Options());
  runtime.Up();
  for (auto _ : state) {
    runtime.Kill("victim", SIGKILL);
    if (!runtime.WaitExit("victim", std::chrono::seconds(5))) {
      state.SkipWithError("no exit observed within 5 s");
      break;
    }
    state.PauseTiming();
    runtime.Start("victim");
    state.ResumeTiming();
  }
  runtime.Down(std::chrono::seconds(1));
  std::filesystem::remove_all(runtime.run_dir());
}

void BM_KillToExit_BareWaitpid(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    const pid_t pid = Spawn("/bin/sleep", {}, "/dev/null");
    state.ResumeTiming();
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
}

RuntimeOptions DockerRunOptions() {
  RuntimeOptions options;
  options.runs_root = kRuns;
  return options;
}

// The same bring-up in containers (images from ci/build-images.sh).
void BM_BringUpTp0_DockerRuntime(benchmark::State& state) {
  BringUpTp0<DockerRuntime>(state, DockerRunOptions());
}

// Kill -> observed exit, and start -> ready, of the tp0 server, on a
// runtime of either kind; `kill` selects which of the two is timed.
template <typename R, typename Options>
void KillAndRestartServer(benchmark::State& state, Options options,
                          bool time_kill) {
  std::unique_ptr<R> runtime;
  try {
    runtime = std::make_unique<R>(Tp0Deployment(0), options);
    runtime->Up();
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  for (auto _ : state) {
    if (!time_kill) state.PauseTiming();
    runtime->Kill("server", SIGKILL);
    if (!runtime->WaitExit("server", std::chrono::seconds(30))) {
      state.SkipWithError("no exit observed within 30 s");
      break;
    }
    if (time_kill) {
      state.PauseTiming();
    } else {
      state.ResumeTiming();
    }
    runtime->Start("server");
    if (!runtime->WaitReady("server", std::chrono::seconds(30))) {
      state.SkipWithError("server not ready within 30 s");
      break;
    }
    if (time_kill) state.ResumeTiming();
  }
  runtime->Down(std::chrono::seconds(2));
  std::filesystem::remove_all(runtime->run_dir());
}

void BM_KillToExit_ProcessRuntimeTp0(benchmark::State& state) {
  KillAndRestartServer<ProcessRuntime>(state, Options(), true);
}
void BM_KillToExit_DockerRuntimeTp0(benchmark::State& state) {
  KillAndRestartServer<DockerRuntime>(state, DockerRunOptions(), true);
}
// The baseline of BM_KillToExit_DockerRuntimeTp0: the docker CLI's own
// `docker kill -s KILL` and `docker wait` of the same container, the
// runtime restarting it between iterations (not timed).
void BM_KillToExit_DockerCliTp0(benchmark::State& state) {
  std::unique_ptr<DockerRuntime> runtime;
  try {
    runtime = std::make_unique<DockerRuntime>(Tp0Deployment(0),
                                              DockerRunOptions());
    runtime->Up();
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  const std::string container = runtime->container("server");
  for (auto _ : state) {
    RunChecked({"docker", "kill", "-s", "KILL", container},
               {std::chrono::seconds(30)});
    RunChecked({"docker", "wait", container}, {std::chrono::seconds(30)});
    state.PauseTiming();
    runtime->WaitExit("server", std::chrono::seconds(30));
    runtime->Start("server");
    runtime->WaitReady("server", std::chrono::seconds(30));
    state.ResumeTiming();
  }
  runtime->Down(std::chrono::seconds(2));
  std::filesystem::remove_all(runtime->run_dir());
}

void BM_StartToReady_ProcessRuntimeTp0(benchmark::State& state) {
  KillAndRestartServer<ProcessRuntime>(state, Options(), false);
}
void BM_StartToReady_DockerRuntimeTp0(benchmark::State& state) {
  KillAndRestartServer<DockerRuntime>(state, DockerRunOptions(), false);
}

BENCHMARK(BM_BringUpTp0_ProcessRuntime)->Arg(1)->Arg(10)->Arg(100)
    ->Unit(benchmark::kMillisecond)->Iterations(10)->UseRealTime();
BENCHMARK(BM_BringUpTp0_BareSpawn)->Arg(1)->Arg(10)->Arg(100)
    ->Unit(benchmark::kMillisecond)->Iterations(10)->UseRealTime();
BENCHMARK(BM_KillToExit_ProcessRuntime)
    ->Unit(benchmark::kMicrosecond)->Iterations(200)->UseRealTime();
BENCHMARK(BM_KillToExit_BareWaitpid)
    ->Unit(benchmark::kMicrosecond)->Iterations(200)->UseRealTime();
BENCHMARK(BM_BringUpTp0_DockerRuntime)->Arg(10)
    ->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_KillToExit_ProcessRuntimeTp0)
    ->Unit(benchmark::kMillisecond)->Iterations(20)->UseRealTime();
BENCHMARK(BM_KillToExit_DockerRuntimeTp0)
    ->Unit(benchmark::kMillisecond)->Iterations(10)->UseRealTime();
BENCHMARK(BM_KillToExit_DockerCliTp0)
    ->Unit(benchmark::kMillisecond)->Iterations(10)->UseRealTime();
BENCHMARK(BM_StartToReady_ProcessRuntimeTp0)
    ->Unit(benchmark::kMillisecond)->Iterations(20)->UseRealTime();
BENCHMARK(BM_StartToReady_DockerRuntimeTp0)
    ->Unit(benchmark::kMillisecond)->Iterations(10)->UseRealTime();

}  // namespace
}  // namespace chancho

BENCHMARK_MAIN();
