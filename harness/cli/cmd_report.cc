// chancho report RUN_DIR|record.json [-o FILE]: writes report.html for any
// run (older records and replays too), beside its record unless -o says
// where.

#include <iostream>
#include <memory>
#include <string>

#include "harness/cli/commands.h"
#include "harness/record/report_html.h"

namespace chancho::cli {

void AddReportCommand(CLI::App& app, int& exit_code) {
  struct Args {
    std::string record;
    std::string out;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write report.html for a run: a timeline of its replicas, faults, "
      "clients and recovery, and its comparison; one self-contained file");
  cmd->add_option("record", args->record,
                  "RUN_DIR or record.json: the run to report on")
      ->required()
      ->check(CLI::ExistingPath);
  cmd->add_option("-o,--output", args->out,
                  "where to write it (default: report.html beside the record)");
  cmd->callback([args, &exit_code] {
    const auto written = WriteReport(args->record, args->out);
    std::cout << "action: report | result: success | report: " << written.string()
              << std::endl;
    exit_code = 0;
  });
}

}  // namespace chancho::cli
