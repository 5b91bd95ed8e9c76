// Two million lines: the comparator streams them, and the peak memory of
// the process grows by little in exact mode (and by the hash table only in
// unordered mode).
#include <gtest/gtest.h>
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "harness/compare/compare.h"
#include "harness/compare/compare_test_util.h"

namespace chancho::testing {
namespace {

constexpr int kLines = 2'000'000;

// "movie 0000001|<n>.<6 digits>" lines; line `changed` (1-based) gets a
// different value and line `dropped` is left out (0: none).
void WriteLines(const std::filesystem::path& path, int changed = 0,
                int dropped = 0) {
  std::ofstream out(path, std::ios::binary);
  std::string chunk;
  char line[64];
  for (int i = 1; i <= kLines; ++i) {
    if (i == dropped) continue;
    const int n = std::snprintf(line, sizeof line, "movie %07d|%d.%06d\n", i,
                                i % 97, (i == changed ? 7 : i * 13) % 1000000);
    chunk.append(line, n);
    if (chunk.size() > (1 << 20)) {
      out << chunk;
      chunk.clear();
    }
  }
  out << chunk;
}

// VmHWM (peak resident memory) of this process, in KiB.
long PeakKib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == "VmHWM:") {
      status >> value;
      return value;
    }
    status.ignore(1 << 10, '\n');
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so that the next reading
// is the peak of what runs in between. Freed heap memory goes back to the
// system first, so that earlier tests' memory cannot hide new growth.
void ResetPeak() {
  ::malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
}

struct Measured {
  FileComparison comparison;
  long peak_growth_kib;
  double seconds;
};

Measured Measure(const std::filesystem::path& result,
                 const std::filesystem::path& known_good,
                 const CompareOptions& options = {}) {
  ResetPeak();
  const long before = PeakKib();
  const auto start = std::chrono::steady_clock::now();
  Measured m{CompareFiles(result, known_good, options), 0, 0};
  m.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  m.peak_growth_kib = PeakKib() - before;
  return m;
}

class LargeFileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    WriteLines(*dir_ / "known_good.txt");
    WriteLines(*dir_ / "same.txt");
    WriteLines(*dir_ / "changed.txt", 1'000'001);
    WriteLines(*dir_ / "dropped.txt", 0, 1'500'000);
    // The files differ from their first line on, so every line is compared.
    WriteLines(*dir_ / "first_changed.txt", 1);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static void Report(const char* what, const Measured& m) {
    std::cout << "[ memory   ] " << what << ": peak grew by "
              << m.peak_growth_kib << " KiB in " << m.seconds << " s\n";
    RecordProperty(std::string(what) + "_peak_growth_kib",
                   std::to_string(m.peak_growth_kib));
  }

  static TempDir* dir_;
};

TempDir* LargeFileTest::dir_ = nullptr;

// Exact mode holds a few MiB whatever the file size.
constexpr long kExactBoundKib = 16 << 10;

TEST_F(LargeFileTest, ExactMatchStaysSmall) {
  const auto m = Measure(*dir_ / "same.txt", *dir_ / "known_good.txt");
  Report("exact_match", m);
  EXPECT_EQ(m.comparison.status, FileStatus::kMatch);
  EXPECT_GE(m.peak_growth_kib, 0);
  EXPECT_LT(m.peak_growth_kib, kExactBoundKib);
}

TEST_F(LargeFileTest, ExactMismatchInTheMiddleStaysSmall) {
  const auto m = Measure(*dir_ / "changed.txt", *dir_ / "known_good.txt");
  Report("exact_mismatch", m);
  const auto& c = m.comparison;
  EXPECT_EQ(c.status, FileStatus::kMismatch);
  EXPECT_EQ(c.missing_lines, 1);
  EXPECT_EQ(c.extra_lines, 1);
  ASSERT_EQ(c.diff.size(), 9u);
  // Line 1000001: 1000001 % 97 = 1000001 - 97 * 10309 = 28, and its
  // fraction is 1000001 * 13 % 10^6 = 13000013 % 10^6 = 13, or 7 once
  // changed. Line 999998: 25 and 12999974 % 10^6 = 999974.
  EXPECT_EQ(c.diff[0], "@@ -999998,7 +999998,7 @@");
  EXPECT_EQ(c.diff[1], " movie 0999998|25.999974");
  EXPECT_EQ(c.diff[4], "-movie 1000001|28.000013");
  EXPECT_EQ(c.diff[5], "+movie 1000001|28.000007");
  EXPECT_LT(m.peak_growth_kib, kExactBoundKib);
}

TEST_F(LargeFileTest, ExactDroppedLine) {
  const auto m = Measure(*dir_ / "dropped.txt", *dir_ / "known_good.txt");
  Report("exact_dropped", m);
  EXPECT_EQ(m.comparison.missing_lines, 1);
  EXPECT_EQ(m.comparison.extra_lines, 0);
  EXPECT_LT(m.peak_growth_kib, kExactBoundKib);
}

TEST_F(LargeFileTest, ExactDiffOfEveryLineStaysSmall) {
  const auto m = Measure(*dir_ / "first_changed.txt", *dir_ / "known_good.txt");
  Report("exact_mismatch_line_1", m);
  EXPECT_EQ(m.comparison.missing_lines, 1);
  EXPECT_EQ(m.comparison.extra_lines, 1);
  EXPECT_LT(m.peak_growth_kib, kExactBoundKib);
}

TEST_F(LargeFileTest, ToleranceMismatchStaysSmall) {
  const auto m = Measure(*dir_ / "changed.txt", *dir_ / "known_good.txt",
                         Options(false, 0.02));
  Report("tolerance_match", m);
  // 0.000013 and 0.000007 are 0.000006 apart.
  EXPECT_EQ(m.comparison.status, FileStatus::kMatch);
  EXPECT_LT(m.peak_growth_kib, kExactBoundKib);
}

TEST_F(LargeFileTest, UnorderedCostsTheHashTableOnly) {
  const auto m = Measure(*dir_ / "first_changed.txt", *dir_ / "known_good.txt",
                         Options(true));
  Report("unordered_mismatch", m);
  EXPECT_EQ(m.comparison.missing_lines, 1);
  EXPECT_EQ(m.comparison.extra_lines, 1);
  // 2M distinct hashes (plus one) in 16-byte slots, at most 70% full: the
  // final table has 2^22 slots (64 MiB) and the one before it 2^21 (32 MiB)
  // while it doubles; no line text is kept.
  EXPECT_LT(m.peak_growth_kib, 100 << 10);
  EXPECT_GT(m.peak_growth_kib, 64 << 10);
}

}  // namespace
}  // namespace chancho::testing
