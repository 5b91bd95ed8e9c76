// `chancho shrink` on a real bug: the movies pipeline with one stateful
// service built to lose data on a crash (MOVIES_PLANTED_BUG=ack-before-save
// on join-movie-ratings: it acknowledges batches before it saves the
// state that holds them), under a seeded auto-kill loop of 3 kills a
// second while the clients upload (integration_tests/scenarios/
// movies-planted-bug.json). The run fails; shrinking its twenty-odd kills
// must end at one or two that still fail every replay and that name the
// buggy service, while kills of every other service are shown not to
// matter. (Moving the survivors in time is left out here, --no-time, and
// each candidate runs once, --repeats 1, to keep the test to about a dozen
// runs; shrink_unit_test covers both.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

#include "harness/record/record.h"
#include "harness/runtime/run_dir.h"
#include "integration_tests/cli_support.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ShrinkTest : public CliTest {};

TEST_F(ShrinkTest, FindsTheKillThatLosesDataInThePlantedBug) {
  const fs::path scenario = SourceDir() / "integration_tests/scenarios/movies-planted-bug.json";
  // The bug loses data only when a kill lands between an acknowledgement
  // and the save after it. The kills are seeded, the data flow's timing is
  // not: a run whose kills of the buggy service all miss that window
  // passes. Up to three runs give one that fails, to shrink.
  auto run = RunChancho("run --plain '" + scenario.string() + "'", dir_, 600);
  for (int attempt = 2; attempt <= 3 && run.exit_code == 0; ++attempt) {
    run = RunChancho("run --plain '" + scenario.string() + "'", dir_, 600);
  }
  ASSERT_NE(run.exit_code, 0) << "the planted bug did not fail any of 3 runs; the last:\n"
                              << run.out << run.err;
  const std::string hint = "to find the faults that matter: chancho shrink ";
  const auto at = run.out.find(hint);
  ASSERT_NE(at, std::string::npos) << "a failed run names the shrink command:\n" << run.out;
  std::string record_path = run.out.substr(at + hint.size());
  record_path = record_path.substr(0, record_path.find('\n'));

  // The failing run: twenty or more kills that took effect, while the
  // clients worked, among them the buggy service's.
  const RunRecord failed = LoadRecord(record_path);
  int kills = 0, buggy = 0;
  for (const auto& f : failed.faults) {
    if (!f.took_effect) continue;
    ++kills;
    buggy += f.target.starts_with("join-movie-ratings") ? 1 : 0;
  }
  ASSERT_GE(kills, 20) << "the scenario should kill 20 or more times";
  ASSERT_GT(buggy, 0) << "the seed's plan never kills the buggy service";
  ASSERT_LT(buggy, kills);

  const fs::path out = dir_ / "shrunk";
  const auto shrink = RunChancho(
      "shrink '" + record_path + "' -o '" + out.string() + "' --max-runs 80 --no-time --repeats 1", dir_,
      3000);
  ASSERT_EQ(shrink.exit_code, 0) << shrink.out << shrink.err;
  EXPECT_THAT(shrink.out, HasSubstr("action: shrink | result: success"));

  rapidjson::Document summary;
  const std::string text = ReadFile(out / "shrink.json");
  summary.Parse(text.c_str());
  ASSERT_TRUE(summary.IsObject()) << text;
  EXPECT_STREQ(summary["schema"].GetString(), "chancho.shrink/1");
  EXPECT_TRUE(summary["reproduced"].GetBool()) << text;
  EXPECT_EQ(summary["faults_before"].GetInt(), kills);
  const int after = summary["faults_after"].GetInt();
  EXPECT_GE(after, 1) << "the run failed without faults: the bug is not the crash";
  EXPECT_LE(after, 2) << text;
  const auto& minimal = summary["minimal"].GetArray();
  ASSERT_EQ(static_cast<int>(minimal.Size()), after);
  bool names_the_bug = false;
  for (const auto& fault : minimal) {
    names_the_bug |= std::string(fault.GetString()).find("join-movie-ratings") !=
                     std::string::npos;
  }
  EXPECT_TRUE(names_the_bug) << text;
  EXPECT_GT(summary["candidates"].GetInt(), 2);
  EXPECT_GE(summary["runs"].GetInt(), summary["candidates"].GetInt());
  EXPECT_GT(summary["seconds"].GetDouble(), 0.0);

  // The minimal schedule as a scenario, and a failing run of it; no
  // candidate's run directory is left.
  const RunRecord minimal_run = LoadRecord(out / "record.json");
  EXPECT_NE(minimal_run.exit_code, 0);
  EXPECT_TRUE(fs::exists(out / "report.html"));
  EXPECT_FALSE(fs::exists(out / "runs"));
  rapidjson::Document minimal_scenario;
  const std::string scenario_text = ReadFile(out / "minimal-scenario.json");
  minimal_scenario.Parse(scenario_text.c_str());
  ASSERT_TRUE(minimal_scenario.IsObject()) << scenario_text;
  EXPECT_EQ(static_cast<int>(minimal_scenario["faults"]["events"].Size()), after);
  EXPECT_FALSE(minimal_scenario["faults"].HasMember("auto"));
  std::cout << "shrink: " << text;
}

TEST_F(ShrinkTest, APassingRunHasNothingToShrink) {
  const fs::path record = dir_ / "record.json";
  RunRecord passed;
  passed.runtime = "process";
  passed.verdict = "match";
  passed.exit_code = 0;
  std::ofstream(record) << RecordToJson(passed);
  const auto r = RunChancho("shrink '" + record.string() + "'", dir_);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("the run passed (verdict: match): there is no failure to shrink"));
}

}  // namespace
}  // namespace chancho::testing
