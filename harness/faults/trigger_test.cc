// Triggers: their JSON form, progress lines, the watch over log files and
// states, and the runner applying events when their triggers fire.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "common/error.h"
#include "harness/faults/fake_target.h"
#include "harness/faults/fault_runner.h"
#include "harness/faults/trigger.h"
#include "harness/faults/trigger_watch.h"
#include "harness/spec/json_checker.h"
#include "harness/spec/json_parse.h"

namespace chancho {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using std::chrono::milliseconds;

Trigger Parse(const std::string& json) {
  rapidjson::Document doc;
  ParseJson(doc, json, "t.json");
  JsonChecker check("t.json");
  return ParseTrigger(check, doc, "/on");
}

std::string ParseError(const std::string& json) {
  try {
    Parse(json);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(TriggerTest, ParsesEveryKind) {
  const Trigger log = Parse(
      R"({"log": "upload.*credits", "replica": "client-1", "nth": 2, "after": 1})");
  EXPECT_EQ(log.kind, Trigger::Kind::kLog);
  EXPECT_EQ(log.regex, "upload.*credits");
  EXPECT_EQ(log.replicas.pattern, "client-1");
  EXPECT_EQ(log.nth, 2);
  EXPECT_EQ(Describe(log), "log client-1 /upload.*credits/ #2");

  const Trigger progress =
      Parse(R"({"progress": "prefix:client-", "file": "ratings.csv", "fraction": 0.3})");
  EXPECT_EQ(progress.kind, Trigger::Kind::kProgress);
  EXPECT_EQ(progress.replicas.kind, Selector::Kind::kPrefix);
  EXPECT_EQ(progress.file, "ratings.csv");
  EXPECT_DOUBLE_EQ(progress.fraction, 0.3);
  EXPECT_EQ(Describe(progress), "progress prefix:client- ratings.csv 30%");

  const Trigger fault = Parse(R"({"fault": 0, "when": "ready"})");
  EXPECT_EQ(fault.kind, Trigger::Kind::kFault);
  EXPECT_EQ(fault.fault, "events/0");
  EXPECT_TRUE(fault.ready);
  EXPECT_EQ(Parse(R"({"fault": "bomb/0"})").fault, "bomb/0");

  const Trigger exited = Parse(R"({"exited": "role:client", "any": true})");
  EXPECT_EQ(exited.kind, Trigger::Kind::kExited);
  EXPECT_TRUE(exited.any);
  EXPECT_EQ(Describe(exited), "exited any of role:client");
}

TEST(TriggerTest, TheJsonFormReadsBackTheSame) {
  for (const char* json :
       {R"({"log": "a|b \"q\"", "replica": "regex:^x", "nth": 3})",
        R"({"progress": "client-1", "count": 5000})",
        R"({"progress": "client-1", "file": "f.csv", "fraction": 0.1})",
        R"({"fault": "auto/2", "when": "revived"})",
        R"({"exited": "client-2"})"}) {
    const Trigger t = Parse(json);
    EXPECT_EQ(Parse(TriggerToJson(t)), t) << json << " -> " << TriggerToJson(t);
  }
}

TEST(TriggerTest, BadTriggersNameTheirPointer) {
  EXPECT_THAT(ParseError(R"({"after": 1})"),
              HasSubstr("t.json: /on: a trigger needs one of"));
  EXPECT_THAT(ParseError(R"({"log": "x", "exited": "a", "replica": "a"})"),
              HasSubstr("a trigger has one kind"));
  EXPECT_THAT(ParseError(R"({"log": "x"})"), HasSubstr("needs \"replica\""));
  EXPECT_THAT(ParseError(R"({"log": "(", "replica": "a"})"),
              HasSubstr("/on/log: invalid regex"));
  EXPECT_THAT(ParseError(R"({"exited": "random:2"})"),
              HasSubstr("/on/exited: a trigger watches named replicas"));
  EXPECT_THAT(ParseError(R"({"progress": "a"})"),
              HasSubstr("one of \"fraction\" or \"count\""));
  EXPECT_THAT(ParseError(R"({"progress": "a", "fraction": 1.5})"),
              HasSubstr("/on/fraction: expected a fraction above 0"));
  EXPECT_THAT(ParseError(R"({"fault": 0, "when": "later"})"),
              HasSubstr("/on/when: expected \"revived\" or \"ready\""));
  EXPECT_THAT(ParseError(R"({"exited": "a", "nth": 2})"),
              HasSubstr("/on/nth: unknown key \"nth\" in a exited trigger"));
}

TEST(TriggerTest, ProgressLinesReachFractionsAndCounts) {
  const auto p = ParseProgress(
      "action: progress | result: in_progress | file: ratings.csv | done: 3 | "
      "total: 10 | records: 2");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->file, "ratings.csv");
  EXPECT_EQ(p->done, 3);
  EXPECT_EQ(p->total, 10);
  EXPECT_FALSE(ParseProgress("action: upload | result: success | done: 3"));
  EXPECT_FALSE(ParseProgress("action: progress | result: in_progress | done: x"));

  EXPECT_TRUE(Reaches(Parse(R"({"progress": "c", "fraction": 0.3})"), *p));
  EXPECT_FALSE(Reaches(Parse(R"({"progress": "c", "fraction": 0.31})"), *p));
  EXPECT_FALSE(Reaches(Parse(R"({"progress": "c", "file": "credits.csv", "fraction": 0.1})"), *p));
  EXPECT_TRUE(Reaches(Parse(R"({"progress": "c", "count": 3})"), *p));
  EXPECT_FALSE(Reaches(Parse(R"({"progress": "c", "count": 4})"), *p));
}

// Replicas with log files in a scratch directory, and states the test sets.
class FakeView : public SystemView {
 public:
  FakeView() {
    dir_ = fs::temp_directory_path() /
           ("chancho-trigger-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    for (const auto& r : fake::Movies()) states_[r.name] = r;
  }
  ~FakeView() override { fs::remove_all(dir_); }

  std::vector<ReplicaStatus> Ps() override {
    std::lock_guard lock(mu_);
    std::vector<ReplicaStatus> out;
    for (const auto& [name, s] : states_) out.push_back(s);
    return out;
  }
  fs::path LogPath(const std::string& replica) override {
    return dir_ / (replica + ".log");
  }
  void Append(const std::string& replica, const std::string& text) {
    std::ofstream(LogPath(replica), std::ios::app) << text;
  }
  void SetState(const std::string& replica, ReplicaState state, int starts) {
    std::lock_guard lock(mu_);
    states_[replica].state = state;
    states_[replica].starts = starts;
  }

  fs::path dir_;

 private:
  std::mutex mu_;
  std::map<std::string, ReplicaStatus> states_;
};

// Polls `done` for at most 10 s.
bool Eventually(const std::function<bool()>& done) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

// Returns once the watch has read everything written before the call.
bool ReadAll(const TriggerWatch& watch) {
  const auto polls = watch.polls();
  return Eventually([&] { return watch.polls() >= polls + 2; });
}

TEST(TriggerWatchTest, ALogTriggerFiresOnTheNthMatchingLineOfItsReplicas) {
  FakeView view;
  const Trigger t = Parse(R"({"log": "upload", "replica": "prefix:filter-", "nth": 2})");
  TriggerWatch watch(view, {t}, std::chrono::steady_clock::now(), milliseconds(1));
  view.Append("filter-1", "action: upload | result: success\n");
  view.Append("client-1", "action: upload | result: success\n");  // not watched
  view.Append("filter-2", "action: upl");                          // not a line yet
  ASSERT_TRUE(ReadAll(watch));
  EXPECT_FALSE(watch.FiredAt(t));
  view.Append("filter-2", "oad | result: success\n");
  ASSERT_TRUE(Eventually([&] { return watch.FiredAt(t).has_value(); }));
  EXPECT_THAT(watch.Reports()[0].what, HasSubstr("filter-2: action: upload"));
}

TEST(TriggerWatchTest, AReplacedLogFileIsNotCountedTwice) {
  FakeView view;
  const Trigger t = Parse(R"({"log": "tick", "replica": "filter-1", "nth": 3})");
  TriggerWatch watch(view, {t}, std::chrono::steady_clock::now(), milliseconds(1));
  view.Append("filter-1", "tick 1\ntick 2\n");
  ASSERT_TRUE(ReadAll(watch));
  // Replaced as DockerLog replaces it: the same lines first, then one more
  // that is not a tick.
  const fs::path tmp = view.dir_ / "new.log";
  std::ofstream(tmp) << "tick 1\ntick 2\nother\n";
  fs::rename(tmp, view.LogPath("filter-1"));
  ASSERT_TRUE(ReadAll(watch));
  EXPECT_FALSE(watch.FiredAt(t)) << "the two ticks were counted again";
  view.Append("filter-1", "tick 3\n");
  EXPECT_TRUE(Eventually([&] { return watch.FiredAt(t).has_value(); }));
}

TEST(TriggerWatchTest, ProgressAndExitedTriggers) {
  FakeView view;
  const Trigger progress =
      Parse(R"({"progress": "client-1", "file": "ratings.csv", "fraction": 0.5})");
  const Trigger exited = Parse(R"({"exited": "client-1"})");
  TriggerWatch watch(view, {progress, exited}, std::chrono::steady_clock::now(),
                     milliseconds(1));
  view.Append("client-1",
              "action: progress | result: in_progress | file: credits.csv | done: 9 | total: 10\n"
              "action: progress | result: in_progress | file: ratings.csv | done: 4 | total: 10\n");
  view.Append("client-1",
              "action: progress | result: in_progress | file: ratings.csv | done: 5 | total: 10\n");
  ASSERT_TRUE(Eventually([&] { return watch.FiredAt(progress).has_value(); }));
  EXPECT_THAT(watch.Reports()[0].what, HasSubstr("done: 5"));
  EXPECT_FALSE(watch.FiredAt(exited));
  view.SetState("client-1", ReplicaState::kExited, 1);
  EXPECT_TRUE(Eventually([&] { return watch.FiredAt(exited).has_value(); }));
}

TEST(TriggerWatchTest, ATriggerNamingNoReplicaIsAnError) {
  FakeView view;
  EXPECT_THAT(
      [&] {
        try {
          TriggerWatch watch(view, {Parse(R"({"exited": "nobody"})")},
                             std::chrono::steady_clock::now());
        } catch (const Error& e) {
          return std::string(e.what());
        }
        return std::string("no error");
      }(),
      HasSubstr("trigger exited all of nobody: target 'nobody' selects no replica"));
}

FaultEvent Kill(std::string id, std::string target, std::optional<Trigger> on,
                milliseconds after = milliseconds(0)) {
  FaultEvent e;
  e.id = std::move(id);
  e.targets = {std::move(target)};
  e.trigger = std::move(on);
  e.at = after;
  e.origin = "event";
  return e;
}

TEST(TriggerRunnerTest, AnEventWaitsForItsTriggerThenItsOffset) {
  FakeView view;
  fake::FakeTarget target(fake::Movies());
  const Trigger on = Parse(R"({"log": "credits", "replica": "client-1"})");
  const auto start = std::chrono::steady_clock::now();
  TriggerWatch watch(view, {on}, start, milliseconds(1));
  FaultRunner runner(target, {Kill("events/0", "filter-1", on, milliseconds(20))},
                     nullptr, &watch);
  runner.Start(start);
  // Nothing happens while the client has not logged the line.
  ASSERT_TRUE(ReadAll(watch));
  EXPECT_FALSE(watch.FiredAt(on));
  EXPECT_TRUE(runner.outcomes().empty());
  EXPECT_EQ(target.State("filter-1"), ReplicaState::kRunning);
  view.Append("client-1", "action: upload | result: success | file: credits.csv\n");
  ASSERT_TRUE(Eventually([&] { return runner.outcomes().size() == 1; }));
  const FaultOutcome o = runner.outcomes()[0];
  EXPECT_TRUE(o.took_effect);
  EXPECT_EQ(o.event, "events/0");
  EXPECT_EQ(o.trigger, "log client-1 /credits/ #1");
  EXPECT_EQ(o.planned, o.triggered + milliseconds(20));
  EXPECT_GE(o.actual, o.planned);
  runner.Stop();
  runner.Join();
  EXPECT_TRUE(runner.unapplied().empty());
}

TEST(TriggerRunnerTest, AFaultTriggerFiresWhenTheTargetIsRevived) {
  FakeView view;
  fake::FakeTarget target(fake::Movies());
  const Trigger revived = Parse(R"({"fault": "events/0", "when": "revived"})");
  const auto start = std::chrono::steady_clock::now();
  TriggerWatch watch(view, {revived}, start, milliseconds(1));
  // The view's states stand for the runtime's: the kill is seen there, and
  // the revival is the test's doing.
  FaultRunner runner(target,
                     {Kill("events/0", "filter-1", std::nullopt),
                      Kill("events/1", "filter-2", revived)},
                     nullptr, &watch);
  runner.Start(start);
  ASSERT_TRUE(Eventually([&] { return runner.outcomes().size() == 1; }));
  ASSERT_TRUE(ReadAll(watch));
  EXPECT_FALSE(watch.FiredAt(revived)) << "fired before the revival";
  EXPECT_EQ(runner.outcomes().size(), 1u);
  view.SetState("filter-1", ReplicaState::kRunning, 2);
  ASSERT_TRUE(Eventually([&] { return runner.outcomes().size() == 2; }));
  EXPECT_EQ(runner.outcomes()[1].target, "filter-2");
  EXPECT_EQ(runner.outcomes()[1].trigger, "fault events/0 revived");
}

TEST(TriggerRunnerTest, UnfiredTriggersAndCancelledEventsAreReported) {
  FakeView view;
  fake::FakeTarget target(fake::Movies());
  const Trigger never = Parse(R"({"log": "never", "replica": "client-1"})");
  const Trigger stop = Parse(R"({"log": "done", "replica": "client-1"})");
  const auto start = std::chrono::steady_clock::now();
  TriggerWatch watch(view, {never, stop}, start, milliseconds(1));
  FaultEvent late = Kill("auto/1", "filter-2", std::nullopt, milliseconds(60000));
  late.until = stop;
  FaultRunner runner(target,
                     {Kill("events/0", "filter-1", never), late,
                      Kill("events/1", "join-1", std::nullopt, milliseconds(60000))},
                     nullptr, &watch);
  runner.Start(start);
  view.Append("client-1", "done\n");
  ASSERT_TRUE(Eventually([&] { return watch.FiredAt(stop).has_value(); }));
  runner.Stop();
  runner.Join();
  EXPECT_TRUE(runner.outcomes().empty());
  const auto unapplied = runner.unapplied();
  // In plan order.
  ASSERT_EQ(unapplied.size(), 3u);
  EXPECT_EQ(unapplied[0].event, "events/0");
  EXPECT_EQ(unapplied[0].why, UnappliedEvent::Why::kTriggerNeverFired);
  EXPECT_EQ(unapplied[0].detail, "trigger never fired: log client-1 /never/ #1");
  EXPECT_EQ(unapplied[1].event, "auto/1");
  EXPECT_EQ(unapplied[1].why, UnappliedEvent::Why::kCancelled);
  EXPECT_THAT(unapplied[1].detail, HasSubstr("cancelled: log client-1 /done/ #1 fired at"));
  EXPECT_EQ(unapplied[2].event, "events/1");
  EXPECT_EQ(unapplied[2].why, UnappliedEvent::Why::kNotDue);
}

// A target whose kill makes the client log "done" and returns once the
// watch has seen it, as a slow kill that outlasts the work would.
class DoneOnKill : public fake::FakeTarget {
 public:
  DoneOnKill(FakeView& view, const Trigger& done)
      : FakeTarget(fake::Movies()), view_(view), done_(done) {}
  void Kill(const std::string& r, int signal) override {
    FakeTarget::Kill(r, signal);
    view_.Append("client-1", "done\n");
    EXPECT_TRUE(Eventually([&] { return watch_->FiredAt(done_).has_value(); }));
  }
  TriggerWatch* watch_ = nullptr;

