// The chaos shell's commands on a fake target: each has the effect it
// names, says so in one line per outcome, and errors are one line too.
#include "harness/faults/chaos_shell.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "harness/faults/fake_target.h"
#include "harness/runtime/control/control_commands.h"

namespace chancho {
namespace {

using std::chrono::milliseconds;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// An ostream the auto loop may write to while the test reads it.
class SharedOut : public std::stringbuf {
 public:
  std::string Text() {
    std::lock_guard lock(mu_);
    return str();
  }
  std::vector<std::string> Lines() {
    std::vector<std::string> lines;
    std::istringstream in(Text());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::lock_guard lock(mu_);
    return std::stringbuf::xsputn(s, n);
  }
  int_type overflow(int_type c) override {
    std::lock_guard lock(mu_);
    return std::stringbuf::overflow(c);
  }

 private:
  // Recursive: stringbuf's xsputn may call overflow.
  std::recursive_mutex mu_;
};

class ChaosShellTest : public ::testing::Test {
 protected:
  // Runs one command and returns what it printed.
  std::string Run(const std::string& line) {
    const std::size_t before = buf_.Text().size();
    EXPECT_TRUE(shell_.Execute(line)) << line;
    return buf_.Text().substr(before);
  }
  ReplicaState State(const std::string& name) { return target_.State(name); }

