#include "system/healthcheck/health_checker.h"

#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/algorithm/string/join.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/process/v2/posix/default_launcher.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "system/common/heartbeat.h"
#include "system/common/resolve.h"

namespace chancho::healthcheck {

namespace bp = boost::process::v2;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

std::string SecondsText(std::chrono::steady_clock::duration elapsed) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f",
                std::chrono::duration<double>(elapsed).count());
  return text;
}

std::chrono::milliseconds PingTimeout(std::chrono::milliseconds ping_interval) {
  return std::min<std::chrono::milliseconds>(ping_interval,
                                             std::chrono::seconds(1));
}

struct HealthChecker::Target {
  enum class State { kIdle, kQueued, kPinging, kReviving };
  State state = State::kIdle;
  int failures = 0;
  Clock::time_point not_before{};
};

struct HealthChecker::Ping {
  Ping(asio::io_context& io, std::size_t target)
      : target(target), socket(io), timer(io) {}
  std::size_t target;
  asio::ip::udp::socket socket;
  asio::steady_timer timer;
  std::array<char, 64> buffer{};
  bool finished = false;
};

HealthChecker::HealthChecker(asio::io_context& io, CheckerOptions options,
                             std::vector<std::string> watched, Resolve resolve,
                             Revive revive, common::Logger& logger)
    : io_(io),
      options_(std::move(options)),
      names_(std::move(watched)),
      targets_(names_.size()),
      resolve_(std::move(resolve)),
      revive_(std::move(revive)),
      logger_(logger),
      round_timer_(io) {
  options_.max_concurrent = std::max(options_.max_concurrent, 1);
  options_.max_retries = std::max(options_.max_retries, 1);
}

HealthChecker::~HealthChecker() = default;

void HealthChecker::SetPingObserver(PingObserver observer) {
  observer_ = std::move(observer);
}

void HealthChecker::Start() {
  logger_.Info("health_check", "success",
               {{"watching", boost::algorithm::join(names_, ",")}});
  round_timer_.expires_after(options_.grace_period);
  round_timer_.async_wait([this](const error_code& ec) { OnRound(ec); });
}

void HealthChecker::Stop() {
  if (stopped_) return;
  stopped_ = true;
  round_timer_.cancel();
  queue_.clear();
  // FinishPing erases from pings_, so iterate over a copy.
  const auto pings = pings_;
  for (const auto& ping : pings) FinishPing(ping, false, "stopped");
}

void HealthChecker::OnRound(const error_code& ec) {
  if (ec || stopped_) return;
  const auto now = Clock::now();
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    Target& target = targets_[i];
    if (target.state == Target::State::kIdle && now >= target.not_before) {
      target.state = Target::State::kQueued;
      queue_.push_back(i);
    }
  }
  Pump();
  // A steady cadence; after a stall (a suspended process) start afresh
  // instead of running the missed rounds back to back.
  auto next = round_timer_.expiry() + options_.ping_interval;
  if (next < now) next = now + options_.ping_interval;
  round_timer_.expires_at(next);
  round_timer_.async_wait([this](const error_code& ec) { OnRound(ec); });
}

void HealthChecker::Pump() {
  while (!stopped_ && !queue_.empty() &&
         in_flight_.load() < options_.max_concurrent) {
    const std::size_t target = queue_.front();
    queue_.pop_front();
    StartPing(target);
  }
}

void HealthChecker::StartPing(std::size_t target) {
  targets_[target].state = Target::State::kPinging;
  const int in_flight = ++in_flight_;
  if (in_flight > max_in_flight_.load()) max_in_flight_.store(in_flight);

  auto ping = std::make_shared<Ping>(io_, target);
  pings_.insert(ping);
  // The timeout covers the name lookup too: a check never outlasts it.
  ping->timer.expires_after(options_.ping_timeout);
  ping->timer.async_wait([this, ping](const error_code& ec) {
    if (!ec) FinishPing(ping, false, "no answer in time");
  });
  // Whatever thread the resolver answers on, the answer is handled here.
  resolve_(names_[target], [this, ping](const error_code& ec,
                                        const asio::ip::udp::endpoint& to) {
    asio::post(io_, [this, ping, ec, to] { OnResolved(ping, ec, to); });
  });
}

