#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"
#include "harness/probes/echo_probe.h"
#include "harness/probes/shutdown_probe.h"
#include "harness/runtime/control/control_commands.h"

namespace chancho::cli {
namespace {

std::chrono::milliseconds Seconds(double s) {
  return std::chrono::milliseconds(static_cast<long>(s * 1000));
}

void AddEcho(CLI::App* probe, int& exit_code) {
  struct Args {
    std::string run;
    std::string target;
    std::string message = "chancho echo probe";
    double timeout_s = 5;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = probe->add_subcommand(
      "echo", "Send a line to an echo server and expect the same bytes back");
  cmd->add_option("--target", args->target,
                  "HOST:PORT; a name is looked up in the run's hosts file")
      ->required();
  cmd->add_option("--message", args->message, "line to send")
      ->capture_default_str();
  cmd->add_option("--timeout", args->timeout_s, "seconds for the exchange")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
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
      result = EchoProbe(*ip, port, args->message, Seconds(args->timeout_s));
    } else {
      result = {false, "cannot resolve host \"" + host + "\""};
    }
    std::cout << result.LogLine("test_echo_server") << "\n";
    exit_code = result.success ? 0 : 1;
  });
}

void AddShutdown(CLI::App* probe, int& exit_code) {
  struct Args {
    std::string run;
    std::string replica;
    double timeout_s = 5;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = probe->add_subcommand(
      "shutdown",
      "Send SIGTERM to a replica; pass only if it exits 0 within the timeout");
  cmd->add_option("replica", args->replica, "replica name")->required();
  cmd->add_option("--timeout", args->timeout_s, "seconds to exit")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
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
        ProbeGracefulShutdown(target, args->replica, Seconds(args->timeout_s));
    std::cout << result.LogLine("graceful_shutdown") << " | replica: "
              << args->replica << "\n";
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
