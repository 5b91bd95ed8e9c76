#include "harness/record/record.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "common/error.h"

namespace chancho {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class RecordFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() /
            ("chancho-record-test-" + std::to_string(::getpid()) + ".json");
  }
  void TearDown() override { fs::remove(path_); }
  void Write(const std::string& text) { std::ofstream(path_) << text; }

  fs::path path_;
};

TEST_F(RecordFileTest, WhatAReplayNeedsComesBack) {
  RunRecord record;
  record.scenario_file = "/s/movies-partition.json";
  record.runtime = "docker";
  record.seed = 7;
  FaultEvent kill;
  kill.at = std::chrono::milliseconds(250);
  kill.kind = FaultKind::kKill;
  kill.targets = {"filter-argentina-1", "sentiment-2"};
  kill.signal = 9;
  record.plan = {kill};
  Write(RecordToJson(record));

  const RunRecord loaded = LoadRecord(path_);
  EXPECT_EQ(loaded.scenario_file, record.scenario_file);
  EXPECT_EQ(loaded.runtime, "docker");
  EXPECT_EQ(loaded.seed, 7u);
  ASSERT_EQ(loaded.plan.size(), 1u);
  EXPECT_EQ(loaded.plan[0].at, kill.at);
  EXPECT_EQ(loaded.plan[0].kind, FaultKind::kKill);
  EXPECT_EQ(loaded.plan[0].targets, kill.targets);
  EXPECT_EQ(loaded.plan[0].signal, 9);
}

TEST_F(RecordFileTest, WhatShrinkingNeedsComesBack) {
  RunRecord record;
  record.scenario_file = "/s/movies-planted-bug.json";
  record.runtime = "process";
  record.run_dir = "/r/20261206T000000Z-abc";
  record.verdict = "mismatch";
  record.exit_code = 1;
  FaultOutcome applied;
  applied.target = "join-movie-ratings";
  applied.kind = FaultKind::kKill;
  applied.origin = "auto";
  applied.event = "auto/8";
  applied.trigger = "clock";
  applied.planned = std::chrono::milliseconds(8000);
  applied.actual = std::chrono::milliseconds(8046);
  applied.took_effect = true;
  FaultOutcome missed = applied;
  missed.kind = FaultKind::kStop;
  missed.took_effect = false;
  missed.detail = "already exited";
  record.faults = {applied, missed};
  Write(RecordToJson(record));

  const RunRecord loaded = LoadRecord(path_);
  EXPECT_EQ(loaded.verdict, "mismatch");
  EXPECT_EQ(loaded.exit_code, 1);
  EXPECT_EQ(loaded.run_dir, record.run_dir);
  ASSERT_EQ(loaded.faults.size(), 2u);
  EXPECT_EQ(loaded.faults[0].target, "join-movie-ratings");
  EXPECT_EQ(loaded.faults[0].event, "auto/8");
  EXPECT_EQ(loaded.faults[0].actual, std::chrono::milliseconds(8046));
  EXPECT_TRUE(loaded.faults[0].took_effect);
  EXPECT_EQ(loaded.faults[1].kind, FaultKind::kStop);
  EXPECT_FALSE(loaded.faults[1].took_effect);
  EXPECT_EQ(loaded.faults[1].detail, "already exited");

  record.exit_code = 0;
  record.verdict = "match";
  Write(RecordToJson(record));
  EXPECT_EQ(LoadRecord(path_).exit_code, 0);
}

TEST_F(RecordFileTest, TriggersAndWhatTheyDidAreRecordedAndReplayed) {
  RunRecord record;
  record.scenario_file = "/s/movies-kill-handler.json";
  record.runtime = "process";
  record.seed = 1;
  Trigger on;
  on.kind = Trigger::Kind::kProgress;
  on.replicas = ParseSelector("client-1");
  on.file = "ratings.csv";
  on.fraction = 0.3;
  Trigger until;
  until.kind = Trigger::Kind::kExited;
  until.replicas = ParseSelector("prefix:client-");
  FaultEvent kill;
  kill.id = "events/0";
  kill.at = std::chrono::milliseconds(100);
  kill.targets = {"client-handler"};
  kill.trigger = on;
  kill.until = until;
  record.plan = {kill};
  FaultOutcome outcome;
  outcome.target = "client-handler";
  outcome.event = "events/0";
  outcome.trigger = Describe(on);
  outcome.triggered = std::chrono::milliseconds(1234);
  outcome.planned = std::chrono::milliseconds(1334);
  outcome.actual = std::chrono::milliseconds(1340);
  outcome.took_effect = true;
  record.faults = {outcome};
  record.triggers = {{on, std::chrono::milliseconds(1234), "client-1: done: 30"},
                     {until, std::nullopt, ""}};
  record.unapplied = {{"auto/3", UnappliedEvent::Why::kTriggerNeverFired,
                       "trigger never fired: exited all of prefix:client-"}};
  const std::string json = RecordToJson(record);
  EXPECT_THAT(json, HasSubstr(R"("trigger": "progress client-1 ratings.csv 30%")"));
  EXPECT_THAT(json, HasSubstr(R"("triggered_ms": 1234)"));
  EXPECT_THAT(json, HasSubstr(R"("fired_ms": null)"));
  EXPECT_THAT(json, HasSubstr(R"("why": "trigger_never_fired")"));
  Write(json);

  // A replay re-applies the same triggers.
  const RunRecord loaded = LoadRecord(path_);
  ASSERT_EQ(loaded.plan.size(), 1u);
  EXPECT_EQ(loaded.plan[0], kill);
}

TEST_F(RecordFileTest, AnUnknownRuntimeIsABadRecord) {
  Write(R"({"scenario_file": "/s.json", "seed": 1, "plan": [],
            "runtime": "kubernetes"})");
  try {
    LoadRecord(path_);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("not a run record: unknown runtime"));
    EXPECT_THAT(e.what(), HasSubstr(path_.string()));
  }
}

TEST_F(RecordFileTest, DeepNestingIsRefusedOnOneLine) {
  Write(std::string(100000, '['));
  try {
    LoadRecord(path_);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              path_.string() +
                  ": offset 128: nesting too deep (more than 128 levels)");
  }
}

TEST_F(RecordFileTest, ARecordWithoutARuntimeLeavesItToTheScenario) {
  Write(R"({"scenario_file": "/s.json", "seed": 1, "plan": []})");
  EXPECT_EQ(LoadRecord(path_).runtime, "");
}

}  // namespace
}  // namespace chancho
