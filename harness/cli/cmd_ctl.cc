#include <iostream>
#include <memory>

#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"

namespace chancho::cli {

void AddCtlCommand(CLI::App& app, int& exit_code) {
  struct Args {
    std::string run;
    std::string verb;
    std::string replica;
    std::string argument;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "ctl",
      "Act on one replica of a live run: start, kill [SIGNAL], "
      "stop [GRACE], pause, resume. Health-checkers revive services with "
      "`chancho ctl start NAME`.");
  AddRunOption(cmd, args->run);
  cmd->add_option("verb", args->verb, "start | kill | stop | pause | resume")
      ->required()
      ->check(CLI::IsMember({"start", "kill", "stop", "pause", "resume"}));
  cmd->add_option("replica", args->replica, "replica name, e.g. client3")
      ->required();
  cmd->add_option("argument", args->argument,
                  "kill: signal (default KILL); stop: the grace period, a "
                  "duration (2s, 500ms; a bare number is ms; default 10s)");
  cmd->callback([args, &exit_code] {
    std::string request = args->verb + " " + args->replica;
    if (!args->argument.empty()) request += " " + args->argument;
    Request(LocateRun(args->run), request);
    std::cout << "action: ctl_" << args->verb
              << " | result: success | replica: " << args->replica << "\n";
    exit_code = 0;
  });
}

}  // namespace chancho::cli
