// CompareFiles in each mode, with hand-worked diffs (the ordered ones are
// what `diff -u` prints for the same files).
#include "harness/compare/compare.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.h"
#include "harness/compare/compare_test_util.h"

namespace chancho::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// "prefix1\n" ... "prefix<n>\n".
std::string Numbered(const std::string& prefix, int first, int last) {
  std::string text;
  for (int i = first; i <= last; ++i) text += prefix + std::to_string(i) + "\n";
  return text;
}

class CompareFilesTest : public ::testing::Test {
 protected:
  FileComparison Compare(const std::string& known_good,
                         const std::string& result,
                         const CompareOptions& options = {}) {
    WriteFile(dir_ / "known_good.txt", known_good);
    WriteFile(dir_ / "result.txt", result);
    return CompareFiles(dir_ / "result.txt", dir_ / "known_good.txt", options);
  }

  TempDir dir_;
};

TEST_F(CompareFilesTest, IdenticalFilesMatch) {
  const auto c = Compare("a|1\nb|2\n", "a|1\nb|2\n");
  EXPECT_EQ(c.status, FileStatus::kMatch);
  EXPECT_EQ(c.missing_lines, 0);
  EXPECT_EQ(c.extra_lines, 0);
  EXPECT_THAT(c.diff, IsEmpty());
  EXPECT_EQ(c.result, dir_ / "result.txt");
  EXPECT_EQ(c.known_good, dir_ / "known_good.txt");
  EXPECT_EQ(Compare("", "").status, FileStatus::kMatch);
}

TEST_F(CompareFilesTest, OneDifferingLineShowsItsHunk) {
  std::string result = Numbered("line ", 1, 10);
  result.replace(result.find("line 6"), 6, "LINE 6");
  const auto c = Compare(Numbered("line ", 1, 10), result);
  EXPECT_EQ(c.status, FileStatus::kMismatch);
  EXPECT_EQ(c.missing_lines, 1);
  EXPECT_EQ(c.extra_lines, 1);
  EXPECT_THAT(c.diff, ElementsAre("@@ -3,7 +3,7 @@", " line 3", " line 4",
                                  " line 5", "-line 6", "+LINE 6", " line 7",
                                  " line 8", " line 9"));
  EXPECT_FALSE(c.diff_truncated);
}

TEST_F(CompareFilesTest, CountsMissingAndExtraLines) {
  // c is gone; x and y are new.
  const auto c =
      Compare("a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nd\ne\nf\nx\ny\ng\nh\n");
  EXPECT_EQ(c.status, FileStatus::kMismatch);
  EXPECT_EQ(c.missing_lines, 1);
  EXPECT_EQ(c.extra_lines, 2);
  EXPECT_THAT(c.diff, ElementsAre("@@ -1,8 +1,9 @@", " a", " b", "-c", " d",
                                  " e", " f", "+x", "+y", " g", " h"));
  EXPECT_FALSE(c.diff_truncated);
}

TEST_F(CompareFilesTest, ChangesMoreThanSixLinesApartShowOnlyTheFirstHunk) {
  std::string result = Numbered("", 1, 20);
  result.replace(result.find("\n2\n") + 1, 1, "two");
  result.replace(result.find("\n15\n") + 1, 2, "fifteen");
  const auto c = Compare(Numbered("", 1, 20), result);
  EXPECT_EQ(c.missing_lines, 2);
  EXPECT_EQ(c.extra_lines, 2);
  EXPECT_THAT(c.diff, ElementsAre("@@ -1,5 +1,5 @@", " 1", "-2", "+two", " 3",
                                  " 4", " 5"));
  EXPECT_TRUE(c.diff_truncated);
}

TEST_F(CompareFilesTest, ChangesSixLinesApartShareAHunk) {
  std::string result = Numbered("", 1, 12);
  result.replace(result.find("\n2\n") + 1, 1, "two");
  result.replace(result.find("\n9\n") + 1, 1, "nine");
  const auto c = Compare(Numbered("", 1, 12), result);
  EXPECT_EQ(c.missing_lines, 2);
  EXPECT_EQ(c.extra_lines, 2);
  EXPECT_THAT(c.diff, ElementsAre("@@ -1,12 +1,12 @@", " 1", "-2", "+two", " 3",
                                  " 4", " 5", " 6", " 7", " 8", "-9", "+nine",
                                  " 10", " 11", " 12"));
  EXPECT_FALSE(c.diff_truncated);
}

