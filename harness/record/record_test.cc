#include "harness/record/record.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "harness/spec/error.h"

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
