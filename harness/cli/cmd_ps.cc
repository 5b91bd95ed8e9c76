#include <iostream>
#include <memory>

#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"
#include "harness/runtime/control/control_commands.h"

namespace chancho::cli {

void AddPsCommand(CLI::App& app, int& exit_code) {
  struct Args {
    std::string run;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("ps", "Show the replicas of a live run");
  AddRunOption(cmd, args->run);
  cmd->add_flag("--json", args->json, "print JSON instead of a table");
  cmd->callback([args, &exit_code] {
    const auto run_dir = LocateRun(args->run);
    const std::string json = Request(run_dir, "ps");
    if (args->json) {
      std::cout << json << "\n";
    } else {
      std::cout << "run " << run_dir.string() << "\n"
                << FormatStatusTable(StatusesFromJson(json));
    }
    exit_code = 0;
  });
}

}  // namespace chancho::cli
