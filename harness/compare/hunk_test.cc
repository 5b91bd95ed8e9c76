#include "harness/compare/hunk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace chancho::compare {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(HunkBuilder, NoChangeGivesNoHunk) {
  HunkBuilder hunk;
  hunk.Common("a");
  hunk.Common("b");
  hunk.Finish();
  EXPECT_THAT(hunk.Lines(), IsEmpty());
  EXPECT_FALSE(hunk.truncated());
}

TEST(HunkBuilder, ChangeAtTheStart) {
  HunkBuilder hunk;
  hunk.Removed("a");
  hunk.Added("b");
  hunk.Common("c");
  hunk.Finish();
  EXPECT_THAT(hunk.Lines(), ElementsAre("@@ -1,2 +1,2 @@", "-a", "+b", " c"));
}

TEST(HunkBuilder, KeepsThreeLinesOfContextBefore) {
  HunkBuilder hunk;
  for (const char* line : {"1", "2", "3", "4", "5"}) hunk.Common(line);
  hunk.Added("6");
  hunk.Finish();
  EXPECT_THAT(hunk.Lines(),
              ElementsAre("@@ -3,3 +3,4 @@", " 3", " 4", " 5", "+6"));
}

TEST(HunkBuilder, StopsAtMaxLines) {
  HunkBuilder hunk(3, 5);
  hunk.Common("a");
  for (int i = 1; i <= 10; ++i) hunk.Removed(std::to_string(i));
  EXPECT_TRUE(hunk.Done());
  EXPECT_TRUE(hunk.truncated());
  EXPECT_THAT(hunk.Lines(),
              ElementsAre("@@ -1,5 +1 @@", " a", "-1", "-2", "-3", "-4"));
}

TEST(HunkBuilder, WithoutContext) {
  HunkBuilder hunk(0, 20);
  hunk.Common("a");
  hunk.Removed("b");
  hunk.Common("c");
  EXPECT_TRUE(hunk.Done());
  EXPECT_THAT(hunk.Lines(), ElementsAre("@@ -2 +1,0 @@", "-b"));
}

TEST(HunkBuilder, CutsLongLines) {
  HunkBuilder hunk;
  hunk.Removed(std::string(500, 'x'));
  hunk.Finish();
  EXPECT_THAT(hunk.Lines(),
              ElementsAre("@@ -1 +0,0 @@", "-" + std::string(400, 'x') +
                                               " [... 100 more bytes]"));
}

}  // namespace
}  // namespace chancho::compare