TEST_F(CompareFilesTest, AHunkShowsAtMostTwentyLines) {
  const auto c = Compare(Numbered("k", 1, 100), Numbered("r", 1, 100));
  EXPECT_EQ(c.missing_lines, 100);
  EXPECT_EQ(c.extra_lines, 100);
  std::vector<std::string> expected = {"@@ -1,20 +0,0 @@"};
  for (int i = 1; i <= 20; ++i) expected.push_back("-k" + std::to_string(i));
  EXPECT_EQ(c.diff, expected);
  EXPECT_TRUE(c.diff_truncated);
}

TEST_F(CompareFilesTest, AMissingFinalNewlineIsADifference) {
  const auto c = Compare("a\nb", "a\nb\n");
  EXPECT_EQ(c.status, FileStatus::kMismatch);
  EXPECT_EQ(c.missing_lines, 1);
  EXPECT_EQ(c.extra_lines, 1);
  EXPECT_THAT(c.diff, ElementsAre("@@ -1,2 +1,2 @@", " a", "-b",
                                  "\\ No newline at end of file", "+b"));
}

TEST_F(CompareFilesTest, EmptyKnownGood) {
  const auto c = Compare("", "x\n");
  EXPECT_EQ(c.missing_lines, 0);
  EXPECT_EQ(c.extra_lines, 1);
  EXPECT_THAT(c.diff, ElementsAre("@@ -0,0 +1 @@", "+x"));
  const auto empty_result = Compare("x\ny\n", "");
  EXPECT_EQ(empty_result.missing_lines, 2);
  EXPECT_EQ(empty_result.extra_lines, 0);
  EXPECT_THAT(empty_result.diff, ElementsAre("@@ -1,2 +0,0 @@", "-x", "-y"));
}

TEST_F(CompareFilesTest, ALongInsertionIsFoundBeyondTheFirstWindow) {
  // 5000 new lines in the middle: the look-ahead window has to grow.
  const std::string known_good = Numbered("k", 1, 1000);
  const std::string result = Numbered("k", 1, 500) + Numbered("new", 1, 5000) +
                             Numbered("k", 501, 1000);
  const auto c = Compare(known_good, result);
  EXPECT_EQ(c.missing_lines, 0);
  EXPECT_EQ(c.extra_lines, 5000);
  ASSERT_EQ(c.diff.size(), 21u);
  EXPECT_EQ(c.diff[0], "@@ -498,3 +498,20 @@");
  EXPECT_EQ(c.diff[1], " k498");
  EXPECT_EQ(c.diff[4], "+new1");
  EXPECT_EQ(c.diff[20], "+new17");
  EXPECT_TRUE(c.diff_truncated);
}

