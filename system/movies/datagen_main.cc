// movies-datagen: writes a deterministic dataset in the Kaggle "The Movies
// Dataset" format.
//
//   movies-datagen --preset tiny|small|large [--seed S] --out DIR
//
// Writes DIR/movies_metadata.csv, credits.csv and ratings.csv and prints a
// one-line summary. Exits 0 on success, 1 when the files cannot be written.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <string>

#include "common/version.h"
#include "system/common/log.h"
#include "system/movies/datagen.h"

int main(int argc, char** argv) {
  CLI::App app("Deterministic generator of Kaggle-format movie datasets.");
  app.set_version_flag("--version", std::string("movies-datagen (chancho ") + chancho::kVersion + ")");
  std::string preset_name;
  uint64_t seed = 42;
  std::string out_dir;
  app.add_option("--preset", preset_name, "dataset size")
      ->required()
      ->check(CLI::IsMember({"tiny", "small", "large"}));
  app.add_option("--seed", seed, "random seed")->capture_default_str();
  app.add_option("--out", out_dir, "output directory")->required();
  CLI11_PARSE(app, argc, argv);

  chancho::common::Logger logger;
  try {
    const auto start = std::chrono::steady_clock::now();
    const chancho::movies::DatagenSummary summary =
        chancho::movies::GenerateDataset(
            *chancho::movies::FindPreset(preset_name), seed, out_dir);
    const std::chrono::duration<double> elapsed =
        std::chrono::steady_clock::now() - start;
    logger.Info("generate", "success",
                {{"preset", preset_name},
                 {"seed", std::to_string(seed)},
                 {"dir", out_dir},
                 {"movies", std::to_string(summary.movie_records)},
                 {"credits", std::to_string(summary.credit_records)},
                 {"ratings", std::to_string(summary.rating_records)},
                 {"skipped",
                  fmt::format("{}/{}/{}", summary.movie_skipped,
                              summary.credit_skipped, summary.rating_skipped)},
                 {"bytes", std::to_string(summary.bytes)},
                 {"seconds", fmt::format("{:.3f}", elapsed.count())}});
    return 0;
  } catch (const std::exception& e) {
    logger.Critical("generate", "fail",
                    {{"error", chancho::common::ExceptionMessage(e)}});
    return 1;
  }
}
