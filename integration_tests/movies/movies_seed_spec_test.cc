// A spec in the original generator's format (integration_tests/movies/
// seed-compose-spec.json: routing keys as arrays, storage as a directory,
// the health-checker's keys, "machine-learning" for our sentiment, and no
// command, image or role anywhere) with system/movies/service-defaults.json:
// chancho compose writes a file that compose itself accepts, and the
// movies system it describes gets the known-good results on each runtime.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fixtures/docker_support.h"
#include "fixtures/system_test.h"
#include "integration_tests/cli_support.h"
#include "integration_tests/movies/movies_support.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using ::testing::HasSubstr;
using std::chrono::seconds;

std::filesystem::path SeedSpec() {
  return SourceDir() / "integration_tests" / "movies" /
         "seed-compose-spec.json";
}
std::filesystem::path MoviesDefaults() {
  return SourceDir() / "system" / "movies" / "service-defaults.json";
}

class SeedSpecComposeTest : public CliTest {};

TEST_F(SeedSpecComposeTest, ComposeWritesWhatComposeAccepts) {
  const CommandResult written =
      RunChancho("compose '" + SeedSpec().string() + "' --defaults '" +
                     MoviesDefaults().string() + "' -o seed.yaml",
                 dir_);
  ASSERT_EQ(written.exit_code, 0) << written.err;
  std::ostringstream yaml;
  yaml << std::ifstream(dir_ / "seed.yaml").rdbuf();
  // The alias, the services the defaults add, and the array seed keys.
  EXPECT_THAT(yaml.str(), HasSubstr("  sentiment-1:\n"));
  EXPECT_THAT(yaml.str(), ::testing::Not(HasSubstr("  machine-learning-1:")));
  // "storage": "./storage" is the directory each replica's storage is under.
  EXPECT_THAT(yaml.str(),
              HasSubstr("      - ./storage/join-movie-ratings-1:/storage\n"));
  EXPECT_THAT(yaml.str(), HasSubstr("  rabbitmq:\n"));
  EXPECT_THAT(yaml.str(), HasSubstr("  client-3:\n"));
  EXPECT_THAT(yaml.str(), HasSubstr("INPUT_ROUTING_KEY=*.results\n"));
  EXPECT_THAT(yaml.str(), HasSubstr("OUTPUT_ROUTING_KEY=movies,credits,ratings\n"));
  EXPECT_THAT(yaml.str(), HasSubstr("image: chancho/movies:latest\n"));

  const std::string compose = std::system("docker compose version >/dev/null 2>&1") == 0
                                  ? "docker compose"
                                  : "docker-compose";
  if (std::system(("command -v " + compose.substr(0, compose.find(' ')) +
                   " >/dev/null").c_str()) != 0) {
    if (IsCi()) FAIL() << "CI=true, and neither docker compose nor docker-compose is installed";
    GTEST_SKIP() << "neither docker compose nor docker-compose is installed";
  }
  const CommandResult config =
      RunShell(compose + " -p seed -f seed.yaml config -q", dir_);
  EXPECT_EQ(config.exit_code, 0) << config.out << config.err;
}

TEST_F(SeedSpecComposeTest, WithoutDefaultsItIsAOneLineError) {
  const CommandResult refused =
      RunChancho("compose '" + SeedSpec().string() + "' -o seed.yaml", dir_);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("/services/0: missing required key \"command\""));
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1)
      << refused.err;
}

class MoviesSeedSpecTest : public SystemTestP {
 protected:
  std::optional<std::string> DockerMissing() const override {
    return MoviesInDockerUnavailable();
  }
};

TEST_P(MoviesSeedSpecTest, TheOriginalFormatRunsWithTheMoviesDefaults) {
  std::filesystem::path data_root;
  ASSERT_TRUE(SharedMoviesData(data_root));
  Spec spec = LoadSpec(SeedSpec(), MoviesDefaults());
  EXPECT_EQ(spec.name, "movies-analysis");
  ASSERT_NE(spec.Find("sentiment"), nullptr);
  EXPECT_EQ(spec.Find("sentiment")->command,
            (std::vector<std::string>{"movies-node"}));
  ReadFromDataRoot(spec, data_root, runtime_kind());
  ASSERT_TRUE(StartSystem(spec));
  for (const auto& client : MoviesClients()) {
    ASSERT_TRUE(WaitForExit(client.name, seconds(240), 0));
  }
  EXPECT_TRUE(ClientsMatchKnownGood(runtime().run_dir() / "results"));
}

INSTANTIATE_TEST_SUITE_P(Runtimes, MoviesSeedSpecTest, AllRuntimes(),
                         RuntimeParamName);

}  // namespace
}  // namespace chancho::testing
