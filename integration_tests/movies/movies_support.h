#pragma once

// What the movies integration tests share: the datasets of the three
// clients (made once per test program with movies-datagen), the pipeline
// spec from system/movies/compose-spec.json with a chosen replica count, and
// the per-client comparison with known-good-results/movies/.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "fixtures/system_test.h"
#include "harness/spec/spec.h"

namespace chancho::testing {

// client-1..3 upload small-42, small-43 and small-44.
struct MoviesClient {
  std::string name;
  std::string dataset;  // "small-42"
};
const std::vector<MoviesClient>& MoviesClients();

// Generates every client's dataset under `root/<client>` (movies-datagen);
// fails with its output when it cannot.
::testing::AssertionResult MakeMoviesDatasets(const std::filesystem::path& root);

// Sets `root` to a directory with every client's dataset, made by the first
// call in this test program and removed when the program exits.
::testing::AssertionResult SharedMoviesData(std::filesystem::path& root);

// system/movies/compose-spec.json with every replicable stage at `replicas`
// and the clients reading `data_root/<client>`: DATA_DIR names data_root on
// ProcessRuntime; on Docker, data_root is the clients' config_files mount.
Spec MoviesSpec(int replicas, const std::filesystem::path& data_root,
                RuntimeKind runtime = RuntimeKind::kProcess);

// The clients of `spec` read `data_root/<client>`, as in MoviesSpec.
void ReadFromDataRoot(Spec& spec, const std::filesystem::path& data_root,
                      RuntimeKind runtime);

// Every query file of every client under `results_dir` equals the
// known-good file of its dataset.
::testing::AssertionResult ClientsMatchKnownGood(
    const std::filesystem::path& results_dir);

}  // namespace chancho::testing
