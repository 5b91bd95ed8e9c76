#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <memory>
#include <thread>
#include <vector>

#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"
#include "harness/cli/json_out.h"
#include "harness/runtime/control/control.h"
#include "harness/runtime/docker/docker_runtime.h"

namespace chancho::cli {
namespace {

// Asks the supervisor of `run_dir` to bring its system down, and waits for
// it to exit (its socket goes with it).
void BringDown(const std::filesystem::path& run_dir, std::chrono::milliseconds grace,
               std::ostream& out) {
  const std::string name = ControlName(run_dir);
  Request(run_dir, "down " + std::to_string(grace.count()));
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    try {
      ControlRequest(name, "info", std::chrono::seconds(1));
    } catch (const Error&) {
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw Error("the system is down, but the supervisor of " +
                  run_dir.string() + " did not exit within 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  out << "action: down | result: success | run: " << run_dir.string()
            << "\n";
}

// Every run under .chancho/runs whose supervisor still answers.
std::vector<std::filesystem::path> LiveRuns() {
  std::vector<std::filesystem::path> runs;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(".chancho/runs", ec)) {
    // A supervisor that died has nothing to ask; its containers, if
    // any, are reaped below.
    if (RunIsLive(entry.path())) runs.push_back(std::filesystem::absolute(entry.path()));
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

}  // namespace

void AddDownCommand(CLI::App& app, int& exit_code) {
  struct Args {
    std::string run;
    std::chrono::milliseconds grace{10000};
    bool all = false;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "down",
      "Bring a live run down: SIGTERM to every replica, then SIGKILL after "
      "the grace period");
  AddRunOption(cmd, args->run);
  AddDurationOption(cmd, "--grace", args->grace,
                    "between SIGTERM and SIGKILL", std::chrono::milliseconds(1));
  cmd->add_flag("--all", args->all,
                "every live run under .chancho/runs, then the Swarm services, "
                "containers and networks that crashed Docker and Swarm runs "
                "left behind");
  cmd->add_flag("--json", args->json, "print one JSON object (schema chancho.down/1)");
  cmd->callback([args, &exit_code] {
    // With --json, the lines are kept out of stdout and the object says
    // the same.
    std::ostringstream quiet;
    std::ostream& out = args->json ? quiet : std::cout;
    std::vector<std::string> runs;
    if (!args->all) {
      const auto run_dir = LocateRun(args->run);
      BringDown(run_dir, args->grace, out);
      runs.push_back(run_dir.string());
      exit_code = 0;
      if (args->json) {
        JsonOut json("chancho.down/1");
        json.StartArray("runs").String(runs[0]).EndArray().Field("ok", true);
        std::cout << json.Done();
      }
      return;
    }
    for (const auto& run_dir : LiveRuns()) {
      BringDown(run_dir, args->grace, out);
      runs.push_back(run_dir.string());
    }
    ReapResult reaped;
    std::string docker = "";
    try {
      reaped = DockerRuntime::ReapLeftovers();
    } catch (const Error& e) {
      // No Docker here: there is nothing of ours in it either.
      docker = e.what();
      out << "action: reap_leftovers | result: success | docker: " << e.what() << "\n";
    }
    // A network the engine lost count of is a warning: nothing of ours is
    // attached to it, and no client can remove it.
    for (const std::string& held : reaped.held) {
      out << "action: reap_leftovers | result: warning | detail: " << held << "\n";
    }
    for (const std::string& failure : reaped.failures) {
      out << "action: reap_leftovers | result: fail | error: " << failure << "\n";
    }
    const bool clean = reaped.failures.empty();
    out << "action: down_all | result: " << (clean ? "success" : "fail")
        << " | reaped: " << reaped.removed << "\n";
    exit_code = clean ? 0 : 1;
    if (args->json) {
      JsonOut json("chancho.down/1");
      json.StartArray("runs");
      for (const auto& run : runs) json.String(run);
      json.EndArray().Field("reaped", reaped.removed).StartArray("warnings");
      for (const auto& held : reaped.held) json.String(held);
      json.EndArray().StartArray("failures");
      for (const auto& failure : reaped.failures) json.String(failure);
      json.EndArray().Field("docker_unavailable", docker).Field("ok", clean);
      std::cout << json.Done();
    }
  });
}

}  // namespace chancho::cli
