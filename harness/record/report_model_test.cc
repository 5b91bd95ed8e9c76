#include "harness/record/report_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/error.h"
#include "harness/record/report_test_util.h"

namespace chancho {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const ReportLane& LaneOf(const ReportModel& m, const std::string& replica) {
  for (const auto& g : m.groups) {
    for (const auto& lane : g.lanes) {
      if (lane.replica == replica) return lane;
    }
  }
  throw Error("no lane " + replica);
}

TEST(ReportModelTest, LanesAreGroupedByServiceWithClientsLast) {
  const ReportModel m = BuildReportModel(report_test::SmallRecord(), "small");
  ASSERT_EQ(m.groups.size(), 3u);
  EXPECT_EQ(m.groups[0].service, "server");
  EXPECT_EQ(m.groups[1].service, "worker");
  ASSERT_EQ(m.groups[1].lanes.size(), 2u);
  EXPECT_EQ(m.groups[1].lanes[1].replica, "worker-2");
  EXPECT_EQ(m.groups[2].service, "client");
  EXPECT_TRUE(m.groups[2].lanes[0].client);
  EXPECT_EQ(m.lanes, 4);
}

TEST(ReportModelTest, TheAxisStartsWithBringUpAndEndsWithTheRun) {
  const ReportModel m = BuildReportModel(report_test::SmallRecord(), "small");
  EXPECT_EQ(m.t0, -600);  // up_ms before the plan's zero
  EXPECT_EQ(m.t1, 4200);  // duration_ms
  EXPECT_EQ(m.replay_command, "chancho run --replay /tmp/runs/r1/record.json");
}

TEST(ReportModelTest, StatesBecomeSpansAndReadinessAndRevivalsMarks) {
  const ReportModel m = BuildReportModel(report_test::SmallRecord(), "small");
  const ReportLane& server = LaneOf(m, "server");
  std::vector<std::string> kinds;
  for (const auto& s : server.spans) kinds.push_back(s.kind);
  EXPECT_THAT(kinds, ElementsAre("running", "ready", "exited", "running", "ready"));
  EXPECT_EQ(server.spans[2].from_ms, 1000);
  EXPECT_EQ(server.spans[2].to_ms, 1250);
  EXPECT_EQ(server.spans.back().to_ms, 4200);
  std::vector<std::pair<std::string, double>> marks;
  for (const auto& mark : server.marks) marks.push_back({mark.kind, mark.at_ms});
  EXPECT_THAT(marks, ElementsAre(std::pair<std::string, double>{"ready", -300},
                                 std::pair<std::string, double>{"revival", 1250},
                                 std::pair<std::string, double>{"ready", 1600},
                                 std::pair<std::string, double>{"fault", 1000}));
  EXPECT_EQ(server.marks.back().planned_ms, 900);
}

TEST(ReportModelTest, ANetworkFaultIsASpanForItsDuration) {
  const ReportModel m = BuildReportModel(report_test::SmallRecord(), "small");
  const ReportLane& worker = LaneOf(m, "worker-1");
  ASSERT_EQ(worker.links.size(), 1u);
  EXPECT_EQ(worker.links[0].from_ms, 500);
  EXPECT_EQ(worker.links[0].to_ms, 2000);  // for=1500
  EXPECT_THAT(worker.links[0].detail, HasSubstr("partition for=1500"));
}

TEST(ReportModelTest, RecoveryIsTheNextStartAndItsReadiness) {
  const ReportModel m = BuildReportModel(report_test::SmallRecord(), "small");
  EXPECT_EQ(m.faults, 5);
  EXPECT_EQ(m.faults_effective, 4);
  // The server's kill and worker-2's effective kill; the pause and the
  // link are no crash, and the kill that did not take effect is left out.
  ASSERT_EQ(m.recoveries.size(), 2u);
  EXPECT_EQ(m.recoveries[0].target, "server");
  EXPECT_EQ(m.recoveries[0].to_running, 250);
  EXPECT_EQ(m.recoveries[0].to_ready, 600);
  EXPECT_EQ(m.recoveries[1].target, "worker-2");
  EXPECT_FALSE(m.recoveries[1].to_running);
  EXPECT_EQ(m.to_running.count, 1);
  EXPECT_EQ(m.to_running.max, 250);
  EXPECT_EQ(m.to_ready.p50, 600);
}

TEST(ReportModelTest, ClientsHaveProgressAndCompletion) {
  const ReportModel m = BuildReportModel(report_test::SmallRecord(), "small");
  const ReportLane& client = LaneOf(m, "client-1");
  ASSERT_EQ(client.progress.size(), 1u);
  ASSERT_EQ(client.progress[0].points.size(), 2u);
  EXPECT_DOUBLE_EQ(client.progress[0].points[1].fraction, 0.5);
  EXPECT_EQ(client.progress[0].last, "a.csv 50/100");
  ASSERT_FALSE(client.marks.empty());
  EXPECT_EQ(client.marks.back().kind, "done");
  EXPECT_EQ(client.marks.back().label, "exit 0");
  EXPECT_TRUE(client.marks.back().ok);
}

TEST(ReportModelTest, TheComparisonKeepsTheMismatchHunk) {
  const ReportModel m = BuildReportModel(report_test::SmallRecord(), "small");
  ASSERT_EQ(m.comparison.size(), 2u);
  EXPECT_EQ(m.comparison[1].status, "mismatch");
  EXPECT_THAT(m.comparison[1].diff, ElementsAre("- AR|10", "+ AR|11"));
  EXPECT_THAT(m.triggers, ElementsAre("log client-1 /x/ #1: fired at 0.250 s"));
}

TEST(ReportModelTest, AnOlderRecordGroupsByTheNameWithoutItsNumber) {
  const std::string old = R"({"scenario_file": "s.json", "seed": 1, "plan": [],
    "faults": [{"target": "filter-spain-2000-2", "kind": "kill", "actual_ms": 5,
                "took_effect": true}],
    "state_changes": [{"at_ms": 0, "replica": "filter-spain-2000-1",
                       "state": "running", "starts": 1, "ready": true}]})";
  const ReportModel m = BuildReportModel(old, "old");
  ASSERT_EQ(m.groups.size(), 1u);
  EXPECT_EQ(m.groups[0].service, "filter-spain-2000");
  EXPECT_EQ(m.groups[0].lanes.size(), 2u);
}

