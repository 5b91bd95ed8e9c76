// The committed known-good results (known-good-results/movies/<preset>-42)
// must equal a fresh reference run on freshly generated data. When the
// query logic or the generator changes on purpose, regenerate them with
// system/movies/make-known-good.sh.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <utility>

#include "common/log_line.h"
#include "system/movies/datagen.h"
#include "system/movies/reference.h"
#include "system/movies/test_util.h"

namespace chancho::movies {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kSeed = 42;

fs::path FromEnv(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return (value != nullptr && *value != '\0') ? value : fallback;
}

fs::path KnownGoodDir(const std::string& preset, uint64_t seed = kSeed) {
  return FromEnv("CHANCHO_SOURCE_DIR", MOVIES_SOURCE_DIR) /
         "known-good-results" / "movies" /
         (preset + "-" + std::to_string(seed));
}

fs::path QueryFile(const fs::path& dir, int index) {
  return dir / ("query" + std::to_string(index + 1) + ".txt");
}

// (preset, seed): every committed known-good directory.
class KnownGoodTest
    : public testing::TestWithParam<std::pair<std::string, uint64_t>> {};

TEST_P(KnownGoodTest, FreshReferenceRunEqualsTheCommittedResults) {
  const auto& [preset, seed] = GetParam();
  const TempDir dir;
  GenerateDataset(*FindPreset(preset), seed, dir.path());
  const QueryResults results = RunReference(dir.path()).results;
  const fs::path expected_dir = KnownGoodDir(preset, seed);
  for (int i = 0; i < kQueryCount; ++i) {
    const fs::path expected = QueryFile(expected_dir, i);
    ASSERT_TRUE(fs::exists(expected)) << expected;
    EXPECT_EQ(results[i], ReadFileBytes(expected)) << expected;
  }
}

// small-43 and small-44 are the datasets of the other pipeline clients.
INSTANTIATE_TEST_SUITE_P(
    Presets, KnownGoodTest,
    testing::Values(std::pair<std::string, uint64_t>{"tiny", 42},
                    std::pair<std::string, uint64_t>{"small", 42},
                    std::pair<std::string, uint64_t>{"small", 43},
                    std::pair<std::string, uint64_t>{"small", 44}),
    [](const auto& info) {
      return info.param.first + "_" + std::to_string(info.param.second);
    });

TEST(KnownGoodToolsTest, BinariesReproduceTheTinyResultsAndLogSkips) {
  const TempDir dir;
  const fs::path bin = FromEnv("CHANCHO_BIN_DIR", MOVIES_BIN_DIR);
  const std::string data = (dir.path() / "data").string();
  const std::string out = (dir.path() / "out").string();
  const std::string log = (dir.path() / "log").string();
  ASSERT_EQ(std::system(("'" + (bin / "movies-datagen").string() +
                         "' --preset tiny --seed 42 --out '" + data + "' > '" +
                         log + "' 2>&1")
                            .c_str()),
            0)
      << ReadFileBytes(log);
  ASSERT_EQ(
      std::system(("'" + (bin / "movies-reference").string() + "' --data '" +
                   data + "' --out '" + out + "' > '" + log + "' 2>&1")
                      .c_str()),
      0)
      << ReadFileBytes(log);
  for (int i = 0; i < kQueryCount; ++i) {
    EXPECT_EQ(ReadFileBytes(QueryFile(out, i)),
              ReadFileBytes(QueryFile(KnownGoodDir("tiny"), i)));
  }

  std::map<std::string, common::LogEvent> reads;
  std::istringstream lines(ReadFileBytes(log));
  for (std::string line; std::getline(lines, line);) {
    const auto event = common::ParseLogLine(line);
    if (event && event->action == "read_file") {
      EXPECT_EQ(event->result, "success");
      reads[event->Get("file").value_or("")] = *event;
    }
  }
  ASSERT_EQ(reads.size(), 3u) << ReadFileBytes(log);
  EXPECT_EQ(reads["movies_metadata.csv"].Get("rows"), "208");
  EXPECT_EQ(reads["movies_metadata.csv"].Get("skipped"), "8");
  EXPECT_EQ(reads["ratings.csv"].Get("skipped"), "3");
  EXPECT_TRUE(reads["credits.csv"].Get("reasons"));
}

TEST(KnownGoodToolsTest, ReferenceFailsWithOneLineOnMissingData) {
  const TempDir dir;
  const fs::path bin = FromEnv("CHANCHO_BIN_DIR", MOVIES_BIN_DIR);
  const std::string log = (dir.path() / "log").string();
  const int status =
      std::system(("'" + (bin / "movies-reference").string() + "' --data '" +
                   (dir.path() / "none").string() + "' --out '" +
                   (dir.path() / "out").string() + "' > '" + log + "' 2>&1")
                      .c_str());
  EXPECT_NE(status, 0);
  const std::string output = ReadFileBytes(log);
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << output;
  EXPECT_THAT(output, testing::HasSubstr("result: fail"));
  EXPECT_THAT(output, testing::HasSubstr("cannot open"));
}

}  // namespace
}  // namespace chancho::movies
