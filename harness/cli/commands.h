#pragma once

#include <CLI/CLI.hpp>

namespace chancho::cli {

// Each subcommand lives in its own file and registers itself on the app.
// A command's callback stores its exit status in `exit_code`; errors are
// thrown as chancho::Error and printed by main as one line.
void AddComposeCommand(CLI::App& app, int& exit_code);
void AddCompareCommand(CLI::App& app, int& exit_code);
void AddUpCommand(CLI::App& app, int& exit_code);
void AddDownCommand(CLI::App& app, int& exit_code);
void AddPsCommand(CLI::App& app, int& exit_code);
void AddLogsCommand(CLI::App& app, int& exit_code);
void AddCtlCommand(CLI::App& app, int& exit_code);
void AddProbeCommand(CLI::App& app, int& exit_code);
void AddWaitCommand(CLI::App& app, int& exit_code);
void AddRunCommand(CLI::App& app, int& exit_code);
void AddChaosCommand(CLI::App& app, int& exit_code);
void AddCollectCommand(CLI::App& app, int& exit_code);
void AddReportCommand(CLI::App& app, int& exit_code);
void AddShrinkCommand(CLI::App& app, int& exit_code);
// kill, stop, restart, start, pause and unpause (cmd_verbs.cc).
void AddVerbCommands(CLI::App& app, int& exit_code);
void AddPruneCommand(CLI::App& app, int& exit_code);
// Last: it describes the commands added before it.
void AddCompletionCommand(CLI::App& app, int& exit_code);

}  // namespace chancho::cli
