// The CLI behaves like its neighbours (docker compose, kubectl): --version
// on every bundled program, one duration syntax, --json with a versioned
// schema, logs -f over several replicas with compose's prefixes, the
// compose-named verbs, and bash completion made from the CLI itself. On
// tp0 as local processes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <thread>

#include "common/file_text.h"
#include "common/subprocess.h"
#include "common/version.h"
#include "integration_tests/cli_support.h"

namespace chancho::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The one JSON object a --json command printed.
rapidjson::Document Json(const CommandResult& r, const std::string& schema) {
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  EXPECT_FALSE(doc.HasParseError()) << r.out << r.err;
  if (doc.HasParseError() || !doc.IsObject()) return doc;
  EXPECT_EQ(std::string(doc["schema"].GetString()), schema);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << "one line: " << r.out;
  return doc;
}

std::string Bin(const std::string& program) { return "'" + (BinDir() / program).string() + "'"; }

class CliConventionsTest : public CliTest {
 protected:
  // The run that `up --detach` made in this test's directory.
  fs::path LatestRun() {
    fs::path latest;
    for (const auto& entry : fs::directory_iterator(dir_ / ".chancho/runs")) {
      if (latest.empty() || entry.path() > latest) latest = entry.path();
    }
    return latest;
  }
};

TEST_F(CliConventionsTest, EveryBundledProgramTellsItsVersion) {
  for (const char* program :
       {"chancho", "tp0-server", "tp0-client", "movies-node", "client-handler",
        "movies-client", "health-checker", "movies-datagen", "movies-reference",
        "movies-broker"}) {
    const auto r = RunShell(Bin(program) + " --version", dir_);
    EXPECT_EQ(r.exit_code, 0) << program << ": " << r.err;
    EXPECT_THAT(r.out, HasSubstr(kVersion)) << program;
    EXPECT_THAT(r.out, StartsWith(program)) << program;
  }
  // A service that takes no arguments says so, in one line.
  const auto bad = RunShell(Bin("tp0-server") + " --port 1", dir_);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("unexpected argument '--port'"));
  EXPECT_TRUE(RunShell(Bin("health-checker") + " --help", dir_).out.find("Usage:") !=
              std::string::npos);
}

TEST_F(CliConventionsTest, DurationsTakeUnitsAndBareNumbersKeepTheirUnit) {
  ASSERT_EQ(RunChancho("up tp0 --clients 2 --detach --grace 1500ms", dir_).exit_code, 0);
  // A bare --timeout is seconds, as before; 1m is a minute.
  const auto waited = RunChancho("wait client1 client2 --timeout 1m --json", dir_);
  ASSERT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  const auto bad = RunChancho("wait client1 --timeout 5x", dir_);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("invalid duration '5x'"));
  // ctl stop's grace and the verbs' -t take units too.
  EXPECT_EQ(RunChancho("ctl stop server 500ms", dir_).exit_code, 0);
  EXPECT_EQ(RunChancho("start server", dir_).exit_code, 0);
  EXPECT_EQ(RunChancho("down --grace 2s", dir_).exit_code, 0);
}

TEST_F(CliConventionsTest, JsonOutputHasAVersionedSchema) {
  ASSERT_EQ(RunChancho("up tp0 --clients 2 --detach", dir_).exit_code, 0);
  const auto waited = Json(RunChancho("wait client1 client2 --json", dir_), "chancho.wait/1");
  ASSERT_TRUE(waited.IsObject());
  EXPECT_TRUE(waited["ok"].GetBool());
  ASSERT_EQ(waited["replicas"].Size(), 2u);
  EXPECT_EQ(waited["replicas"][0]["exit_code"].GetInt(), 0);

  const auto probe =
      Json(RunChancho("probe echo --target server:12345 --json", dir_), "chancho.probe/1");
  ASSERT_TRUE(probe.IsObject());
  EXPECT_TRUE(probe["ok"].GetBool());

  const auto chaos = Json(
      RunChancho("chaos --auto 200ms 1 --duration 1s --spare none --seed 3 --json", dir_, 120),
      "chancho.chaos/1");
  ASSERT_TRUE(chaos.IsObject());
  EXPECT_EQ(chaos["seed"].GetUint64(), 3u);
  EXPECT_GE(chaos["faults"].GetInt(), 1);
  EXPECT_EQ(chaos["every_ms"].GetInt(), 200);

  const auto down = Json(RunChancho("down --json", dir_), "chancho.down/1");
  ASSERT_TRUE(down.IsObject());
  EXPECT_TRUE(down["ok"].GetBool());
  EXPECT_EQ(down["runs"].Size(), 1u);
}