TEST_F(CompareFilesTest, ContextLinesAcrossReadBlocks) {
  // Lines of 300,000 bytes: lines 1-3 end in the first 1 MiB block, line 4
  // ends in the second, and line 5 differs there at its 11th byte.
  std::string known_good;
  for (char c : {'a', 'b', 'c', 'd', 'e', 'f'}) {
    known_good += std::string(299'999, c) + "\n";
  }
  std::string result = known_good;
  result[4 * 300'000 + 10] = 'Z';
  const auto c = Compare(known_good, result);
  EXPECT_EQ(c.missing_lines, 1);
  EXPECT_EQ(c.extra_lines, 1);
  const auto shown = [](std::string line) {
    return line.substr(0, 400) + " [... 299599 more bytes]";
  };
  EXPECT_THAT(c.diff, ElementsAre("@@ -2,5 +2,5 @@",
                                  " " + shown(std::string(299'999, 'b')),
                                  " " + shown(std::string(299'999, 'c')),
                                  " " + shown(std::string(299'999, 'd')),
                                  "-" + shown(std::string(299'999, 'e')),
                                  "+" + shown(std::string(10, 'e') + "Z" +
                                              std::string(299'988, 'e')),
                                  " " + shown(std::string(299'999, 'f'))));
}

TEST_F(CompareFilesTest, LinesOfOddLengthsAcrossReaderRefills) {
  // Lines of 1 to 600,000 bytes, none a multiple of 64, so that the line
  // reader's partial lines (moved to end on a cache line before each read)
  // take every shape, some longer than its 256 KiB buffer.
  std::string known_good;
  int lines = 0;
  for (size_t length = 1; length < 600'000; length = length * 3 + 7) {
    for (int k = 0; k < 40; ++k, ++lines) {
      known_good += std::string(length + k, static_cast<char>('a' + k % 26));
      known_good += std::to_string(lines) + "\n";
    }
  }
  // The first two lines swapped: the bytes differ at once, so every line
  // goes through the line reader, in both modes.
  const size_t first = known_good.find('\n') + 1;
  const size_t second = known_good.find('\n', first) + 1;
  const std::string result = known_good.substr(first, second - first) +
                             known_good.substr(0, first) +
                             known_good.substr(second);
  EXPECT_EQ(Compare(known_good, result, Options(true)).status,
            FileStatus::kMatch);
  const auto c = Compare(known_good, result);
  EXPECT_EQ(c.missing_lines, 1);
  EXPECT_EQ(c.extra_lines, 1);
  // One changed line near the end: the byte scan counts every line before.
  std::string changed = known_good;
  changed[changed.size() - 3] = '#';
  const auto d = Compare(known_good, changed);
  EXPECT_EQ(d.missing_lines, 1);
  EXPECT_EQ(d.extra_lines, 1);
  EXPECT_EQ(d.diff[0], "@@ -" + std::to_string(lines - 3) + ",4 +" +
                           std::to_string(lines - 3) + ",4 @@");
}

TEST_F(CompareFilesTest, MissingFiles) {
  WriteFile(dir_ / "known_good.txt", "a\n");
  auto c = CompareFiles(dir_ / "nope.txt", dir_ / "known_good.txt");
  EXPECT_EQ(c.status, FileStatus::kMissing);
  EXPECT_EQ(FileStatusName(c.status), "missing");
  c = CompareFiles(dir_ / "known_good.txt", dir_ / "nope.txt");
  EXPECT_EQ(c.status, FileStatus::kKnownGoodMissing);
  EXPECT_EQ(FileStatusName(c.status), "known-good missing");
}

TEST_F(CompareFilesTest, ADirectoryIsNotAResultFile) {
  WriteFile(dir_ / "known_good.txt", "a\n");
  std::filesystem::create_directories(dir_ / "sub");
  EXPECT_THROW(CompareFiles(dir_ / "sub", dir_ / "known_good.txt"), Error);
}

TEST_F(CompareFilesTest, UnorderedMatchesPermutedLines) {
  // The final newline does not matter either.
  const CompareOptions unordered = Options(true);
  EXPECT_EQ(Compare("a\nb\nc\n", "c\na\nb", unordered).status,
            FileStatus::kMatch);
  EXPECT_EQ(Compare("a\nb\nc\n", "c\na\nb").status, FileStatus::kMismatch);
}

TEST_F(CompareFilesTest, UnorderedCountsDuplicates) {
  const CompareOptions unordered = Options(true);
  const auto c = Compare("a\nb\nb\n", "a\na\nb\n", unordered);
  EXPECT_EQ(c.status, FileStatus::kMismatch);
  EXPECT_EQ(c.missing_lines, 1);
  EXPECT_EQ(c.extra_lines, 1);
  EXPECT_THAT(c.diff, ElementsAre("-b", "+a"));
  EXPECT_FALSE(c.diff_truncated);
}

TEST_F(CompareFilesTest, UnorderedListsMissingThenExtraInFileOrder) {
  const CompareOptions unordered = Options(true);
  const auto c = Compare("a\nb\nc\nd\n", "d\nx\na\n", unordered);
  EXPECT_EQ(c.missing_lines, 2);
  EXPECT_EQ(c.extra_lines, 1);
  EXPECT_THAT(c.diff, ElementsAre("-b", "-c", "+x"));
}

TEST_F(CompareFilesTest, UnorderedShowsAtMostTenExamplesPerSide) {
  const CompareOptions unordered = Options(true);
  const auto c = Compare(Numbered("k", 1, 30), Numbered("r", 1, 5), unordered);
  EXPECT_EQ(c.missing_lines, 30);
  EXPECT_EQ(c.extra_lines, 5);
  ASSERT_EQ(c.diff.size(), 15u);
  EXPECT_EQ(c.diff[0], "-k1");
  EXPECT_EQ(c.diff[9], "-k10");
  EXPECT_EQ(c.diff[10], "+r1");
  EXPECT_TRUE(c.diff_truncated);
}

TEST_F(CompareFilesTest, FloatToleranceWithinAndOutside) {
  const std::string known_good = "AR|1.000000\nES|2.500000\n";
  const std::string result = "AR|1.0000005\nES|2.5\n";
  EXPECT_EQ(Compare(known_good, result, Options(false, 1e-6)).status,
            FileStatus::kMatch);
  const auto c = Compare(known_good, result, Options(false, 1e-7));
  EXPECT_EQ(c.status, FileStatus::kMismatch);
  EXPECT_EQ(c.missing_lines, 1);
  EXPECT_EQ(c.extra_lines, 1);
  EXPECT_THAT(c.diff, ElementsAre("@@ -1,2 +1,2 @@", "-AR|1.000000",
                                  "+AR|1.0000005", " ES|2.500000"));
  EXPECT_EQ(Compare(known_good, result).status, FileStatus::kMismatch);
}

TEST_F(CompareFilesTest, FloatToleranceComparesOtherFieldsExactly) {
  const CompareOptions tolerant = Options(false, 1.0);
  EXPECT_EQ(Compare("AR|1.0\n", "ES|1.0\n", tolerant).status,
            FileStatus::kMismatch);
  EXPECT_EQ(Compare("AR|1.0\n", "AR|1.0|x\n", tolerant).status,
            FileStatus::kMismatch);
  EXPECT_EQ(Compare("AR|1.0\n", "AR|x\n", tolerant).status,
            FileStatus::kMismatch);
  EXPECT_EQ(Compare("AR|10|x\n", "AR|10.5|x\n", tolerant).status,
            FileStatus::kMatch);
  EXPECT_EQ(Compare("1.0\n", "1.00\n", Options(false, 0.0)).status,
            FileStatus::kMatch);
}

TEST_F(CompareFilesTest, UnorderedWithFloatTolerance) {
  const std::string known_good = "a|1.0\nb|2.0\nc|3.0\n";
  const std::string result = "c|3.01\na|0.99\nb|2.0\n";
  EXPECT_EQ(Compare(known_good, result, Options(true, 0.02)).status,
            FileStatus::kMatch);
  const auto c = Compare(known_good, result, Options(true, 0.001));
  EXPECT_EQ(c.missing_lines, 2);
  EXPECT_EQ(c.extra_lines, 2);
  EXPECT_THAT(c.diff, ElementsAre("-a|1.0", "-c|3.0", "+c|3.01", "+a|0.99"));
}

TEST_F(CompareFilesTest, UnorderedToleranceMatchesEachLineOnce) {
  const auto c = Compare("x|1.0\nx|1.0\n", "x|1.05\nx|5\n", Options(true, 0.1));
  EXPECT_EQ(c.missing_lines, 1);
  EXPECT_EQ(c.extra_lines, 1);
  EXPECT_THAT(c.diff, ElementsAre("-x|1.0", "+x|5"));
}

TEST_F(CompareFilesTest, RejectsABadTolerance) {
  EXPECT_THROW(Compare("a\n", "a\n", Options(false, -1)), Error);
}

}  // namespace
}  // namespace chancho::testing
