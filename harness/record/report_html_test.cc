#include "harness/record/report_html.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>

#include "common/error.h"
#include "common/file_text.h"
#include "harness/record/report_test_util.h"

namespace chancho {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

using report_test::Count;

TEST(ReportHtmlTest, OneLanePerReplicaAndOneMarkPerFault) {
  const std::string html = ReportHtml(report_test::SmallRecord());
  const std::string timeline = html.substr(html.find("<svg id=\"timeline\""));
  EXPECT_THAT(html, HasSubstr("data-lanes=\"4\""));
  EXPECT_THAT(html, HasSubstr("data-faults=\"5\""));
  EXPECT_EQ(Count(html, "<g class=\"lane"), 4);
  EXPECT_EQ(Count(html, "<g class=\"fault "), 5);
  EXPECT_EQ(Count(html, "<g class=\"fault failed\""), 1);
  EXPECT_EQ(Count(timeline, "<rect class=\"link\""), 1);
  EXPECT_EQ(Count(timeline, "<polyline class=\"progress\""), 1);
}

TEST(ReportHtmlTest, TheHeaderSaysWhatRanAndHowToReplayIt) {
  const std::string html = ReportHtml(report_test::SmallRecord());
  EXPECT_THAT(html, HasSubstr("data-verdict=\"mismatch\""));
  EXPECT_THAT(html, HasSubstr("class=\"verdict v-fail\">mismatch<"));
  EXPECT_THAT(html, HasSubstr("<dt>seed</dt><dd>42</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>runtime</dt><dd>process</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>spec</dt><dd>/tmp/spec.json</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>run</dt><dd>4.200 s</dd>"));
  EXPECT_THAT(html, HasSubstr("chancho run --replay /tmp/runs/r1/record.json"));
}

TEST(ReportHtmlTest, RecoveryAndComparisonTables) {
  const std::string html = ReportHtml(report_test::SmallRecord());
  EXPECT_THAT(html, HasSubstr("fault &rarr; running</td><td class=\"num\">1</td>"
                              "<td class=\"num\">250 ms</td>"));
  EXPECT_THAT(html, HasSubstr("not back"));
  EXPECT_THAT(html, HasSubstr("data-status=\"mismatch\""));
  EXPECT_THAT(html, HasSubstr("<pre class=\"hunk\">- AR|10\n+ AR|11\n</pre>"));
}

TEST(ReportHtmlTest, ItFetchesNothing) {
  const std::string html = ReportHtml(report_test::SmallRecord());
  EXPECT_THAT(html, Not(HasSubstr(" src=")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  // The only address is the SVG namespace, which is a name, not a fetch.
  EXPECT_EQ(Count(html, "http"), Count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
}

TEST(ReportHtmlTest, TextFromTheRecordIsEscaped) {
  std::string record = report_test::SmallRecord();
  record.replace(record.find("\"small\""), 7, "\"<script>alert(1)</script>\"");
  const std::string html = ReportHtml(record);
  EXPECT_THAT(html, Not(HasSubstr("<script>alert(1)")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  // The fault's detail "already exited <gone>" too.
  EXPECT_THAT(html, HasSubstr("already exited &lt;gone&gt;"));
}

TEST(ReportHtmlTest, WriteReportPutsItBesideTheRecord) {
  const fs::path dir = fs::temp_directory_path() /
                       ("chancho-report-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  WriteFileAtomically(dir / "record.json", report_test::SmallRecord());
  EXPECT_EQ(WriteReport(dir), dir / "report.html");
  EXPECT_THAT(ReadText(dir / "report.html"), HasSubstr("data-lanes=\"4\""));
  EXPECT_EQ(WriteReport(dir / "record.json", dir / "other.html"), dir / "other.html");
  EXPECT_TRUE(fs::exists(dir / "other.html"));
  try {
    WriteReport(dir / "missing.json");
    ADD_FAILURE() << "a missing record was read";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing.json"));
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace chancho
