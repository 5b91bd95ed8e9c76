// chancho: generates compose files, runs systems, injects faults and probes
// them. See README.md.
#include <CLI/CLI.hpp>
#include <iostream>

#include "common/error.h"
#include "common/version.h"
#include "harness/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Chancho: a test harness and fault-injection framework for systems "
      "made of many services.",
      "chancho"};
  app.set_version_flag("--version", std::string("chancho ") + chancho::kVersion,
                       "Print the version and exit");
  app.require_subcommand(1);
  app.failure_message(CLI::FailureMessage::simple);
  int exit_code = 0;
  chancho::cli::AddComposeCommand(app, exit_code);
  chancho::cli::AddUpCommand(app, exit_code);
  chancho::cli::AddDownCommand(app, exit_code);
  chancho::cli::AddPsCommand(app, exit_code);
  chancho::cli::AddLogsCommand(app, exit_code);
  chancho::cli::AddCtlCommand(app, exit_code);
  chancho::cli::AddProbeCommand(app, exit_code);
  chancho::cli::AddWaitCommand(app, exit_code);
  chancho::cli::AddCompareCommand(app, exit_code);
  chancho::cli::AddRunCommand(app, exit_code);
  chancho::cli::AddChaosCommand(app, exit_code);
  chancho::cli::AddCollectCommand(app, exit_code);
  chancho::cli::AddReportCommand(app, exit_code);
  chancho::cli::AddShrinkCommand(app, exit_code);
  chancho::cli::AddVerbCommands(app, exit_code);
  chancho::cli::AddPruneCommand(app, exit_code);
  chancho::cli::AddCompletionCommand(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "chancho: error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}
