#include "integration_tests/movies/movies_support.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fixtures/results_matcher.h"
#include "fixtures/scratch_dir.h"
#include "fixtures/system_test.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {

const std::vector<MoviesClient>& MoviesClients() {
  static const std::vector<MoviesClient> clients = {
      {"client-1", "small-42"}, {"client-2", "small-43"}, {"client-3", "small-44"}};
  return clients;
}

::testing::AssertionResult MakeMoviesDatasets(
    const std::filesystem::path& root) {
  for (const auto& client : MoviesClients()) {
    const auto dash = client.dataset.rfind('-');
    const std::string log = (root / (client.name + ".log")).string();
    std::filesystem::create_directories(root);
    const std::string command =
        "'" + (BinDir() / "movies-datagen").string() + "' --preset " +
        client.dataset.substr(0, dash) + " --seed " +
        client.dataset.substr(dash + 1) + " --out '" +
        (root / client.name).string() + "' > '" + log + "' 2>&1";
    if (std::system(command.c_str()) != 0) {
      std::ostringstream out;
      out << std::ifstream(log).rdbuf();
      return ::testing::AssertionFailure()
             << "movies-datagen failed for " << client.name << ": " << out.str();
    }
  }
  return ::testing::AssertionSuccess();
}

Spec MoviesSpec(int replicas, const std::filesystem::path& data_root,
                RuntimeKind runtime) {
  Spec spec = LoadSpec(SourceDir() / "system" / "movies" / "compose-spec.json");
  for (auto& service : spec.services) {
    if (service.role == "worker" && service.replicas > 1) {
      service.replicas = replicas;
    }
  }
  ReadFromDataRoot(spec, data_root, runtime);
  return spec;
}

void ReadFromDataRoot(Spec& spec, const std::filesystem::path& data_root,
                      RuntimeKind runtime) {
  for (auto& service : spec.services) {
    if (service.role == "client" && runtime != RuntimeKind::kProcess) {
      for (auto& file : service.config_files) {
        if (file.env == "DATA_DIR") file.source = data_root.string();
      }
    } else if (service.role == "client") {
      service.config_files.clear();
      service.environment["DATA_DIR"] = data_root.string();
    }
  }
}

::testing::AssertionResult ClientsMatchKnownGood(
    const std::filesystem::path& results_dir) {
  const auto known_good = SourceDir() / "known-good-results" / "movies";
  for (const auto& client : MoviesClients()) {
    for (int q = 1; q <= 5; ++q) {
      const std::string file = "query" + std::to_string(q) + ".txt";
      auto match = FileMatchesKnownGood(results_dir / client.name / file,
                                        known_good / client.dataset / file);
      if (!match) {
        return ::testing::AssertionFailure()
               << client.name << " (" << client.dataset << ") " << file << ": "
               << match.message();
      }
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult SharedMoviesData(std::filesystem::path& root) {
  // Removed at exit, with the program's static objects.
  struct Dir {
    std::filesystem::path path = ScratchDir("chancho-movies-data");
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static Dir dir;
  root = dir.path;
  if (std::filesystem::exists(root / "client-3")) {
    return ::testing::AssertionSuccess();
  }
  return MakeMoviesDatasets(root);
}

}  // namespace chancho::testing
