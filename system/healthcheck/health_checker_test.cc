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
using udp = asio::ip::udp;

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

}  // namespace
}  // namespace chancho::healthcheck
