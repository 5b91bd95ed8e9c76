// `chancho chaos`: the chaos monkey against a live detached run, as a
// line-editing REPL (libedit) on a terminal, as a line reader on a pipe, or as a timed
// auto loop for scripts and CI.
// libedit's readline-compatible interface (BSD-licensed).
#include <editline/readline.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "common/duration.h"
#include "common/error.h"
#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"
#include "harness/cli/json_out.h"
#include "harness/faults/attached_containers.h"
#include "harness/faults/chaos_shell.h"

namespace chancho::cli {
namespace {

// The run's exclusions (none for attached containers), with the roles of
// --spare ("none": no role) in place of its spec's "spare" when given.
Exclusions ParseSpare(const std::string& spare,
                      const std::optional<std::filesystem::path>& run_dir) {
  Exclusions exclusions =
      run_dir ? ReadExclusions(*run_dir / "deployment.json") : NoExclusions();
  if (spare.empty()) return exclusions;
  exclusions.roles.clear();
  if (spare == "none") return exclusions;
  std::istringstream in(spare);
  for (std::string role; std::getline(in, role, ',');) {
    role.erase(0, role.find_first_not_of(' '));
    role.erase(role.find_last_not_of(' ') + 1);
    if (!role.empty()) exclusions.roles.insert(role);
  }
  return exclusions;
}

// Lines from the terminal with line editing and in-memory history.
void Interactive(ChaosShell& shell) {
  std::cout << "type help for the commands, quit to leave\n";
  for (;;) {
    std::unique_ptr<char, decltype(&std::free)> line(readline("chaos> "),
                                                     &std::free);
    if (!line) break;  // Ctrl-D
    const std::string text = line.get();
    if (text.find_first_not_of(" \t") != std::string::npos) {
      add_history(line.get());
    }
    if (!shell.Execute(text)) return;
  }
  shell.Execute("quit");
}

// Lines from a pipe or a file: no prompt, no echo.
void Piped(ChaosShell& shell) {
  for (std::string line; std::getline(std::cin, line);) {
    if (!shell.Execute(line)) return;
  }
  shell.Execute("quit");
}

}  // namespace

void AddChaosCommand(CLI::App& app, int& exit_code) {
  struct Args {
    std::string run;
    std::optional<std::uint64_t> seed;
    std::vector<std::string> auto_loop;
    std::chrono::milliseconds duration{0};
    bool json = false;
    std::string spare;
    std::string compose_project;
    std::string containers;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "chaos",
      "The chaos monkey against a live run: a prompt with line editing on a "
      "terminal (type help), one command a line from a pipe, or "
      "--auto X Y --duration D for scripts and CI");
  CLI::Option* run = AddRunOption(cmd, args->run);
  CLI::Option* project = cmd->add_option(
      "--compose-project", args->compose_project,
      "attach to the containers of this compose project, whoever started "
      "them (docker ps), instead of a chancho run");
  CLI::Option* containers = cmd->add_option(
      "--containers", args->containers,
      "attach to the containers whose names match this regular expression "
      "instead of a chancho run");
  run->excludes(project)->excludes(containers);
  project->excludes(containers);
  cmd->add_option("--seed", args->seed,
                  "seed of every random choice (default: from the clock; "
                  "always printed)");
  CLI::Option* auto_loop =
      cmd->add_option("--auto", args->auto_loop,
                      "X Y: every X (a duration: 1.5s, 500ms; a bare number "
                      "is seconds) kill Y random eligible replicas, "
                      "without a prompt")
          ->expected(2);
  CLI::Option* duration =
      AddDurationOption(cmd, "--duration", args->duration, "how long the --auto loop runs",
                        std::chrono::seconds(1));
  auto_loop->needs(duration);
  duration->needs(auto_loop);
  cmd->add_flag("--json", args->json,
                "with --auto: print one JSON object (schema chancho.chaos/1) instead of lines");
  cmd->add_option("--spare", args->spare,
                  "comma-separated roles that random, prefix, auto and bomb "
                  "selections spare (\"none\": no role); default: the "
                  "spec's \"spare\" (its \"keep_one\" roles always keep "
                  "one replica)");
  cmd->callback([args, &exit_code] {
    const bool attached =
        !args->compose_project.empty() || !args->containers.empty();
    std::optional<std::filesystem::path> run_dir;
    if (!attached) run_dir = LocateRun(args->run);
    const std::uint64_t seed =
        args->seed
            ? *args->seed
            : static_cast<std::uint64_t>(
                  std::chrono::system_clock::now().time_since_epoch().count());
    std::unique_ptr<FaultTarget> target;
    std::string what;
    if (attached) {
      const ContainerSelection selection{args->compose_project, args->containers};
      target = MakeAttachedTarget(selection);
      if (target->Ps().empty()) {
        throw Error("no container in " + Describe(selection) +
                    " (docker ps -a lists none)");
      }
      what = Describe(selection);
    } else {
      target = MakeControlTarget(ControlName(*run_dir));
      target->Ps();  // an unreachable run fails here, in one line
      what = run_dir->string();
    }
    if (args->json && args->auto_loop.empty()) {
      throw Error("--json goes with --auto (the prompt has no JSON form)");
    }
    // With --json the fault lines stay out of stdout; the object counts
    // them.
    std::ostringstream quiet;
    std::ostream& out = args->json ? quiet : std::cout;
    out << "action: chaos | result: in_progress | "
        << (attached ? "attached: " : "run: ") << what << " | seed: " << seed << std::endl;
    ChaosShell shell(*target, out, seed,
                     ParseSpare(args->spare, run_dir));
    exit_code = 0;
    if (args->auto_loop.empty()) {
      if (isatty(STDIN_FILENO)) {
        Interactive(shell);
      } else {
        Piped(shell);
      }
      return;
    }
    double every = 0;
    int count = 0;
    try {
      every = common::ParseDurationOr(args->auto_loop[0], std::chrono::seconds(1))
                  .count() / 1000.0;
      std::size_t count_used = 0;
      count = std::stoi(args->auto_loop[1], &count_used);
      if (count_used != args->auto_loop[1].size() || every <= 0) {
        throw Error("trailing characters");
      }
    } catch (const std::exception&) {
      throw Error("--auto: expected X (a duration above 0) and Y (a count), got \"" +
                  args->auto_loop[0] + " " + args->auto_loop[1] + "\"");
    }
    if (args->duration <= std::chrono::milliseconds(0)) {
      throw Error("--duration: expected a duration above 0");
    }
    const auto tally = shell.RunAuto(every, count, args->duration.count() / 1000.0);
    std::string result = "success";
    try {
      target->Ps();
    } catch (const Error& e) {
      // Faults on dead replicas are normal chaos; a run gone is not.
      result = std::string("fail | reason: ") +
               (attached ? "engine unreachable: " : "run unreachable: ") +
               e.what();
      exit_code = 1;
    }
    if (args->json) {
      JsonOut json("chancho.chaos/1");
      json.Field(attached ? "attached" : "run", what)
          .Field("seed", seed)
          .Field("every_ms", static_cast<std::int64_t>(every * 1000))
          .Field("count", count)
          .Field("duration_ms", static_cast<std::int64_t>(args->duration.count()))
          .Field("faults", tally.faults)
          .Field("took_effect", tally.took_effect)
          .Field("ok", exit_code == 0)
          .Field("reason", exit_code == 0 ? std::string() : result.substr(result.find(": ") + 2));
      std::cout << json.Done();
    } else {
      std::cout << "action: chaos | result: " << result << " | faults: " << tally.faults
                << " | took_effect: " << tally.took_effect << " | seed: " << seed
                << std::endl;
    }
  });
}

}  // namespace chancho::cli
