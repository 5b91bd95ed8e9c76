#include "system/movies/datagen.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <string>

#include "system/movies/datagen_vocab.h"
#include "system/movies/random.h"
#include "system/movies/reference.h"
#include "system/movies/sentiment.h"
#include "system/movies/test_util.h"

namespace chancho::movies {
namespace {

constexpr const char* kFiles[] = {"movies_metadata.csv", "credits.csv",
                                  "ratings.csv"};

int CountLines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(RandomTest, FollowsTheStandardEngineBitForBit) {
  // The standard fixes the 10000th output of a default-seeded mt19937_64.
  Random random(5489);
  uint64_t value = 0;
  for (int i = 0; i < 10000; ++i) value = random.Next();
  EXPECT_EQ(value, 9981545732273789042ull);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_LT(random.Below(7), 7u);
    const int64_t between = random.Between(-3, 3);
    EXPECT_GE(between, -3);
    EXPECT_LE(between, 3);
    EXPECT_LT(random.Skewed(5), 5u);
  }
}

TEST(DatagenTest, PresetsHaveTheAdvertisedSizes) {
  EXPECT_EQ(FindPreset("tiny")->movies, 200);
  EXPECT_EQ(FindPreset("small")->movies, 3000);
  EXPECT_EQ(FindPreset("large")->movies, 45000);
  EXPECT_GE(FindPreset("large")->ratings, 5'000'000);
  EXPECT_EQ(FindPreset("huge"), std::nullopt);
}

TEST(DatagenTest, SameSeedGivesTheSameBytesAnotherSeedOthers) {
  const TempDir dir;
  const DatagenPreset tiny = *FindPreset("tiny");
  const DatagenSummary first = GenerateDataset(tiny, 42, dir.path() / "a");
  const DatagenSummary again = GenerateDataset(tiny, 42, dir.path() / "b");
  GenerateDataset(tiny, 43, dir.path() / "c");
  EXPECT_EQ(first.bytes, again.bytes);
  for (const char* file : kFiles) {
    const std::string a = ReadFileBytes(dir.path() / "a" / file);
    EXPECT_FALSE(a.empty()) << file;
    EXPECT_EQ(a, ReadFileBytes(dir.path() / "b" / file)) << file;
    EXPECT_NE(a, ReadFileBytes(dir.path() / "c" / file)) << file;
  }
}

TEST(DatagenTest, ReadersSkipExactlyTheBrokenAndDuplicatedRows) {
  const TempDir dir;
  for (const char* name : {"tiny", "small"}) {
    const DatagenSummary summary =
        GenerateDataset(*FindPreset(name), 7, dir.path() / name);
    const ReferenceRun run = RunReference(dir.path() / name);
    EXPECT_EQ(run.files[0].stats.rows, summary.movie_records) << name;
    EXPECT_EQ(run.files[0].stats.skipped(), summary.movie_skipped) << name;
    EXPECT_EQ(run.files[1].stats.rows, summary.credit_records) << name;
    EXPECT_EQ(run.files[1].stats.skipped(), summary.credit_skipped) << name;
    EXPECT_EQ(run.files[2].stats.rows, summary.rating_records) << name;
    EXPECT_EQ(run.files[2].stats.skipped(), summary.rating_skipped) << name;
    // Every kind of broken row is there.
    for (const FileStats& file : run.files) {
      EXPECT_GT(file.stats.skipped_by[static_cast<int>(RowError::kColumnCount)],
                0)
          << name << " " << file.file;
    }
    EXPECT_EQ(run.files[2].stats.rows - run.files[2].stats.skipped(),
              FindPreset(name)->ratings);
    EXPECT_EQ(run.files[0].stats.Reasons(),
              name == std::string("tiny")
                  ? "column_count=3,bad_id=1,bad_number=1,bad_literal=1,"
                    "duplicate=2"
                  : "column_count=6,bad_id=2,bad_number=2,bad_literal=2,"
                    "duplicate=4");
  }
}

TEST(DatagenTest, EveryQueryIsNonTrivialWhateverTheSeed) {
  const TempDir dir;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const auto data = dir.path() / std::to_string(seed);
    GenerateDataset(*FindPreset("tiny"), seed, data);
    const QueryResults results = RunReference(data).results;
    EXPECT_GE(CountLines(results[0]), 4) << seed;
    EXPECT_EQ(CountLines(results[1]), 5) << seed;
    ASSERT_EQ(CountLines(results[2]), 2) << seed;
    EXPECT_NE(results[2].substr(0, results[2].find('\n')),
              results[2].substr(results[2].find('\n') + 1))
        << seed;
    EXPECT_EQ(CountLines(results[3]), 10) << seed;
    EXPECT_EQ(results[4].find("|0.000000"), std::string::npos) << seed;
  }
}

TEST(DatagenVocabularyTest, OverviewSentencesHaveTheirMood) {
  const SentimentScorer scorer;
  const Vocabulary& vocabulary = GetVocabulary();
  for (std::string_view sentence : vocabulary.positive_sentences) {
    EXPECT_GT(scorer.Score(sentence), 0) << sentence;
  }
  for (std::string_view sentence : vocabulary.negative_sentences) {
    EXPECT_LT(scorer.Score(sentence), 0) << sentence;
  }
  for (std::string_view sentence : vocabulary.neutral_sentences) {
    EXPECT_EQ(scorer.Score(sentence), 0) << sentence;
  }
  for (std::string_view tagline : vocabulary.taglines) {
    EXPECT_EQ(tagline.find('\n'), std::string_view::npos);
  }
}

TEST(DatagenTest, CorruptedFilesNeverCrashTheReference) {
  const TempDir dir;
  GenerateDataset(*FindPreset("tiny"), 9, dir.path());
  std::string files[3];
  for (int i = 0; i < 3; ++i) files[i] = ReadFileBytes(dir.path() / kFiles[i]);
  Random random(13);
  constexpr std::string_view kNoise = "\",\n\r[]{}'\\:0-.x\xC3";
  for (int round = 0; round < 30; ++round) {
    std::string corrupted[3];
    for (int i = 0; i < 3; ++i) {
      corrupted[i] = files[i].substr(0, files[i].size() / 4);
      for (int hit = 0; hit < 50; ++hit) {
        corrupted[i][random.Below(corrupted[i].size())] = random.Pick(kNoise);
      }
    }
    std::istringstream movies(corrupted[0]), credits(corrupted[1]),
        ratings(corrupted[2]);
    try {
      const ReferenceRun run = RunReference(movies, credits, ratings);
      EXPECT_GT(run.files[2].stats.rows, 0);
    } catch (const std::runtime_error& e) {
      // Only a broken header may stop a run.
      EXPECT_THAT(e.what(), testing::HasSubstr("header")) << e.what();
    }
  }
}

TEST(DatagenTest, UnwritableDirectoryIsAnError) {
  const TempDir dir;
  WriteFileBytes(dir.path() / "file", "x");
  EXPECT_THROW(GenerateDataset(*FindPreset("tiny"), 1, dir.path() / "file"),
               std::runtime_error);
}

}  // namespace
}  // namespace chancho::movies
