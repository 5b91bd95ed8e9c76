// movies-reference: the single-process reference of the five movie queries.
//
//   movies-reference --data DIR --out DIR
//
// Reads DIR/movies_metadata.csv, credits.csv and ratings.csv, writes
// query1.txt .. query5.txt to the output directory, and logs one line per
// input file with its row and skipped-row counts. Exits 0 on success, 1 on a
// setup failure (missing file, missing column, unwritable output).

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <exception>
#include <string>

#include "common/version.h"
#include "system/common/log.h"
#include "system/movies/reference.h"

namespace chancho::movies {
namespace {

int Run(const std::string& data_dir, const std::string& out_dir,
        common::Logger& logger) {
  const auto start = std::chrono::steady_clock::now();
  const ReferenceRun run = RunReference(data_dir);
  for (const FileStats& file : run.files) {
    common::LogFields fields = {
        {"file", file.file},
        {"rows", std::to_string(file.stats.rows)},
        {"skipped", std::to_string(file.stats.skipped())}};
    if (file.stats.skipped() > 0) {
      fields.emplace_back("reasons", file.stats.Reasons());
    }
    logger.Info("read_file", "success", fields);
  }
  WriteResults(run.results, out_dir);
  logger.Info(
      "write_results", "success",
      {{"dir", out_dir},
       {"seconds",
        fmt::format("{:.3f}", std::chrono::duration<double>(
                                  std::chrono::steady_clock::now() - start)
                                  .count())}});
  return 0;
}

}  // namespace
}  // namespace chancho::movies

int main(int argc, char** argv) {
  CLI::App app("Single-process reference of the five movie queries.");
  app.set_version_flag("--version", std::string("movies-reference (chancho ") + chancho::kVersion + ")");
  std::string data_dir;
  std::string out_dir;
  app.add_option("--data", data_dir,
                 "directory with movies_metadata.csv, credits.csv, ratings.csv")
      ->required();
  app.add_option("--out", out_dir, "directory for query1.txt .. query5.txt")
      ->required();
  CLI11_PARSE(app, argc, argv);

  chancho::common::Logger logger;
  try {
    return chancho::movies::Run(data_dir, out_dir, logger);
  } catch (const std::exception& e) {
    logger.Critical("reference", "fail",
                    {{"error", chancho::common::ExceptionMessage(e)}});
    return 1;
  }
}
