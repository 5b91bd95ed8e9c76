#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"
#include "harness/cli/json_out.h"
#include "harness/probes/echo_probe.h"
#include "harness/probes/shutdown_probe.h"
#include "harness/runtime/control/control_commands.h"

namespace chancho::cli {
namespace {

// chancho.probe/1: which probe, whether it passed and why not, and what it
// probed (`key`: target or replica).
std::string ProbeJson(const char* probe, const ProbeResult& result, const char* key,
                      const std::string& what) {
  JsonOut out("chancho.probe/1");
  out.Field("probe", probe)
      .Field("ok", result.success)
      .Field("reason", result.reason)
      .Field(key, what);
  return out.Done();
}

void AddEcho(CLI::App* probe, int& exit_code) {
  struct Args {
    std::string run;
    std::string target;
    std::string message = "chancho echo probe";
    std::chrono::milliseconds timeout{5000};
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = probe->add_subcommand(
      "echo", "Send a line to an echo server and expect the same bytes back");
  cmd->add_option("--target", args->target,
                  "HOST:PORT; a name is looked up in the run's hosts file")
      ->required();
  cmd->add_option("--message", args->message, "line to send")
      ->capture_default_str();
  AddDurationOption(cmd, "--timeout", args->timeout, "for the exchange",
                    std::chrono::seconds(1));
  cmd->add_flag("--json", args->json, "print one JSON object (schema chancho.probe/1)");
  AddRunOption(cmd, args->run);
  cmd->callback([args, &exit_code] {
    const auto colon = args->target.rfind(':');
    int port = 0;
    try {
      port = std::stoi(args->target.substr(colon + 1));
    } catch (const std::exception&) {
    }
    if (colon == std::string::npos || port <= 0 || port > 65535) {
      throw Error("--target: expected HOST:PORT, got \"" + args->target + "\"");
    }
    const std::string host = args->target.substr(0, colon);
    std::optional<std::filesystem::path> hosts_file;
    try {
      hosts_file = LocateRun(args->run) / "hosts";
    } catch (const Error&) {
      if (!args->run.empty()) throw;
    }
    ProbeResult result;
    if (const auto ip = ResolveIpv4(host, hosts_file)) {
      result = EchoProbe(*ip, port, args->message, args->timeout);
    } else {
      result = {false, "cannot resolve host \"" + host + "\""};
    }
    if (args->json) {
      std::cout << ProbeJson("echo", result, "target", args->target);
    } else {
      std::cout << result.LogLine("test_echo_server") << "\n";
    }
    exit_code = result.success ? 0 : 1;
  });
}

void AddShutdown(CLI::App* probe, int& exit_code) {
  struct Args {
    std::string run;
    std::string replica;
    std::chrono::milliseconds timeout{5000};
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = probe->add_subcommand(
      "shutdown",
      "Send SIGTERM to a replica; pass only if it exits 0 within the timeout");
  cmd->add_option("replica", args->replica, "replica name")->required();
  AddDurationOption(cmd, "--timeout", args->timeout, "to exit",
                    std::chrono::seconds(1));
  cmd->add_flag("--json", args->json, "print one JSON object (schema chancho.probe/1)");
  AddRunOption(cmd, args->run);
  cmd->callback([args, &exit_code] {
    const auto run_dir = LocateRun(args->run);
    const ShutdownProbeTarget target{
        [&run_dir](const std::string& replica) {
          Request(run_dir, "kill " + replica + " TERM");
        },
        [&run_dir](const std::string& replica) -> std::optional<ReplicaStatus> {
          for (ReplicaStatus& s : StatusesFromJson(Request(run_dir, "ps"))) {
            if (s.name == replica) return std::move(s);
          }
          return std::nullopt;
        }};
    const ProbeResult result =
        ProbeGracefulShutdown(target, args->replica, args->timeout);
    if (args->json) {
      std::cout << ProbeJson("shutdown", result, "replica", args->replica);
    } else {
      std::cout << result.LogLine("graceful_shutdown") << " | replica: "
                << args->replica << "\n";
    }
    exit_code = result.success ? 0 : 1;
  });
}

}  // namespace

void AddProbeCommand(CLI::App& app, int& exit_code) {
  CLI::App* probe =
      app.add_subcommand("probe", "Check a service from outside");
  probe->require_subcommand(1);
  AddEcho(probe, exit_code);
  AddShutdown(probe, exit_code);
}

}  // namespace chancho::cli
