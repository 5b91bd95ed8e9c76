#include "system/healthcheck/health_checker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "system/common/heartbeat.h"
#include "system/healthcheck/config.h"

namespace chancho::healthcheck {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using udp = asio::ip::udp;

// --- Which checker watches what ---------------------------------------------

std::vector<std::string> Watch(int id, int n) {
  return WatchedNames({{"a", 3}, {"b", 1}, {"c", 2}}, "hc", id, n);
}

TEST(WatchedNamesTest, OneCheckerWatchesEveryReplicaSorted) {
  EXPECT_THAT(Watch(1, 1), ElementsAre("a-1", "a-2", "a-3", "b", "c-1", "c-2"));
  EXPECT_THAT(WatchedNames({{"server", 1}}, "hc", 1, 1), ElementsAre("server"));
}

TEST(WatchedNamesTest, RoundRobinPlusTheNextCheckerOfTheRing) {
  // Sorted: a-1 a-2 a-3 b c-1 c-2.
  EXPECT_THAT(Watch(1, 2), ElementsAre("a-1", "a-3", "c-1", "hc-2"));
  EXPECT_THAT(Watch(2, 2), ElementsAre("a-2", "b", "c-2", "hc-1"));
  EXPECT_THAT(Watch(1, 3), ElementsAre("a-1", "b", "hc-2"));
  EXPECT_THAT(Watch(2, 3), ElementsAre("a-2", "c-1", "hc-3"));
  EXPECT_THAT(Watch(3, 3), ElementsAre("a-3", "c-2", "hc-1"));
  // More checkers than replicas: the last ones only keep the ring.
  EXPECT_THAT(Watch(7, 7), ElementsAre("hc-1"));
}

TEST(WatchedNamesTest, EveryReplicaHasExactlyOneWatcher) {
  for (int n = 1; n <= 8; ++n) {
    std::multiset<std::string> seen;
    for (int id = 1; id <= n; ++id) {
      for (const auto& name : Watch(id, n)) seen.insert(name);
    }
    for (const char* name : {"a-1", "a-2", "a-3", "b", "c-1", "c-2"}) {
      EXPECT_EQ(seen.count(name), 1u) << name << " with " << n << " checkers";
    }
    for (int id = 1; id <= n && n > 1; ++id) {
      EXPECT_EQ(seen.count("hc-" + std::to_string(id)), 1u) << n;
    }
  }
}

TEST(WatchedNamesTest, NeverItselfAndNoDuplicates) {
  // The checkers' own service listed too, and a service listed twice.
  const auto names = WatchedNames({{"hc", 2}, {"x", 1}, {"x", 1}}, "hc", 1, 2);
  EXPECT_THAT(names, ElementsAre("x", "hc-2"));
  EXPECT_THAT(WatchedNames({{"hc", 2}, {"x", 1}}, "hc", 2, 2),
              ElementsAre("hc-1"));
}

// --- Configuration ----------------------------------------------------------

TEST(ConfigTest, ReadsTheSeedKeysAndIdentity) {
  const auto config =
      LoadConfig(common::MapEnv({{"GRACE_PERIOD", "2.5"},
                                 {"PING_INTERVAL", "0.25"},
                                 {"MAX_RETRIES", "4"},
                                 {"MAX_CONCURRENT_HEALTH_CHECKS", "3"},
                                 {"HEARTBEAT_PORT", "5555"},
                                 {"LOG_LEVEL", "debug"},
                                 {"SERVICE_NAME", "hc"},
                                 {"REPLICA_ID", "2"},
                                 {"REPLICAS", "2"},
                                 {"REPLICA_NAME", "hc-2"},
                                 {"OUTPUT_NODES", "a,b,c"},
                                 {"OUTPUT_NODES_REPLICAS", "3,1,2"},
                                 {"REVIVE_COMMAND", "revive {name}"},
                                 {"REVIVE_TIMEOUT", "7"}}),
                 "");
  EXPECT_EQ(config.grace_period, 2500ms);
  EXPECT_EQ(config.ping_interval, 250ms);
  EXPECT_EQ(config.max_retries, 4);
  EXPECT_EQ(config.max_concurrent, 3);
  EXPECT_EQ(config.heartbeat_port, 5555);
  EXPECT_EQ(config.log_level, common::LogLevel::kDebug);
  EXPECT_EQ(config.replica_name, "hc-2");
  EXPECT_THAT(config.watched, ElementsAre("a-2", "b", "c-2", "hc-1"));
  EXPECT_EQ(config.revive_command, "revive {name}");
  EXPECT_EQ(config.revive_timeout, 7000ms);
}

TEST(ConfigTest, Defaults) {
  const auto config =
      LoadConfig(common::MapEnv({{"REVIVE_COMMAND", "x {name}"}}), "");
  EXPECT_EQ(config.grace_period, 5000ms);
  EXPECT_EQ(config.ping_interval, 1000ms);
  EXPECT_EQ(config.max_retries, 3);
  EXPECT_EQ(config.max_concurrent, 4);
  EXPECT_EQ(config.heartbeat_port, 4444);
  EXPECT_EQ(config.replica_name, "health-checker");
  EXPECT_TRUE(config.watched.empty());
}

TEST(ConfigTest, OneLineErrorsNameTheVariable) {
  auto error = [](std::map<std::string, std::string> vars) -> std::string {
    vars.emplace("REVIVE_COMMAND", "x");
    try {
      LoadConfig(common::MapEnv(vars), "");
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error({{"PING_INTERVAL", "fast"}}),
            "PING_INTERVAL: 'fast' is not a number of seconds in [0, 86400]");
  EXPECT_THAT(error({{"PING_INTERVAL", "0"}}), HasSubstr("PING_INTERVAL"));
  EXPECT_THAT(error({{"GRACE_PERIOD", "-1"}}), HasSubstr("GRACE_PERIOD"));
  EXPECT_THAT(error({{"MAX_RETRIES", "-1"}}), HasSubstr("MAX_RETRIES"));
  EXPECT_THAT(error({{"MAX_CONCURRENT_HEALTH_CHECKS", "0"}}),
              HasSubstr("MAX_CONCURRENT_HEALTH_CHECKS"));
  EXPECT_THAT(error({{"HEARTBEAT_PORT", "70000"}}),
              HasSubstr("HEARTBEAT_PORT"));
  EXPECT_EQ(error({{"OUTPUT_NODES", "a,b"}, {"OUTPUT_NODES_REPLICAS", "1"}}),
            "OUTPUT_NODES_REPLICAS has 1 entries for 2 OUTPUT_NODES");
  EXPECT_EQ(error({{"REPLICA_ID", "3"}, {"REPLICAS", "2"}}),
            "REPLICA_ID 3 exceeds REPLICAS 2");
}

TEST(ConfigTest, ReviveCommandUnderProcessRuntime) {
  const std::map<std::string, std::string> process_env = {
      {"CHANCHO_CONTROL", "chancho-abc"}, {"CHANCHO_RUN_DIR", "/runs/r 1"}};
  auto with = [&](std::map<std::string, std::string> more) {
    more.insert(process_env.begin(), process_env.end());
    return common::MapEnv(more);
  };
  EXPECT_EQ(DefaultReviveCommand(with({{"CHANCHO_BIN", "/opt/c/chancho"}}),
                                 "/nowhere"),
            "/opt/c/chancho ctl start {name} --run '/runs/r 1'");
  // No chancho beside the health-checker: the one on PATH.
  EXPECT_EQ(DefaultReviveCommand(with({}), "/nowhere"),
            "chancho ctl start {name} --run '/runs/r 1'");

  // An executable chancho beside the health-checker wins over PATH.
  std::string dir =
      (std::filesystem::temp_directory_path() / "hc-test-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const auto chancho = std::filesystem::path(dir) / "chancho";
  std::ofstream(chancho) << "#!/bin/sh\n";
  ::chmod(chancho.c_str(), 0755);
  EXPECT_EQ(DefaultReviveCommand(with({}), dir),
            chancho.string() + " ctl start {name} --run '/runs/r 1'");
  std::filesystem::remove_all(dir);

  // REVIVE_COMMAND wins over every default.
  EXPECT_EQ(
      LoadConfig(with({{"REVIVE_COMMAND", "mine {name}"}}), "").revive_command,
      "mine {name}");
}

TEST(ConfigTest, ReviveCommandUnderDocker) {
  EXPECT_EQ(DefaultReviveCommand(
                common::MapEnv({{"CONTAINER_PREFIX", "run42-"}}), ""),
            "docker start run42-{name}");
  try {
    DefaultReviveCommand(common::MapEnv({}), "");
    FAIL() << "no error without a way to revive";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("REVIVE_COMMAND"));
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

TEST(ConfigTest, ShellQuote) {
  EXPECT_EQ(ShellQuote("/usr/bin/chancho"), "/usr/bin/chancho");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote(""), "''");
}

// --- The checker against real sockets
// -----------------------------------------

// Everything the tests observe, under one lock, with a condition to wait on.
struct Observed {
  std::mutex mu;
  std::condition_variable changed;
  std::map<std::string, std::vector<Clock::time_point>> received;  // pings
  std::map<std::string, int> answered;
  std::map<std::string, int> failed;
  std::vector<std::string> revived;             // revive calls
  std::map<std::string, int> failed_at_revive;  // failed[] at the call
  std::map<std::string, std::size_t> received_at_revive;
  std::vector<HealthChecker::ReviveHandler> pending;  // revives not done
  int max_in_flight_seen = 0;

  template <typename Fn>
  void Update(Fn fn) {
    {
      std::lock_guard lock(mu);
      fn();
    }
    changed.notify_all();
  }
};

// A UDP endpoint on 127.0.0.1 that counts pings and answers them or not.
class TestResponder {
 public:
  TestResponder(asio::io_context& io, std::string name, Observed& observed,
                bool answer)
      : socket_(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        name_(std::move(name)),
        observed_(observed),
        answer_(answer) {
    Receive();
  }
  udp::endpoint endpoint() const { return socket_.local_endpoint(); }

 private:
  void Receive() {
    socket_.async_receive_from(
        asio::buffer(buffer_), sender_,
        [this](const boost::system::error_code& ec, std::size_t) {
          if (ec) return;
          observed_.Update(
              [&] { observed_.received[name_].push_back(Clock::now()); });
          if (answer_) {
            boost::system::error_code ignored;
            socket_.send_to(asio::buffer(common::kHeartbeatPong, 5), sender_, 0,
                            ignored);
          }
          Receive();
        });
  }

  udp::socket socket_;
  std::string name_;
  Observed& observed_;
  bool answer_;
  std::array<char, 64> buffer_{};
  udp::endpoint sender_;
};

class CheckerTest : public ::testing::Test {
 protected:
  CheckerTest() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~CheckerTest() override { Shutdown(); }

  // Runs `fn` on the io thread and waits for it.
  void OnIo(std::function<void()> fn) {
    std::promise<void> done;
    asio::post(io_, [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }

  // Stops the checker and the io thread; afterwards log() is complete.
  void Shutdown() {
    if (!thread_.joinable()) return;
    OnIo([this] {
      if (checker_) checker_->Stop();
      responders_.clear();
      heartbeats_.clear();
    });
    work_.reset();
    thread_.join();
  }

  void AddResponder(const std::string& name, bool answer) {
    OnIo([&] {
      auto responder =
          std::make_unique<TestResponder>(io_, name, observed_, answer);
      endpoints_[name] = responder->endpoint();
      responders_.push_back(std::move(responder));
    });
  }

  void StartChecker(CheckerOptions options, std::vector<std::string> names,
                    HealthChecker::Revive revive) {
    auto resolve = [this](const std::string& name,
                          HealthChecker::ResolveHandler done) {
      auto it = endpoints_.find(name);
      if (it == endpoints_.end()) {
        done(asio::error::host_not_found, {});
      } else {
        done({}, it->second);
      }
    };
    OnIo([&] {
      checker_ = std::make_unique<HealthChecker>(
          io_, options, std::move(names), resolve, std::move(revive), logger_);
      checker_->SetPingObserver([this](const std::string& name, bool ok) {
        const int in_flight = checker_->in_flight();
        observed_.Update([&] {
          ++(ok ? observed_.answered : observed_.failed)[name];
          observed_.max_in_flight_seen =
              std::max(observed_.max_in_flight_seen, in_flight);
        });
      });
      checker_->Start();
    });
  }

  // A revive that only records the call and reports success.
  HealthChecker::Revive RecordingRevive() {
    return [this](const std::string& name, HealthChecker::ReviveHandler done) {
      Record(name);
      done({true, ""});
    };
  }

  void Record(const std::string& name) {
    observed_.Update([&] {
      observed_.revived.push_back(name);
      observed_.failed_at_revive[name] = observed_.failed[name];
      observed_.received_at_revive[name] = observed_.received[name].size();
    });
  }

  template <typename Pred>
  bool WaitUntil(Pred pred, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(observed_.mu);
    return observed_.changed.wait_for(lock, timeout, pred);
  }

  // The parsed event lines with this action (call after Shutdown).
  std::vector<common::LogEvent> Events(const std::string& action) {
    std::vector<common::LogEvent> events;
    std::istringstream lines(log_.str());
    for (std::string line; std::getline(lines, line);) {
      auto event = common::ParseLogLine(line);
      if (event && event->action == action) events.push_back(*event);
    }
    return events;
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::ostringstream log_;
  common::Logger logger_{common::LogLevel::kDebug, log_};
  Observed observed_;
  std::map<std::string, udp::endpoint> endpoints_;  // io thread only
  std::vector<std::unique_ptr<TestResponder>> responders_;
  std::map<std::string, std::unique_ptr<common::HeartbeatResponder>>
      heartbeats_;
  std::unique_ptr<HealthChecker> checker_;
  std::thread thread_;
};

CheckerOptions Fast() {
  CheckerOptions options;
  options.grace_period = 100ms;
  options.ping_interval = 40ms;
  options.ping_timeout = 40ms;
  options.max_retries = 3;
  options.max_concurrent = 4;
  return options;
}

TEST_F(CheckerTest, RevivesAResponderThatStopsAnsweringOnceAndNeverALiveOne) {
  OnIo([&] {
    for (const char* name : {"alive", "dead"}) {
      heartbeats_[name] =
          std::make_unique<common::HeartbeatResponder>(io_, "127.0.0.1", 0);
      endpoints_[name] = heartbeats_[name]->local_endpoint();
    }
  });
  // The revive brings the responder back on its port, like a restart.
  StartChecker(
      Fast(), {"alive", "dead"},
      [this](const std::string& name, HealthChecker::ReviveHandler done) {
        Record(name);
        heartbeats_[name] = std::make_unique<common::HeartbeatResponder>(
            io_, "127.0.0.1", endpoints_[name].port());
        done({true, ""});
      });
  ASSERT_TRUE(WaitUntil([&] { return observed_.answered["dead"] >= 2; }));
  OnIo([&] { heartbeats_["dead"]->Stop(); });

  ASSERT_TRUE(WaitUntil([&] { return !observed_.revived.empty(); }));
  int answered_at_revive = 0;
  {
    std::lock_guard lock(observed_.mu);
    answered_at_revive = observed_.answered["dead"];
    EXPECT_EQ(observed_.failed_at_revive["dead"], 3);
  }
  // Checked again after its grace period, and found alive.
  ASSERT_TRUE(WaitUntil(
      [&] { return observed_.answered["dead"] >= answered_at_revive + 3; }));
  Shutdown();

  EXPECT_THAT(observed_.revived, ElementsAre("dead"));
  EXPECT_EQ(observed_.failed["alive"], 0);
  EXPECT_GT(observed_.answered["alive"], 3);
  const auto revives = Events("revive");
  ASSERT_EQ(revives.size(), 1u) << log_.str();
  EXPECT_EQ(revives[0].result, "success");
  EXPECT_EQ(revives[0].Get("service"), "dead");
  EXPECT_TRUE(revives[0].Get("seconds"));
  const auto dead = Events("service_dead");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].Get("failed_pings"), "3");
  const auto start = Events("health_check");
  ASSERT_EQ(start.size(), 1u);
  EXPECT_EQ(start[0].Get("watching"), "alive,dead");
}

TEST_F(CheckerTest, ASilentResponderTimesOutAndIsRevived) {
  AddResponder("silent", false);
  StartChecker(Fast(), {"silent"}, RecordingRevive());
  ASSERT_TRUE(WaitUntil([&] { return !observed_.revived.empty(); }));
  std::lock_guard lock(observed_.mu);
  EXPECT_EQ(observed_.failed_at_revive["silent"], 3);
  EXPECT_EQ(observed_.received_at_revive["silent"], 3u);
}

TEST_F(CheckerTest, AnUnresolvableNameCountsAsAFailedPing) {
  StartChecker(Fast(), {"ghost"}, RecordingRevive());
  ASSERT_TRUE(WaitUntil([&] { return !observed_.revived.empty(); }));
  Shutdown();
  EXPECT_THAT(observed_.revived, ElementsAre("ghost"));
}

TEST_F(CheckerTest, NeverMoreThanMaxConcurrentPingsInFlight) {
  std::vector<std::string> names;
  for (int i = 0; i < 6; ++i) {
    names.push_back("silent-" + std::to_string(i));
    AddResponder(names.back(), false);
  }
  CheckerOptions options = Fast();
  options.ping_interval = 20ms;
  options.ping_timeout = 100ms;  // each check holds its slot this long
  options.max_retries = 1000;
  options.max_concurrent = 2;
  StartChecker(options, names, RecordingRevive());
  ASSERT_TRUE(WaitUntil([&] {
    int failed = 0;
    for (const auto& [name, count] : observed_.failed) failed += count;
    return failed >= 12;
  }));
  Shutdown();
  EXPECT_EQ(checker_->max_in_flight(), 2);
  EXPECT_LE(observed_.max_in_flight_seen, 2);
  // The slots are shared fairly: no replica was starved.
  for (const auto& name : names) EXPECT_GE(observed_.failed[name], 1) << name;
}

TEST_F(CheckerTest, NoPingBeforeTheGracePeriod) {
  AddResponder("server", true);
  CheckerOptions options = Fast();
  options.grace_period = 400ms;
  const auto before_start = Clock::now();
  StartChecker(options, {"server"}, RecordingRevive());
  ASSERT_TRUE(WaitUntil([&] { return observed_.answered["server"] >= 3; }));
  std::lock_guard lock(observed_.mu);
  ASSERT_FALSE(observed_.received["server"].empty());
  EXPECT_GE(observed_.received["server"].front() - before_start, 400ms);
}

TEST_F(CheckerTest, NoSecondReviveWhileOneIsInFlightThenGraceThenRetry) {
  AddResponder("live", true);
  AddResponder("stuck", false);
  CheckerOptions options = Fast();
  options.max_retries = 2;
  options.grace_period = 300ms;
  StartChecker(
      options, {"live", "stuck"},
      [this](const std::string& name, HealthChecker::ReviveHandler done) {
        Record(name);
        observed_.Update([&] { observed_.pending.push_back(std::move(done)); });
      });
  ASSERT_TRUE(WaitUntil([&] { return observed_.revived.size() == 1; }));
  // Ten more rounds go by (the live one is pinged each round) while the
  // revive hangs: the stuck one is neither pinged nor revived again.
  int live = 0;
  {
    std::lock_guard lock(observed_.mu);
    live = observed_.answered["live"];
  }
  ASSERT_TRUE(
      WaitUntil([&] { return observed_.answered["live"] >= live + 10; }));
  HealthChecker::ReviveHandler done;
  {
    std::lock_guard lock(observed_.mu);
    EXPECT_EQ(observed_.revived.size(), 1u);
    EXPECT_EQ(observed_.received["stuck"].size(),
              observed_.received_at_revive["stuck"]);
    done = std::move(observed_.pending.at(0));
  }
  const auto done_at = Clock::now();
  done({false, "test failure"});

  // A failed revive also earns a grace period; then it is retried.
  ASSERT_TRUE(WaitUntil([&] { return observed_.revived.size() == 2; }));
  Shutdown();
  const auto& received = observed_.received["stuck"];
  const auto first_after =
      std::find_if(received.begin(), received.end(),
                   [&](Clock::time_point t) { return t > done_at; });
  ASSERT_NE(first_after, received.end());
  EXPECT_GE(*first_after - done_at, 300ms);
  const auto revives = Events("revive");
  ASSERT_EQ(revives.size(), 1u);  // the second one is still in flight
  EXPECT_EQ(revives[0].result, "fail");
  EXPECT_EQ(revives[0].Get("error"), "test failure");
  EXPECT_EQ(Events("service_dead").size(), 2u);
}

TEST_F(CheckerTest, AReviveThatThrowsIsAFailedRevive) {
  StartChecker(Fast(), {"ghost"},
               [this](const std::string& name, HealthChecker::ReviveHandler) {
                 Record(name);
                 throw std::runtime_error("no way");
               });
  ASSERT_TRUE(WaitUntil([&] { return !observed_.revived.empty(); }));
  Shutdown();
  const auto revives = Events("revive");
  ASSERT_EQ(revives.size(), 1u);
  EXPECT_EQ(revives[0].result, "fail");
  EXPECT_EQ(revives[0].Get("error"), "no way");
}

TEST(PingTimeoutTest, IsTheIntervalUpToOneSecond) {
  EXPECT_EQ(PingTimeout(250ms), 250ms);
  EXPECT_EQ(PingTimeout(5000ms), 1000ms);
}

// --- Resolution and revive commands -----------------------------------------

class IoThreadTest : public ::testing::Test {
 protected:
  IoThreadTest() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~IoThreadTest() override {
    work_.reset();
    thread_.join();
  }

  // Calls `start(done)` on the io thread and waits for `done`'s result.
  template <typename Result, typename Start>
  Result Await(Start start) {
    std::promise<Result> result;
    asio::post(io_, [&] {
      start([&result](Result r) { result.set_value(std::move(r)); });
    });
    auto future = result.get_future();
    EXPECT_EQ(future.wait_for(10s), std::future_status::ready);
    return future.get();
  }

  ReviveResult RunRevive(ShellReviver& reviver, const std::string& name) {
    return Await<ReviveResult>(
        [&](auto done) { reviver.Revive(name, std::move(done)); });
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

using ResolverTest = IoThreadTest;

TEST_F(ResolverTest, IpLiteralsAndTheHostsFile) {
  const auto hosts = std::filesystem::temp_directory_path() /
                     ("hc-hosts-" + std::to_string(::getpid()));
  std::ofstream(hosts) << "127.0.3.7 server\n";
  auto resolve = MakeResolver(
      io_, 4444, common::MapEnv({{"CHANCHO_HOSTS_FILE", hosts.string()}}));
  using Answer = std::pair<boost::system::error_code, udp::endpoint>;
  auto lookup = [&](const std::string& name) {
    return Await<Answer>([&](auto done) {
      resolve(name, [done](const boost::system::error_code& ec,
                           const udp::endpoint& to) {
        done(Answer{ec, to});
      });
    });
  };
  EXPECT_EQ(lookup("server").second,
            udp::endpoint(asio::ip::make_address("127.0.3.7"), 4444));
  EXPECT_EQ(lookup("127.0.0.9").second,
            udp::endpoint(asio::ip::make_address("127.0.0.9"), 4444));
  std::filesystem::remove(hosts);
}

using ShellReviverTest = IoThreadTest;

TEST_F(ShellReviverTest, SubstitutesTheNameEverywhere) {
  ShellReviver reviver(io_, "start {name} --as {name}", 1s);
  EXPECT_EQ(reviver.Command("web-1"), "start web-1 --as web-1");
}

TEST_F(ShellReviverTest, ExitZeroIsSuccess) {
  ShellReviver reviver(io_, "test {name} = web-1", 5s);
  const ReviveResult result = RunRevive(reviver, "web-1");
  EXPECT_TRUE(result.success) << result.error;
  EXPECT_EQ(result.error, "");
}

TEST_F(ShellReviverTest, FailureCarriesStatusAndOutput) {
  ShellReviver reviver(io_, "echo cannot start {name}; echo oops >&2; exit 3",
                       5s);
  const ReviveResult result = RunRevive(reviver, "web-1");
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error, "exit status 3: cannot start web-1\noops");
}

TEST_F(ShellReviverTest, ATimeoutKillsTheWholeCommand) {
  // The background sleep holds the output open: it must die too.
  ShellReviver reviver(io_, "sleep 30 & sleep 30", 200ms);
  const auto start = Clock::now();
  const ReviveResult result = RunRevive(reviver, "x");
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error, "timed out after 0.200 s");
}

TEST_F(ShellReviverTest, CancelEndsCommandsInFlight) {
  ShellReviver reviver(io_, "sleep 30", 60s);
  std::promise<ReviveResult> result;
  asio::post(io_, [&] {
    reviver.Revive("x", [&](ReviveResult r) { result.set_value(r); });
    reviver.Cancel();
  });
  auto future = result.get_future();
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(future.get().error, "cancelled");
}

TEST_F(ShellReviverTest, RefusesNamesThatAreNotPlainWords) {
  ShellReviver reviver(io_, "true {name}", 5s);
  const ReviveResult result = RunRevive(reviver, "x; rm -rf /");
  EXPECT_FALSE(result.success);
  EXPECT_THAT(result.error, HasSubstr("refusing"));
}

}  // namespace
}  // namespace chancho::healthcheck
