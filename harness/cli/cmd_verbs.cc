// The common verbs of `chancho ctl` as top-level commands named like
// docker compose's, on one or more replicas of a live run:
//   chancho kill [-s SIGNAL] NAME...    chancho stop [-t GRACE] NAME...
//   chancho pause NAME...               chancho unpause NAME...
//   chancho start NAME...               chancho restart [-t GRACE] NAME...
// Each replica gets its request in turn; the first that fails ends the
// command with its error.

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"

namespace chancho::cli {
namespace {

struct VerbArgs {
  std::string run;
  std::vector<std::string> replicas;
  std::string signal = "KILL";
  std::chrono::milliseconds grace{10000};
};

// Sends `requests` (each with " NAME" appended) to every replica in turn.
void Apply(const VerbArgs& args, const std::string& action,
           const std::vector<std::string>& requests) {
  const auto run_dir = LocateRun(args.run);
  for (const std::string& replica : args.replicas) {
    for (const std::string& request : requests) {
      const auto space = request.find(' ');
      // "stop 2000" -> "stop NAME 2000": the replica comes right after the verb.
      const std::string line =
          space == std::string::npos
              ? request + " " + replica
              : request.substr(0, space) + " " + replica + request.substr(space);
      Request(run_dir, line);
    }
    std::cout << "action: " << action << " | result: success | replica: " << replica
              << "\n";
  }
}

CLI::App* AddVerb(CLI::App& app, const std::string& name, const std::string& help,
                  std::shared_ptr<VerbArgs> args) {
  CLI::App* cmd = app.add_subcommand(name, help);
  AddRunOption(cmd, args->run);
  cmd->add_option("replicas", args->replicas, "replica names")->required();
  return cmd;
}

}  // namespace

void AddVerbCommands(CLI::App& app, int& exit_code) {
  const auto grace = [](CLI::App* cmd, VerbArgs& args) {
    AddDurationOption(cmd, "-t,--timeout", args.grace, "between SIGTERM and SIGKILL",
                      std::chrono::seconds(1));
  };
  {
    auto args = std::make_shared<VerbArgs>();
    CLI::App* cmd = AddVerb(app, "kill", "Send a signal (default KILL) to replicas", args);
    cmd->add_option("-s,--signal", args->signal, "KILL, TERM, 9, SIGINT, ...")
        ->capture_default_str();
    cmd->callback([args, &exit_code] {
      Apply(*args, "kill", {"kill " + args->signal});
      exit_code = 0;
    });
  }
  {
    auto args = std::make_shared<VerbArgs>();
    CLI::App* cmd = AddVerb(
        app, "stop", "Stop replicas gracefully: SIGTERM, then SIGKILL after the timeout",
        args);
    grace(cmd, *args);
    cmd->callback([args, &exit_code] {
      Apply(*args, "stop", {"stop " + std::to_string(args->grace.count())});
      exit_code = 0;
    });
  }
  {
    auto args = std::make_shared<VerbArgs>();
    CLI::App* cmd = AddVerb(app, "restart", "Stop replicas gracefully, then start them",
                            args);
    grace(cmd, *args);
    cmd->callback([args, &exit_code] {
      Apply(*args, "restart", {"stop " + std::to_string(args->grace.count()), "start"});
      exit_code = 0;
    });
  }
  for (const auto& [name, request, help] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"start", "start", "Start replicas that are not running"},
           {"pause", "pause", "Pause replicas (SIGSTOP, or docker pause)"},
           {"unpause", "resume", "Resume paused replicas"}}) {
    auto args = std::make_shared<VerbArgs>();
    CLI::App* cmd = AddVerb(app, name, help, args);
    cmd->callback([args, name = name, request = request, &exit_code] {
      Apply(*args, name, {request});
      exit_code = 0;
    });
  }
}

}  // namespace chancho::cli