TEST_F(CliConventionsTest, ComposeNamedVerbsActOnReplicas) {
  ASSERT_EQ(RunChancho("up tp0 --clients 1 --detach", dir_).exit_code, 0);
  const auto state = [this](const std::string& replica) {
    const auto ps = RunChancho("ps", dir_).out;
    const auto at = ps.find("\n" + replica + " ");
    return at == std::string::npos ? std::string() : ps.substr(at + 1, 40);
  };
  ASSERT_EQ(RunChancho("pause server", dir_).exit_code, 0);
  EXPECT_THAT(state("server"), HasSubstr("paused"));
  ASSERT_EQ(RunChancho("unpause server", dir_).exit_code, 0);
  EXPECT_THAT(state("server"), HasSubstr("running"));
  ASSERT_EQ(RunChancho("stop -t 1 server", dir_).exit_code, 0);
  EXPECT_THAT(state("server"), HasSubstr("exited"));
  ASSERT_EQ(RunChancho("start server", dir_).exit_code, 0);
  EXPECT_THAT(state("server"), HasSubstr("running"));
  ASSERT_EQ(RunChancho("kill -s TERM server", dir_).exit_code, 0);
  const auto unknown = RunChancho("pause nobody", dir_);
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("nobody"));
}

TEST_F(CliConventionsTest, LogsFollowSeveralReplicasUntilTheRunEnds) {
  ASSERT_EQ(RunChancho("up tp0 --clients 2 --detach", dir_).exit_code, 0);
  // Followed in the background; `down` ends the run, and with it the
  // follow, which prints what was written before the end.
  const fs::path out = dir_ / "follow.out";
  BackgroundCommand follow({(BinDir() / "chancho").string(), "logs", "-f", "--timestamps",
                            "--run", LatestRun().string()},
                           out);
  // It has started once it printed what the logs already hold.
  for (int i = 0; i < 300 && (!fs::exists(out) || fs::file_size(out) == 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_GT(fs::file_size(out), 0u) << "logs -f printed nothing in 30 s";
  ASSERT_EQ(RunChancho("wait client1 client2", dir_).exit_code, 0);
  ASSERT_EQ(RunChancho("down", dir_).exit_code, 0);
  ASSERT_TRUE(follow.Wait(std::chrono::seconds(30))) << "logs -f outlived its run";
  EXPECT_EQ(follow.ExitCode(), 0);
  CommandResult followed;
  followed.out = ReadText(out);
  // Names padded like compose's: "server  | " beside "client1 | ".
  EXPECT_THAT(followed.out, HasSubstr("Z server  | "));
  EXPECT_THAT(followed.out, HasSubstr("Z client1 | "));
  EXPECT_THAT(followed.out, HasSubstr("action: shutdown | result: success"));
}

TEST_F(CliConventionsTest, PruneRemovesOldRunsButNeverALiveOne) {
  const fs::path runs = dir_ / ".chancho/runs";
  fs::create_directories(runs / "20200101T000000Z-aaaaaa/logs");
  fs::create_directories(runs / "20200102T000000Z-bbbbbb");
  fs::create_directories(runs / "my-notes");  // not a run: left alone
  ASSERT_EQ(RunChancho("up tp0 --detach", dir_).exit_code, 0);
  const fs::path live = LatestRun();

  const auto dry = RunChancho("prune --dry-run", dir_);
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("result: dry_run | run: .chancho/runs/20200101T000000Z-aaaaaa"));
  EXPECT_TRUE(fs::exists(runs / "20200101T000000Z-aaaaaa"));

  // Everything older than nothing: all but the live run and the non-run.
  const auto pruned = Json(RunChancho("prune --older-than 0s --json", dir_), "chancho.prune/1");
  ASSERT_TRUE(pruned.IsObject());
  EXPECT_EQ(pruned["removed"].GetInt(), 2);
  EXPECT_EQ(pruned["live"].GetInt(), 1);
  EXPECT_FALSE(fs::exists(runs / "20200101T000000Z-aaaaaa"));
  EXPECT_FALSE(fs::exists(runs / "20200102T000000Z-bbbbbb"));
  EXPECT_TRUE(fs::exists(runs / "my-notes"));
  EXPECT_TRUE(fs::exists(live)) << "a live run was pruned";
  ASSERT_EQ(RunChancho("down", dir_).exit_code, 0);

  // Once down, --keep 1 keeps it (the newest).
  EXPECT_EQ(RunChancho("prune --keep 1", dir_).exit_code, 0);
  EXPECT_TRUE(fs::exists(live));
}

TEST_F(CliConventionsTest, BashCompletionComesFromTheCommands) {
  const fs::path script = BinDir().parent_path() / "share/bash-completion/completions/chancho";
  ASSERT_TRUE(fs::exists(script)) << script;
  const auto complete = [&](const std::string& words, int current) {
    return RunShell("bash -c 'source \"" + script.string() + "\"; COMP_WORDS=(" + words +
                        "); COMP_CWORD=" + std::to_string(current) +
                        "; _chancho; echo \"${COMPREPLY[*]}\"'",
                    dir_)
        .out;
  };
  EXPECT_EQ(complete("chancho unp", 1), "unpause\n");
  EXPECT_EQ(complete("chancho probe \"\"", 2), "echo shutdown\n");
  EXPECT_THAT(complete("chancho run --", 2), HasSubstr("--json"));
  EXPECT_THAT(complete("chancho run --", 2), HasSubstr("--replay"));
  EXPECT_THAT(complete("chancho run --", 2), Not(HasSubstr("--supervised")));
  EXPECT_THAT(complete("chancho up --", 2), HasSubstr("--detach"));
}

}  // namespace
}  // namespace chancho::testing
