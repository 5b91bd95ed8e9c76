#include "harness/cli/status_display.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <sstream>

namespace chancho::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using std::chrono::milliseconds;

RunStatus Running() {
  RunStatus s;
  s.phase = "running";
  s.elapsed = milliseconds(12345);
  s.replicas = 4;
  s.ready = 3;
  s.waiting = {"worker-2"};
  s.faults_applied = 2;
  s.faults_planned = 5;
  s.revivals = 1;
  s.clients = {{"client-1", "running", ClientProgress{milliseconds(0), "client-1", "a.csv", 25, 100}},
               {"client-2", "created", std::nullopt}};
  return s;
}

TEST(StatusDisplayTest, TheBlockSaysReadinessFaultsRevivalsAndProgress) {
  EXPECT_THAT(FormatStatus(Running(), 200),
              ElementsAre("[12.3s] running: ready 3/4 | faults 2/5 | revivals 1 | "
                          "waiting: worker-2",
                          "  client-1: running, a.csv 25% (25/100)",
                          "  client-2: created"));
  // Cut to the terminal's width.
  EXPECT_EQ(FormatStatus(Running(), 30)[0], "[12.3s] running: ready 3/4 | ~");
}

TEST(StatusDisplayTest, ThePlainLineIsALogLine) {
  EXPECT_EQ(FormatStatusLine(Running()),
            "action: status | result: in_progress | phase: running | elapsed: 12.3s | "
            "ready: 3/4 | waiting: worker-2 | faults: 2/5 | revivals: 1 | "
            "client-1: running, a.csv 25% (25/100) | client-2: created");
}

TEST(StatusDisplayTest, LiveRedrawsTheBlockBelowTheLines) {
  std::ostringstream out;
  {
    StatusDisplay display(out, OutputMode::kLive, {});
    display.Update(Running());
    display.Line("action: fault | result: success");
    RunStatus done = Running();
    done.phase = "done";
    display.Update(done);
    display.Line("action: run | result: success");
  }
  const std::string text = out.str();
  // The block (3 lines) is erased before the line, drawn again after it,
  // and erased for good at "done".
  const std::string erase3 = "\x1b[1A\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2K\r";
  EXPECT_THAT(text, HasSubstr(erase3 + "action: fault | result: success\n[12.3s]"));
  EXPECT_THAT(text, HasSubstr("(25/100)\n  client-2: created\n" + erase3 +
                              "\raction: run | result: success\n"));
}

TEST(StatusDisplayTest, PlainPrintsAStatusLineEachPeriod) {
  std::ostringstream out;
  StatusDisplay display(out, OutputMode::kPlain, {}, milliseconds(0));
  display.Update(Running());
  display.Line("action: fault | result: success");
  EXPECT_THAT(out.str(), Not(HasSubstr("\x1b")));
  EXPECT_THAT(out.str(), HasSubstr("action: status | result: in_progress | phase: running"));
  EXPECT_THAT(out.str(), HasSubstr("\naction: fault | result: success\n"));

  std::ostringstream slow;
  StatusDisplay seldom(slow, OutputMode::kPlain, {}, std::chrono::hours(1));
  seldom.Update(Running());
  EXPECT_EQ(slow.str(), "");
}

TEST(StatusDisplayTest, QuietKeepsOnlyTheVerdict) {
  std::ostringstream out;
  StatusDisplay display(out, OutputMode::kQuiet, {"action: run |"});
  display.Update(Running());
  display.lines() << "action: fault | result: success" << std::endl;
  display.lines() << "action: run | result: success | verdict: match" << std::endl;
  EXPECT_EQ(out.str(), "action: run | result: success | verdict: match\n");
}

TEST(StatusDisplayTest, ChoosingTheMode) {
  EXPECT_EQ(ChooseOutputMode(false, true, 0), OutputMode::kQuiet);
  EXPECT_EQ(ChooseOutputMode(true, false, 0), OutputMode::kPlain);
  // A pipe is no terminal.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  EXPECT_EQ(ChooseOutputMode(false, false, fds[1]), OutputMode::kPlain);
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace chancho::cli
