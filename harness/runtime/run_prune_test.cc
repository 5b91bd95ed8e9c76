#include "harness/runtime/run_prune.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chancho {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using std::chrono::hours;

const auto kNow = *RunStart("20261206T120000Z-000000");

// Runs of 1, 3, 10 and 30 days ago, and things that are not runs.
const std::vector<std::string> kRuns = {
    "20261205T120000Z-aaaaaa", "20261203T120000Z-bbbbbb", "20261126T120000Z-cccccc",
    "20261106T120000Z-dddddd", "notes", "20261399T000000Z-eeeeee"};

TEST(RunPruneTest, TheAgeComesFromTheName) {
  EXPECT_EQ(kNow - *RunStart("20261205T120000Z-aaaaaa"), hours(24));
  EXPECT_FALSE(RunStart("notes"));
  EXPECT_FALSE(RunStart("20261399T000000Z-eeeeee"));  // no 13th month
  EXPECT_FALSE(RunStart("2026120XT120000Z-aaaaaa"));
}

TEST(RunPruneTest, OlderThan) {
  EXPECT_THAT(SelectRunsToPrune(kRuns, {}, kNow, {hours(24 * 7), std::nullopt}),
              ElementsAre("20261126T120000Z-cccccc", "20261106T120000Z-dddddd"));
}

TEST(RunPruneTest, KeepTheNewest) {
  EXPECT_THAT(SelectRunsToPrune(kRuns, {}, kNow, {std::nullopt, 3}),
              ElementsAre("20261106T120000Z-dddddd"));
  EXPECT_THAT(SelectRunsToPrune(kRuns, {}, kNow, {std::nullopt, 0}).size(), 4u);
}

TEST(RunPruneTest, BothMustHold) {
  // Older than 2 days, and not among the 3 newest.
  EXPECT_THAT(SelectRunsToPrune(kRuns, {}, kNow, {hours(48), 3}),
              ElementsAre("20261106T120000Z-dddddd"));
}

TEST(RunPruneTest, ALiveRunIsNeverRemoved) {
  EXPECT_THAT(SelectRunsToPrune(kRuns, {"20261106T120000Z-dddddd", "20261126T120000Z-cccccc"},
                                kNow, {hours(24), std::nullopt}),
              ElementsAre("20261203T120000Z-bbbbbb"));
  EXPECT_THAT(SelectRunsToPrune({}, {}, kNow, {hours(1), 1}), IsEmpty());
}

}  // namespace
}  // namespace chancho
