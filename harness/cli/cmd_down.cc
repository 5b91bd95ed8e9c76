#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"
#include "harness/runtime/control.h"

namespace chancho::cli {

void AddDownCommand(CLI::App& app, int& exit_code) {
  struct Args {
    std::string run;
    long grace_ms = 10000;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "down",
      "Bring a live run down: SIGTERM to every replica, then SIGKILL after "
      "the grace period");
  AddRunOption(cmd, args->run);
  cmd->add_option("--grace", args->grace_ms, "grace period in ms")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->callback([args, &exit_code] {
    const auto run_dir = LocateRun(args->run);
    const std::string name = ControlName(run_dir);
    Request(run_dir, "down " + std::to_string(args->grace_ms));
    // The supervisor exits after answering; its socket goes with it.
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
    std::cout << "action: down | result: success | run: " << run_dir.string()
              << "\n";
    exit_code = 0;
  });
}

}  // namespace chancho::cli
