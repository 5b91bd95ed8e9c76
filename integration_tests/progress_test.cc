// What `chancho run` and `chancho up` show a person. On a terminal (a
// pseudo-terminal made by script(1)) the status block is redrawn in place,
// with the replicas' readiness, the faults applied, the revivals and each
// client's progress; off a terminal, or with --plain, the same comes as
// plain log lines; --quiet leaves only the verdict.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "integration_tests/cli_support.h"
#include "integration_tests/scenario_support.h"

namespace chancho::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kRedraw[] = "\x1b[1A\x1b[2K";  // up one line, erase it

std::string KillJoin() {
  return "'" + (SourceDir() / "integration_tests/scenarios/movies-kill-join.json").string() + "'";
}

// `chancho ARGS` on a pseudo-terminal, its output as the terminal got it.
CommandResult OnTerminal(const std::string& args, const fs::path& dir, int timeout_s) {
  const std::string command = "'" + (BinDir() / "chancho").string() + "' " + args;
  std::string quoted;
  for (char c : command) quoted += c == '"' ? std::string("\\\"") : std::string(1, c);
  return RunShell("script -qfec \"" + quoted + "\" /dev/null", dir, timeout_s);
}

int Lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

using ProgressTest = CliTest;

TEST_F(ProgressTest, OnATerminalARunRedrawsItsStatusInPlace) {
  const auto r = OnTerminal("run " + KillJoin() + " --runs-root runs", dir_, 600);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(kRedraw));
  // Bring-up, with what is still waiting, then the run.
  EXPECT_THAT(r.out, HasSubstr("] up: ready 0/45"));
  EXPECT_THAT(r.out, HasSubstr(" | waiting: rabbitmq"));
  EXPECT_THAT(r.out, HasSubstr("] running: ready "));
  // Both kills land while the clients upload (their triggers say so), so a
  // status after them still shows the clients at work.
  EXPECT_THAT(r.out, HasSubstr(" | faults 2/2 | revivals "));
  EXPECT_THAT(r.out, HasSubstr("  client-1: running, ratings.csv "));
  EXPECT_THAT(r.out, HasSubstr("action: run | result: success | verdict: match"));
}

TEST_F(ProgressTest, PlainAndQuietRunsPrintLinesOnly) {
  const auto plain = OnTerminal("run " + KillJoin() + " --runs-root runs --plain", dir_, 600);
  ASSERT_EQ(plain.exit_code, 0) << plain.out << plain.err;
  EXPECT_THAT(plain.out, Not(HasSubstr("\x1b[")));
  EXPECT_THAT(plain.out, HasSubstr("action: status | result: in_progress | phase: "));
  EXPECT_THAT(plain.out, HasSubstr("action: fault | result: success"));

  const auto quiet = RunChancho("run " + KillJoin() + " --runs-root runs --quiet", dir_, 600);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.out << quiet.err;
  EXPECT_EQ(Lines(quiet.out), 1) << quiet.out;
  EXPECT_THAT(quiet.out, HasSubstr("action: run | result: success | verdict: match"));
  Record record;
  EXPECT_TRUE(LoadRecordFile(RecordPath(quiet.out), record));
}

TEST_F(ProgressTest, UpShowsItsStatusOnlyOnATerminal) {
  const auto live = OnTerminal("up tp0 --clients 2 --detach", dir_, 120);
  ASSERT_EQ(live.exit_code, 0) << live.out << live.err;
  EXPECT_THAT(live.out, HasSubstr("action: up | result: success"));
  ASSERT_EQ(RunChancho("down", dir_).exit_code, 0);

  const auto piped = RunChancho("up tp0 --clients 2 --detach", dir_);
  ASSERT_EQ(piped.exit_code, 0) << piped.out << piped.err;
  EXPECT_THAT(piped.out, Not(HasSubstr("\x1b[")));
  EXPECT_THAT(piped.out, HasSubstr("action: up | result: success"));
  ASSERT_EQ(RunChancho("down", dir_).exit_code, 0);

  const auto quiet = RunChancho("up tp0 --clients 2 --detach --quiet", dir_);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.out << quiet.err;
  EXPECT_EQ(Lines(quiet.out), 1) << quiet.out;
  EXPECT_THAT(quiet.out, HasSubstr("action: up | result: success"));
}

}  // namespace
}  // namespace chancho::testing