void HealthChecker::OnResolved(const std::shared_ptr<Ping>& ping,
                               const error_code& ec,
                               const asio::ip::udp::endpoint& endpoint) {
  if (ping->finished) return;
  if (ec) {
    FinishPing(ping, false, "cannot resolve: " + ec.message());
    return;
  }
  error_code error;
  ping->socket.open(endpoint.protocol(), error);
  if (!error && options_.source_ip) {
    const auto source = asio::ip::make_address(*options_.source_ip, error);
    if (!error) ping->socket.bind({source, 0}, error);
  }
  // Connected, so that only the replica's answer is received and an ICMP
  // "port unreachable" from a dead replica fails the ping at once.
  if (!error) ping->socket.connect(endpoint, error);
  if (error) {
    FinishPing(ping, false, error.message());
    return;
  }
  ping->socket.async_send(
      asio::buffer(common::kHeartbeatPing, sizeof(common::kHeartbeatPing)),
      [this, ping](const error_code& ec, std::size_t) {
        if (ec && !ping->finished) FinishPing(ping, false, ec.message());
      });
  Receive(ping);
}

void HealthChecker::Receive(const std::shared_ptr<Ping>& ping) {
  ping->socket.async_receive(
      asio::buffer(ping->buffer),
      [this, ping](const error_code& ec, std::size_t size) {
        if (ping->finished) return;
        if (ec) {
          FinishPing(ping, false, ec.message());
        } else if (size == sizeof(common::kHeartbeatPong) &&
                   std::memcmp(ping->buffer.data(), common::kHeartbeatPong,
                               size) == 0) {
          FinishPing(ping, true, "");
        } else {
          Receive(ping);  // not an answer to us; keep waiting
        }
      });
}

void HealthChecker::FinishPing(const std::shared_ptr<Ping>& ping, bool answered,
                               const std::string& error) {
  if (ping->finished) return;
  ping->finished = true;
  error_code ignored;
  ping->timer.cancel();
  ping->socket.close(ignored);
  pings_.erase(ping);
  --in_flight_;

  Target& target = targets_[ping->target];
  const std::string& name = names_[ping->target];
  target.state = Target::State::kIdle;
  if (stopped_) return;
  if (observer_) observer_(name, answered);
  if (answered) {
    target.failures = 0;
  } else {
    ++target.failures;
    logger_.Debug("ping", "fail",
                  {{"service", name},
                   {"failed_pings", std::to_string(target.failures)},
                   {"error", error}});
    if (target.failures >= options_.max_retries) {
      logger_.Warning("service_dead", "success",
                      {{"service", name},
                       {"failed_pings", std::to_string(target.failures)}});
      StartRevive(ping->target);
    }
  }
  Pump();
}

void HealthChecker::StartRevive(std::size_t target) {
  targets_[target].state = Target::State::kReviving;
  const auto started = Clock::now();
  auto called = std::make_shared<std::atomic<bool>>(false);
  ReviveHandler done = [this, target, started, called](ReviveResult result) {
    if (called->exchange(true)) return;
    asio::post(io_, [this, target, started, result = std::move(result)] {
      OnRevived(target, started, result);
    });
  };
  try {
    revive_(names_[target], done);
  } catch (const std::exception& e) {
    done({false, common::ExceptionMessage(e)});
  }
}