// Found by fuzz_record: a fault without a target, or a client without a
// name, was drawn on a lane that does not exist (out of bounds).
TEST(ReportModelTest, FaultsAndClientsWithoutANameAreCountedNotDrawn) {
  const ReportModel m = BuildReportModel(
      R"({"plan": [], "faults": [{"kind": "kill", "actual_ms": 5, "took_effect": true}],
          "clients": [{"exit_code": 0, "completed_ms": 9}]})",
      "nameless");
  EXPECT_EQ(m.faults, 1);
  EXPECT_EQ(m.lanes, 0);
  EXPECT_TRUE(m.recoveries.empty());
}

// Found by fuzz_record: a start count beyond int was converted out of
// range (undefined behaviour); now it is clamped.
TEST(ReportModelTest, NumbersBeyondTheirTypeAreClamped) {
  const ReportModel m = BuildReportModel(
      R"({"plan": [], "exit_code": 1e300, "state_changes": [
          {"at_ms": 1e20, "replica": "a", "state": "running", "starts": 1e55, "pid": -1e55},
          {"at_ms": 1e20, "replica": "a", "state": "exited", "starts": 1, "pid": 1}]})",
      "huge");
  EXPECT_EQ(m.exit_code, 2'000'000'000);
  ASSERT_EQ(m.groups.size(), 1u);
  EXPECT_EQ(m.groups[0].lanes[0].spans.size(), 2u);
}

TEST(ReportModelTest, WhatIsNotARecordIsOneLineNamingTheSource) {
  for (const std::string text : {"", "[]", "{", "{\"seed\": 1}"}) {
    try {
      BuildReportModel(text, "bad.json");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr("bad.json"));
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
}

TEST(ReportStatsTest, NearestRankPercentiles) {
  const ReportStats s = Stats({5, 1, 3, 2, 4});
  EXPECT_EQ(s.count, 5);
  EXPECT_EQ(s.p50, 3);
  EXPECT_EQ(s.p99, 5);
  EXPECT_EQ(s.max, 5);
  EXPECT_EQ(Stats({}).count, 0);
}

}  // namespace
}  // namespace chancho
