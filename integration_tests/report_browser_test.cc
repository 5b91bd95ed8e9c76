// report.html in a real browser (Debian's Chromium, headless): the report
// that `chancho run` leaves for a movies run with two kills loads with no
// script error, one lane per replica, one mark per fault and the run's
// verdict, and its screenshot is not blank; a made-up run of 50 replicas
// and 300 faults, reported by `chancho report`, loads whole.
//
// The screenshots stay in <build>/test-artifacts/report/ for a look (CI
// jobs keep them as artifacts). Without Chromium the tests are skipped with
// the reason, unless CI=true, where that is a failure.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "common/file_text.h"
#include "fixtures/docker_support.h"
#include "integration_tests/cli_support.h"
#include "integration_tests/scenario_support.h"
#include "harness/record/report_test_util.h"
#include "test_support/headless_chromium.h"
#include "test_support/png_histogram.h"
#include "test_support/synthetic_record.h"

namespace chancho::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using report_test::Count;

// The value of `attribute` on the <body> of a dumped DOM, or "".
std::string BodyAttribute(const std::string& dom, const std::string& attribute) {
  const std::regex body("<body[^>]*\\s" + attribute + "=\"([^\"]*)\"");
  std::smatch m;
  return std::regex_search(dom, m, body) ? m[1].str() : "";
}

fs::path ArtifactDir() {
  const fs::path dir = BinDir().parent_path() / "test-artifacts" / "report";
  fs::create_directories(dir);
  return dir;
}

class ReportBrowserTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (const auto missing = ChromiumMissing()) {
      if (IsCi()) FAIL() << "CI=true, and no headless browser can run: " << *missing;
      GTEST_SKIP() << *missing;
    }
  }

  // Loads the report and checks what every report must show.
  LoadedPage Load(const fs::path& report) {
    LoadedPage page = LoadPage(report);
    EXPECT_EQ(BodyAttribute(page.dom, "data-report-ready"), "yes")
        << "the report's script did not run to its end";
    EXPECT_EQ(BodyAttribute(page.dom, "data-js-errors"), "0");
    EXPECT_THAT(page.errors, IsEmpty());
    EXPECT_THAT(page.dom, HasSubstr("<ul id=\"js-errors\"></ul>"));
    return page;
  }
};

TEST_F(ReportBrowserTest, EveryRunLeavesAReportThatShowsItsReplicasFaultsAndVerdict) {
  const auto r = RunChancho(
      "run '" + (SourceDir() / "integration_tests/scenarios/movies-kill-join.json").string() +
          "' --runs-root runs",
      dir_, 600);
  Record record;
  ASSERT_TRUE(Survived(r, record, 2));
  const fs::path report = RecordPath(r.out).parent_path() / "report.html";
  ASSERT_TRUE(fs::exists(report)) << r.out;
  EXPECT_THAT(r.out, HasSubstr("| report: " + report.string()));

  const LoadedPage page = Load(report);
  const auto& d = record.doc;
  EXPECT_EQ(Count(page.dom, "<g class=\"lane"), static_cast<int>(d["replicas"].Size()));
  EXPECT_EQ(BodyAttribute(page.dom, "data-lanes"), std::to_string(d["replicas"].Size()));
  EXPECT_EQ(Count(page.dom, "<g class=\"fault "), static_cast<int>(d["faults"].Size()));
  EXPECT_EQ(Count(page.dom, "<g class=\"fault ok\""), 2);
  EXPECT_EQ(BodyAttribute(page.dom, "data-verdict"), "match");
  // Both kills hit join-movie-ratings-2, which came back each time.
  EXPECT_THAT(page.dom, HasSubstr("data-replica=\"join-movie-ratings-2\""));
  // Both recoveries are counted (the browser turns &rarr; into its character).
  EXPECT_THAT(page.dom, HasSubstr(" running</td><td class=\"num\">2</td>"));
  for (const auto& c : d["clients"].GetArray()) {
    EXPECT_THAT(page.dom, HasSubstr("data-replica=\"" + std::string(c["name"].GetString()) + "\""));
  }

  const fs::path png = ArtifactDir() / "movies-kill-join.png";
  Screenshot(report, png, 1400, 1000);
  const PngHistogram h = ReadPngHistogram(png);
  EXPECT_EQ(h.width, 1400);
  // Not one colour: the lanes' states, the marks and the text.
  EXPECT_LT(h.DominantShare(), 0.95) << png;
  EXPECT_GE(h.colours.size(), 8u) << png;
}

TEST_F(ReportBrowserTest, FiftyLanesAndThreeHundredFaultsLoadWhole) {
  SyntheticRun run;
  run.services = 10;
  run.replicas = 5;
  run.faults = 300;
  WriteFileAtomically(dir_ / "record.json", SyntheticRecord(run));
  const auto r = RunChancho("report record.json -o large.html", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const LoadedPage page = Load(dir_ / "large.html");
  EXPECT_EQ(Count(page.dom, "<g class=\"lane"), 50);
  EXPECT_EQ(Count(page.dom, "<g class=\"fault "), 300);
  EXPECT_EQ(Count(page.dom, "<g class=\"group\""), 10);
  ::testing::Test::RecordProperty("load_ms", BodyAttribute(page.dom, "data-load-ms"));

  const fs::path png = ArtifactDir() / "fifty-lanes.png";
  Screenshot(dir_ / "large.html", png, 1400, 1200);
  EXPECT_LT(ReadPngHistogram(png).DominantShare(), 0.95) << png;
}

TEST_F(ReportBrowserTest, AnUnreadableRecordIsOneLine) {
  WriteFileAtomically(dir_ / "record.json", "{\"plan\": ");
  const auto r = RunChancho("report record.json", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("record.json"));
  EXPECT_EQ(Count(r.err, "\n"), 1) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "report.html"));
}

}  // namespace
}  // namespace chancho::testing