 private:
  FakeView& view_;
  Trigger done_;
};

TEST(TriggerRunnerTest, TargetsStillToHitWhenUntilFiresAreCancelled) {
  FakeView view;
  const Trigger done = Parse(R"({"log": "done", "replica": "client-1"})");
  DoneOnKill target(view, done);
  const auto start = std::chrono::steady_clock::now();
  TriggerWatch watch(view, {done}, start, milliseconds(1));
  target.watch_ = &watch;
  FaultEvent tick = Kill("auto/0", "filter-1", std::nullopt);
  tick.targets = {"filter-1", "filter-2", "join-1"};
  tick.until = done;
  FaultRunner runner(target, {tick}, nullptr, &watch);
  runner.Start(start);
  ASSERT_TRUE(Eventually([&] { return !runner.unapplied().empty(); }));
  runner.Stop();
  runner.Join();
  ASSERT_EQ(runner.outcomes().size(), 1u);
  EXPECT_EQ(runner.outcomes()[0].target, "filter-1");
  EXPECT_EQ(target.State("filter-2"), ReplicaState::kRunning);
  ASSERT_EQ(runner.unapplied().size(), 1u);
  EXPECT_EQ(runner.unapplied()[0].why, UnappliedEvent::Why::kCancelled);
  EXPECT_THAT(runner.unapplied()[0].detail, HasSubstr("not hit: filter-2, join-1"));
}

TEST(TriggerRunnerTest, WithoutAWatchATriggeredEventNeverFires) {
  fake::FakeTarget target(fake::Movies());
  FaultRunner runner(
      target,
      {Kill("events/0", "filter-1", Parse(R"({"exited": "client-1"})"))});
  runner.Start();
  runner.Stop();
  runner.Join();
  ASSERT_EQ(runner.unapplied().size(), 1u);
  EXPECT_EQ(runner.unapplied()[0].why, UnappliedEvent::Why::kTriggerNeverFired);
}

}  // namespace
}  // namespace chancho