void HealthChecker::OnRevived(std::size_t target, Clock::time_point started,
                              const ReviveResult& result) {
  common::LogFields fields = {{"service", names_[target]},
                              {"seconds", SecondsText(Clock::now() - started)}};
  if (result.success) {
    logger_.Info("revive", "success", fields);
  } else {
    fields.emplace_back("error", result.error);
    logger_.Error("revive", "fail", fields);
  }
  // Whether it worked or not, the replica gets a grace period to come up
  // and a fresh count: a failed revive is retried after max_retries more
  // failed pings, not at once.
  Target& t = targets_[target];
  t.state = Target::State::kIdle;
  t.failures = 0;
  t.not_before = Clock::now() + options_.grace_period;
}

namespace {

// DNS lookups, each on a thread of its own. A name that gets no answer must
// not hold up the others: Docker's embedded DNS leaves the name of a stopped
// container unanswered on an internal network until the resolver times out
// (seconds), and asio's resolver runs one lookup at a time per io_context.
// Besides, a fork (a revive command) waits for asio's resolver thread, so
// a slow lookup there would stall the whole checker. One lookup per name is
// in flight; requests for that name meanwhile wait for its answer.
// Answers are posted to `io` until Close(); the threads keep this object
// alive and never touch `io` after it.
class ThreadLookups : public std::enable_shared_from_this<ThreadLookups> {
 public:
  explicit ThreadLookups(asio::io_context& io) : io_(io) {}

  void Lookup(const std::string& name, uint16_t port,
              HealthChecker::ResolveHandler done) {
    {
      std::lock_guard lock(mu_);
      auto& waiting = waiting_[name];
      waiting.push_back(std::move(done));
      if (waiting.size() > 1) return;
    }
    std::thread([self = shared_from_this(), name, port] {
      error_code ec;
      const asio::ip::udp::endpoint endpoint = Resolve(name, port, ec);
      std::lock_guard lock(self->mu_);
      auto waiting = std::move(self->waiting_[name]);
      self->waiting_.erase(name);
      if (self->closed_) return;
      for (auto& done : waiting) {
        asio::post(self->io_, [done = std::move(done), ec, endpoint] {
          done(ec, endpoint);
        });
      }
    }).detach();
  }

  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }

 private:
  static asio::ip::udp::endpoint Resolve(const std::string& name, uint16_t port,
                                         error_code& ec) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(name.c_str(), std::to_string(port).c_str(),
                                 &hints, &found);
    asio::ip::udp::endpoint endpoint;
    if (rc != 0 || found == nullptr ||
        found->ai_addrlen > endpoint.capacity()) {
      ec = rc == EAI_AGAIN ? asio::error::host_not_found_try_again
                           : asio::error::host_not_found;
    } else {
      std::memcpy(endpoint.data(), found->ai_addr, found->ai_addrlen);
      endpoint.resize(found->ai_addrlen);
    }
    if (found != nullptr) ::freeaddrinfo(found);
    return endpoint;
  }

  asio::io_context& io_;
  std::mutex mu_;
  std::map<std::string, std::vector<HealthChecker::ResolveHandler>> waiting_;
  bool closed_ = false;
};

}  // namespace

HealthChecker::Resolve MakeResolver(asio::io_context& io, uint16_t port,
                                    common::EnvLookup env) {
  auto lookups = std::make_shared<ThreadLookups>(io);
  // Closed when the last copy of the returned function goes.
  std::shared_ptr<void> closer(nullptr, [lookups](void*) { lookups->Close(); });
  return [&io, port, env = std::move(env), lookups, closer](
             const std::string& name, HealthChecker::ResolveHandler done) {
    error_code ec;
    asio::ip::address address = asio::ip::make_address(name, ec);
    if (ec) {
      if (auto hosts = env(common::kHostsFileEnv)) {
        const auto found = common::LookupHostsFile(*hosts, name);
        if (!found.empty()) {
          address = found.front();
          ec.clear();
        }
      }
    }
    if (!ec) {
      asio::post(io, [done, endpoint = asio::ip::udp::endpoint(address, port)] {
        done({}, endpoint);
      });
      return;
    }
    lookups->Lookup(name, port, std::move(done));
  };
}

}  // namespace chancho::healthcheck