  fake::FakeTarget target_{fake::Movies()};
  SharedOut buf_;
  std::ostream out_{&buf_};
  ChaosShell shell_{target_, out_, 42, fake::MoviesExclusions()};
};

TEST_F(ChaosShellTest, MatarKillsOneReplicaAndSaysSo) {
  EXPECT_EQ(
      Run("matar join-1"),
      "action: kill | result: success | target: join-1 | took_effect: yes\n");
  EXPECT_EQ(State("join-1"), ReplicaState::kExited);
  // An exact name reaches even what selections spare.
  EXPECT_THAT(Run("kill rabbitmq"),
              HasSubstr("target: rabbitmq | took_effect: yes"));
  EXPECT_EQ(State("rabbitmq"), ReplicaState::kExited);
  // Killing the dead, or nobody: one line that says why.
  EXPECT_EQ(Run("matar join-1"),
            "action: kill | result: fail | target: join-1 | took_effect: no | "
            "reason: not running (exited)\n");
  const std::string nobody = Run("kill nobody");
  EXPECT_THAT(nobody, AllOf(HasSubstr("result: fail"), HasSubstr("nobody")));
  EXPECT_EQ(std::count(nobody.begin(), nobody.end(), '\n'), 1);
}

TEST_F(ChaosShellTest, KillTakesSelectorsThatRespectExclusions) {
  EXPECT_THAT(Run("kill role:filter"),
              AllOf(HasSubstr("target: filter-1 | took_effect: yes"),
                    HasSubstr("target: filter-2 | took_effect: yes")));
  EXPECT_EQ(State("filter-1"), ReplicaState::kExited);
  EXPECT_EQ(State("filter-2"), ReplicaState::kExited);
  const std::string spared = Run("kill role:broker");
  EXPECT_THAT(spared, HasSubstr("action: kill | result: fail | reason: "));
  EXPECT_THAT(spared, HasSubstr("selects no replica"));
  EXPECT_EQ(State("rabbitmq"), ReplicaState::kRunning);
}

TEST_F(ChaosShellTest, MatarVariosKillsEveryEligibleReplicaWithThePrefix) {
  const std::string out = Run("matar_varios health-checker");
  // The first health-checker is kept to revive the others.
  EXPECT_EQ(out,
            "action: kill | result: success | target: health-checker-2 | "
            "took_effect: yes\n");
  EXPECT_EQ(State("health-checker-1"), ReplicaState::kRunning);
  EXPECT_EQ(State("health-checker-2"), ReplicaState::kExited);
  Run("kill-prefix filter");
  EXPECT_EQ(State("filter-1"), ReplicaState::kExited);
  EXPECT_EQ(State("filter-2"), ReplicaState::kExited);
  EXPECT_EQ(State("join-1"), ReplicaState::kRunning);
  // Clients are spared: nothing to kill is an error, not silence.
  EXPECT_THAT(Run("matar_varios client"),
              HasSubstr("action: matar_varios | result: fail | reason: "));
  EXPECT_EQ(State("client-1"), ReplicaState::kRunning);
  EXPECT_EQ(State("client-handler"), ReplicaState::kRunning);
}

TEST_F(ChaosShellTest, BombaKillsEverythingEligibleAndSparesTheRest) {
  const std::string out = Run("bomba");
  for (const char* killed :
       {"filter-1", "filter-2", "health-checker-2", "join-1", "master"}) {
    EXPECT_EQ(State(killed), ReplicaState::kExited) << killed;
    EXPECT_THAT(out, HasSubstr(std::string("target: ") + killed +
                               " | took_effect: yes | origin: bomb"));
  }
  for (const char* spared :
       {"rabbitmq", "client-handler", "client-1", "health-checker-1"}) {
    EXPECT_EQ(State(spared), ReplicaState::kRunning) << spared;
  }
  EXPECT_THAT(Run("bomb"), HasSubstr("not running"));
}

TEST_F(ChaosShellTest, AutoKillsCountPerTickUntilStopped) {
  EXPECT_THAT(Run("auto 0.05 2"),
              HasSubstr("action: auto | result: in_progress | every_ms: 50 | "
                        "count: 2 | seed: 42 | eligible: filter-1,filter-2,"
                        "health-checker-2,join-1,master"));
  const auto auto_lines = [&] {
    int n = 0;
    for (const auto& l : buf_.Lines())
      n += l.find("origin: auto") != std::string::npos;
    return n;
  };
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (auto_lines() < 6 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_GE(auto_lines(), 6) << buf_.Text();
  const std::string stopped = Run("stop");
  EXPECT_THAT(stopped, HasSubstr("action: stop | result: success | faults: "));
  // The targets of one tick are all hit: whole ticks of two.
  const int at_stop = auto_lines();
  EXPECT_EQ(at_stop % 2, 0) << buf_.Text();
  EXPECT_THAT(stopped, HasSubstr("faults: " + std::to_string(at_stop)));
  // Two per tick, ticks 50 ms apart.
  std::map<std::string, int> per_tick;
  for (const auto& l : buf_.Lines()) {
    const auto at = l.find("at_ms: ");
    if (at != std::string::npos)
      ++per_tick[l.substr(at, l.find(' ', at + 7) - at)];
  }
  for (const auto& [tick, n] : per_tick) EXPECT_EQ(n, 2) << tick;
  EXPECT_TRUE(per_tick.count("at_ms: 0") && per_tick.count("at_ms: 50"));
  for (const char* spared :
       {"rabbitmq", "client-handler", "client-1", "health-checker-1"}) {
    EXPECT_EQ(State(spared), ReplicaState::kRunning) << spared;
  }
  std::this_thread::sleep_for(milliseconds(150));
  EXPECT_EQ(auto_lines(), at_stop) << "the loop went on after stop";
  EXPECT_THAT(Run("stop"),
              HasSubstr("result: fail | reason: no auto loop is running"));
}

TEST_F(ChaosShellTest, AutoReplacesARunningLoopAndChecksItsArguments) {
  Run("auto 60 1");
  EXPECT_THAT(Run("auto 60 1"), HasSubstr("action: stop | result: success"));
  for (const char* bad :
       {"auto 0 1", "auto -1 1", "auto x 1", "auto 1 0", "auto 1"}) {
    const std::string out = Run(bad);
    EXPECT_THAT(out, HasSubstr("action: auto | result: fail | reason: "))
        << bad;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  }
  EXPECT_FALSE(shell_.Execute("quit"));
  EXPECT_THAT(buf_.Text(), HasSubstr("action: stop | result: success"));
}

TEST_F(ChaosShellTest, RunAutoIsDeterministicForASeed) {
  const auto targets = [](std::uint64_t seed) {
    fake::FakeTarget target(fake::Movies());
    std::ostringstream out;
    ChaosShell shell(target, out, seed, fake::MoviesExclusions());
    const auto tally = shell.RunAuto(0.01, 1, 0.1);
    EXPECT_EQ(tally.faults, 10);
    std::vector<std::string> names;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) {
      const auto at = line.find("target: ");
      if (at != std::string::npos) {
        names.push_back(line.substr(at + 8, line.find(' ', at + 8) - at - 8));
      }
    }
    return names;
  };
  const auto a = targets(5);
  EXPECT_EQ(a.size(), 10u);
  EXPECT_EQ(a, targets(5));
  EXPECT_NE(a, targets(6));
  std::ostringstream out;
  ChaosShell shell(target_, out, 1, fake::MoviesExclusions());
  EXPECT_THROW(shell.RunAuto(0, 1, 1), Error);
  EXPECT_THROW(shell.RunAuto(1, 1, -1), Error);
}

TEST_F(ChaosShellTest, ALongLoopIsPlannedInChunksWithoutGapsOrRepeats) {
  // 1200 ticks of 1 ms: the loop plans 1000 ticks at a time.
  std::ostringstream out;
  ChaosShell shell(target_, out, 3, fake::MoviesExclusions());
  EXPECT_EQ(shell.RunAuto(0.001, 1, 1.2).faults, 1200);
  std::vector<int> ticks;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) {
    const auto at = line.find("at_ms: ");
    if (at != std::string::npos)
      ticks.push_back(std::stoi(line.substr(at + 7)));
  }
  ASSERT_EQ(ticks.size(), 1200u);
  for (int i = 0; i < 1200; ++i) EXPECT_EQ(ticks[i], i) << i;
}

TEST_F(ChaosShellTest, MostrarPrintsTheTable) {
  Run("matar master");
  const std::string table = Run("mostrar");
  EXPECT_EQ(table, FormatStatusTable(target_.Ps()));
  EXPECT_THAT(table, HasSubstr("master"));
  EXPECT_EQ(Run("ps"), table);
  EXPECT_EQ(Run("show"), table);
}

TEST_F(ChaosShellTest, PauseResumeStartAndTerm) {
  EXPECT_THAT(Run("pause master"),
              HasSubstr("action: pause | result: success | target: master"));
  EXPECT_EQ(State("master"), ReplicaState::kPaused);
  EXPECT_THAT(Run("resume master"),
              HasSubstr("action: resume | result: success"));
  EXPECT_EQ(State("master"), ReplicaState::kRunning);
  EXPECT_THAT(Run("term master 100"),
              HasSubstr("action: term | result: success"));
  EXPECT_EQ(State("master"), ReplicaState::kExited);
  EXPECT_THAT(Run("start master"),
              HasSubstr("action: start | result: success"));
  EXPECT_EQ(State("master"), ReplicaState::kRunning);
  EXPECT_THAT(Run("pause prefix:filter"), AllOf(HasSubstr("target: filter-1"),
                                                HasSubstr("target: filter-2")));
  EXPECT_EQ(State("filter-2"), ReplicaState::kPaused);
  EXPECT_THAT(Run("term master soon"),
              HasSubstr("action: term | result: fail | reason: GRACE_MS"));
  EXPECT_THAT(Run("kill master NOPE"),
              HasSubstr("result: fail | reason: unknown signal"));
}

TEST_F(ChaosShellTest, ErrorsAreOneLine) {
  for (const char* bad : {"frobnicate", "matar", "pause a b", "kill regex:(",
                          "stop server", "partition a b", "delay a 100"}) {
    const std::string out = Run(bad);
    EXPECT_THAT(out, HasSubstr("| result: fail |")) << bad;
    EXPECT_THAT(out, HasSubstr("| reason: ")) << bad;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  }
  EXPECT_THAT(Run("frobnicate"), HasSubstr("unknown command"));
  EXPECT_THAT(Run("partition a b"), HasSubstr("SECONDS: expected a number"));
  EXPECT_THAT(Run("delay a 100"), HasSubstr("no replica named 'a'"));
  EXPECT_THAT(Run("stop server"), HasSubstr("term"));
  EXPECT_EQ(Run(""), "");
  EXPECT_EQ(Run("# a comment"), "");
  EXPECT_TRUE(target_.calls_.empty());
}

TEST_F(ChaosShellTest, HelpListsEveryCommandAndAlias) {
  const std::string help = Run("help");
  EXPECT_EQ(help, shell_.Help());
  for (const char* name :
       {"help", "auto X Y", "stop", "bomba | bomb", "matar | kill",
        "matar_varios | kill-prefix", "mostrar | ps | show", "pause", "resume",
        "start", "term", "partition TARGET [SECONDS]",
        "delay TARGET MS [JITTER_MS] [SECONDS]", "blackhole", "bandwidth",
        "link TARGET FAULT...", "heal TARGET", "links", "sleep", "quit | exit",
        "exact name"}) {
    EXPECT_THAT(help, HasSubstr(name));
  }
  EXPECT_THAT(help, Not(HasSubstr("nothing")));
}

TEST_F(ChaosShellTest, NetworkFaultsActOnProxiedLinks) {
  target_.linked_ = {{"filter-1", "none"}};
  const auto fault = [&] { return target_.linked_.at("filter-1"); };
  EXPECT_EQ(Run("partition filter-1 5"),
            "action: partition | result: success | target: filter-1 | "
            "took_effect: yes\n");
  EXPECT_EQ(fault(), "partition for=5000");
  EXPECT_THAT(Run("delay filter-1 200 50"), HasSubstr("action: delay | result: success"));
  EXPECT_EQ(fault(), "delay delay=200 jitter=50");
  Run("delay filter-1 200 50 2");
  EXPECT_EQ(fault(), "delay delay=200 jitter=50 for=2000");
  Run("bandwidth filter-1 1000");
  EXPECT_EQ(fault(), "bandwidth rate=1000");
  Run("blackhole filter-1 0.5");
  EXPECT_EQ(fault(), "blackhole for=500");
  EXPECT_THAT(Run("link filter-1 blackhole direction=up"),
              HasSubstr("action: blackhole | result: success"));
  EXPECT_EQ(fault(), "blackhole direction=up");
  EXPECT_THAT(Run("heal filter-1"), HasSubstr("action: heal | result: success"));
  EXPECT_EQ(fault(), "none");
  EXPECT_THAT(Run("links"), AllOf(HasSubstr("filter-1"), HasSubstr("rabbitmq")));
  // What has no proxied link, or a fault that makes no sense, fails.
  EXPECT_THAT(Run("partition filter-2"),
              AllOf(HasSubstr("result: fail"), HasSubstr("has no proxied link")));
  EXPECT_THAT(Run("bandwidth filter-1 0"), HasSubstr("rate=BYTES_PER_S above 0"));
  EXPECT_THAT(Run("link filter-1 flood"), HasSubstr("unknown kind \"flood\""));
  EXPECT_EQ(fault(), "none");
}

TEST_F(ChaosShellTest, SleepWaitsWhileTheLoopGoesOn) {
  Run("auto 0.02 1");
  const auto start = std::chrono::steady_clock::now();
  // What it printed meanwhile is the loop's.
  const std::string during = Run("sleep 0.1");
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(100));
  EXPECT_GE(std::count(during.begin(), during.end(), '\n'), 3) << during;
  EXPECT_THAT(during, Not(HasSubstr("action: sleep")));
  EXPECT_THAT(Run("stop"), HasSubstr("action: stop | result: success"));
  EXPECT_THAT(Run("sleep soon"), HasSubstr("action: sleep | result: fail"));
}

TEST_F(ChaosShellTest, QuitAndExitEndTheShell) {
  EXPECT_FALSE(shell_.Execute("quit"));
  EXPECT_FALSE(shell_.Execute("exit"));
}

}  // namespace
}  // namespace chancho
