#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "harness/cli/commands.h"
#include "harness/compare/compare.h"
#include "harness/compare/report.h"

namespace chancho::cli {

void AddCompareCommand(CLI::App& app, int& exit_code) {
  struct Args {
    std::string results_dir;
    std::string known_good_dir;
    bool unordered = false;
    std::optional<double> float_tolerance;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "Compare every client's results with known-good results; exit 0 only "
      "if everything matches, 1 otherwise");
  cmd->add_option("results_dir", args->results_dir,
                  "RESULTS_DIR: one subdirectory per client, holding its "
                  "result files (*.txt)")
      ->required();
  cmd->add_option("known_good_dir", args->known_good_dir,
                  "KNOWN_GOOD_DIR: the known-good result files (*.txt), or a "
                  "directory of them per client")
      ->required();
  cmd->add_flag("--unordered", args->unordered,
                "compare lines as a multiset (order ignored)");
  cmd->add_option("--float-tolerance", args->float_tolerance,
                  "compare '|'-separated numeric fields within this absolute "
                  "tolerance (>= 0)");
  cmd->add_flag("--json", args->json, "print JSON instead of text");
  cmd->callback([args, &exit_code] {
    CompareOptions options;
    options.unordered = args->unordered;
    options.float_tolerance = args->float_tolerance;
    const DirComparison comparison =
        CompareDirs(args->results_dir, args->known_good_dir, options);
    std::cout << (args->json ? JsonReport(comparison) : TextReport(comparison));
    exit_code = comparison.AllMatch() ? 0 : 1;
  });
}

}  // namespace chancho::cli
