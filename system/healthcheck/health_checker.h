#pragma once

// The health-checker's logic: pings its watched replicas over UDP, declares
// one dead after enough failed pings in a row, and revives it.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "system/common/config.h"
#include "system/common/log.h"

namespace chancho::healthcheck {

namespace asio = boost::asio;

struct CheckerOptions {
  // No ping before this much time has passed since Start(), and none to a
  // replica for this long after its revival.
  std::chrono::milliseconds grace_period{0};
  // One ping per watched replica per interval (fewer when max_concurrent
  // holds it back: a replica still queued or in flight is not queued again).
  std::chrono::milliseconds ping_interval{1000};
  // A ping not answered by then has failed. See PingTimeout.
  std::chrono::milliseconds ping_timeout{1000};
  // Failed pings in a row that make a replica dead; 0 counts as 1.
  int max_retries = 3;
  // Pings in flight at most; >= 1.
  int max_concurrent = 1;
  // Local address the ping sockets bind to (CHANCHO_BIND_IP), if any.
  std::optional<std::string> source_ip;
};

// min(ping_interval, 1 s): the timeout of one ping.
std::chrono::milliseconds PingTimeout(std::chrono::milliseconds ping_interval);

struct ReviveResult {
  bool success = false;
  std::string error;  // why it failed, one line; empty on success
};

// "1.234": seconds with 3 decimals, for log lines.
std::string SecondsText(std::chrono::steady_clock::duration elapsed);

// Watches a fixed list of replica names on one io_context.
//
// Every ping uses a UDP socket of its own, connected to the replica, that
// sends "PING\0" and waits for "PONG\0"; an ICMP "port unreachable" (a
// refused connection) fails the ping at once, a silence fails it at the
// timeout. After the failure threshold the replica is logged dead
// ("action: service_dead") and `revive` is called; until it reports back
// the replica is neither pinged nor revived again. Each revival is logged
// as exactly one "action: revive" line, then the replica is left alone for
// grace_period and its count of failures starts over.
//
// Threads: SetPingObserver (before Start), Start and Stop are for the
// io_context's thread; in_flight and max_in_flight may be read anywhere.
// The object must outlive the io_context's run() (every handler refers to
// it); Stop() ends all its own pending work, so run() returns once revives
// in flight have reported back.
class HealthChecker {
 public:
  using ResolveHandler = std::function<void(const boost::system::error_code&,
                                            const asio::ip::udp::endpoint&)>;
  // Finds the endpoint to ping for a replica name. The handler may be
  // called from any thread, even from inside the call; it is called once.
  using Resolve =
      std::function<void(const std::string& name, ResolveHandler handler)>;
  using ReviveHandler = std::function<void(ReviveResult)>;
  // Starts reviving a replica. Must not block; `done` may be called from
  // any thread, once (later calls are ignored). An exception thrown by the
  // call counts as a failed revive.
  using Revive =
      std::function<void(const std::string& name, ReviveHandler done)>;
  // Called on the io thread after each finished ping (for tests and
  // metrics): the replica and whether it answered.
  using PingObserver =
      std::function<void(const std::string& name, bool answered)>;

  HealthChecker(asio::io_context& io, CheckerOptions options,
                std::vector<std::string> watched, Resolve resolve,
                Revive revive, common::Logger& logger);
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  void SetPingObserver(PingObserver observer);

  // Logs "action: health_check | result: success | watching: a,b" and
  // schedules the first round grace_period from now.
  void Start();
  // Cancels the rounds and the pings in flight. Idempotent.
  void Stop();

  const std::vector<std::string>& watched() const { return names_; }
  // Thread-safe: pings in flight now, and the most there ever were.
  int in_flight() const { return in_flight_.load(); }
  int max_in_flight() const { return max_in_flight_.load(); }

 private:
  struct Target;
  struct Ping;

  void OnRound(const boost::system::error_code& ec);
  void Pump();
  void StartPing(std::size_t target);
  void OnResolved(const std::shared_ptr<Ping>& ping,
                  const boost::system::error_code& ec,
                  const asio::ip::udp::endpoint& endpoint);
  void Receive(const std::shared_ptr<Ping>& ping);
  void FinishPing(const std::shared_ptr<Ping>& ping, bool answered,
                  const std::string& error);
  void StartRevive(std::size_t target);
  void OnRevived(std::size_t target,
                 std::chrono::steady_clock::time_point started,
                 const ReviveResult& result);

  asio::io_context& io_;
  CheckerOptions options_;
  std::vector<std::string> names_;
  std::vector<Target> targets_;
  Resolve resolve_;
  Revive revive_;
  PingObserver observer_;
  common::Logger& logger_;
  asio::steady_timer round_timer_;
  std::deque<std::size_t> queue_;
  std::set<std::shared_ptr<Ping>> pings_;
  bool stopped_ = false;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
};

// The production Resolve: an IP literal as is; else the hosts file named by
// CHANCHO_HOSTS_FILE, if it knows the name; else DNS (asynchronously). The
// endpoint gets `port`. Handlers run on `io`'s thread. DNS lookups run on
// threads of their own, so a name that gets no answer delays no other name;
// an answer that comes after the last copy of the function is gone is
// dropped.
HealthChecker::Resolve MakeResolver(asio::io_context& io, uint16_t port,
                                    common::EnvLookup env);

}  // namespace chancho::healthcheck
