#include "harness/proxy/tcp_proxy.h"

#include <pthread.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <csignal>
#include <cstdio>
#include <functional>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include "common/error.h"
#include "harness/proxy/tcp_proxy_link.h"
#include "harness/proxy/tcp_proxy_toxics.h"

namespace chancho {

std::string_view ToString(Direction direction) {
  switch (direction) {
    case Direction::kClientToServer:
      return "client->server";
    case Direction::kServerToClient:
      return "server->client";
    case Direction::kBoth:
      return "both directions";
  }
  return "?";
}

std::string_view StreamName(Direction direction) {
  switch (direction) {
    case Direction::kClientToServer:
      return "upstream";
    case Direction::kServerToClient:
      return "downstream";
    case Direction::kBoth:
      break;
  }
  return "both";
}

std::string_view ToString(LinkFaultKind kind) {
  switch (kind) {
    case LinkFaultKind::kNone:
      return "none";
    case LinkFaultKind::kDelay:
      return "delay";
    case LinkFaultKind::kBandwidth:
      return "bandwidth";
    case LinkFaultKind::kBlackhole:
      return "blackhole";
    case LinkFaultKind::kReset:
      return "reset";
    case LinkFaultKind::kPartition:
      return "partition";
    case LinkFaultKind::kSlowClose:
      return "slow_close";
    case LinkFaultKind::kTimeout:
      return "timeout";
    case LinkFaultKind::kSlicer:
      return "slicer";
    case LinkFaultKind::kLimitData:
      return "limit_data";
  }
  return "?";
}

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp_proxy_internal::Connection;
using tcp_proxy_internal::Counters;
using tcp_proxy_internal::ProxyState;
using tcp_proxy_internal::ResetSocket;
using tcp_proxy_internal::ToxicTable;
using tcp = asio::ip::tcp;

// The acceptor, the faults and the io thread.
class Core {
 public:
  explicit Core(TcpProxyOptions options);
  ~Core();

  void Accept();
  // Where the next connection goes (TcpProxyOptions::upstream_lookup);
  // nullopt when the lookup has no address.
  std::optional<tcp::endpoint> Upstream() const;
  LinkFaultOutcome Apply(Direction direction, const LinkFault& fault);
  LinkFaultOutcome HealAll();
  void Shutdown();
  // Lifts the kReset/kPartition after `duration`; 0: never.
  void ArmGate(std::chrono::milliseconds duration);
  // The toxics of direction `slot` changed: every connection takes them
  // on, in accept order (so that toxicity draws follow the seed).
  void KickAll(int slot);

  // Runs `fn` on the io thread (inline when already there) and waits for
  // its result, at most control_timeout.
  LinkFaultOutcome OnIo(std::function<LinkFaultOutcome()> fn);
  // OnIo() for a change of toxics, which fails while the proxy stops.
  LinkFaultOutcome OnIoRunning(std::function<LinkFaultOutcome()> fn);

  const TcpProxyOptions options_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  tcp::endpoint upstream_;
  asio::steady_timer accept_retry_;
  asio::steady_timer gate_expiry_;
  std::uint64_t gate_generation_ = 0;
  LinkFaultKind gate_ = LinkFaultKind::kNone;  // kReset or kPartition
  ProxyState state_;
  ToxicTable toxics_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

Core::Core(TcpProxyOptions options)
    : options_(std::move(options)),
      work_(io_.get_executor()),
      acceptor_(io_),
      accept_retry_(io_),
      gate_expiry_(io_),
      state_(io_, options_),
      toxics_(state_, [this](int slot) { KickAll(slot); }) {
  error_code ec;
  const auto upstream_ip =
      asio::ip::make_address_v4(options_.upstream_host, ec);
  if (options_.upstream_lookup) {
    // Asked for each connection (Accept).
  } else if (!ec) {
    upstream_ = tcp::endpoint(upstream_ip, options_.upstream_port);
  } else {
    tcp::resolver resolver(io_);
    const auto results =
        resolver.resolve(tcp::v4(), options_.upstream_host,
                         std::to_string(options_.upstream_port), ec);
    if (ec || results.empty()) {
      throw Error("tcp proxy: cannot resolve the upstream '" +
                  options_.upstream_host +
                  "': " + (ec ? ec.message() : "no IPv4 address"));
    }
    upstream_ = results.begin()->endpoint();
  }
  const std::string where =
      options_.listen_ip + ":" + std::to_string(options_.listen_port);
  const auto listen_ip = asio::ip::make_address_v4(options_.listen_ip, ec);
  if (ec) {
    throw Error("tcp proxy: listen address " + where + ": " + ec.message());
  }
  const tcp::endpoint endpoint(listen_ip, options_.listen_port);
  acceptor_.open(tcp::v4(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw Error("tcp proxy: cannot listen on " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();
  Accept();
  thread_ = std::thread([this] {
    // splice(2) into a socket whose peer is gone raises SIGPIPE (it has no
    // MSG_NOSIGNAL): blocked on this thread, it stays pending and harmless.
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
    pthread_setname_np(pthread_self(), "tcp-proxy");
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        // Handlers use error codes; this is the last line of defence (say,
        // bad_alloc), and the proxy goes on.
        std::fprintf(stderr, "tcp proxy: %s\n", e.what());
      }
    }
  });
}

Core::~Core() {
  asio::post(io_, [this] { Shutdown(); });
  work_.reset();
  thread_.join();
}

void Core::Shutdown() {
  error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  gate_expiry_.cancel();
  toxics_.Stop();
  for (auto& [raw, connection] : state_.connections) connection->Close();
  state_.connections.clear();
  state_.counters.active = 0;
}

void Core::Accept() {
  acceptor_.async_accept([this](const error_code& ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (ec) {
      // Out of descriptors, say: try again a little later instead of
      // spinning on the same error.
      accept_retry_.expires_after(std::chrono::milliseconds(50));
      accept_retry_.async_wait([this](const error_code& ec) {
        if (!ec) Accept();
      });
      return;
    }
    if (gate_ != LinkFaultKind::kNone) {
      ResetSocket(socket);
      (gate_ == LinkFaultKind::kReset ? state_.counters.reset
                                      : state_.counters.refused)
          .fetch_add(1);
    } else if (const auto upstream = Upstream(); !upstream) {
      ResetSocket(socket);
      state_.counters.upstream_failures.fetch_add(1);
    } else {
      auto connection = std::make_shared<Connection>(state_, std::move(socket));
      state_.connections.emplace(connection.get(), connection);
      state_.counters.accepted.fetch_add(1);
      state_.counters.active = state_.connections.size();
      connection->Start(*upstream);
    }
    Accept();
  });
}

std::optional<tcp::endpoint> Core::Upstream() const {
  if (!options_.upstream_lookup) return upstream_;
  error_code ec;
  const auto ip = asio::ip::make_address_v4(options_.upstream_lookup(), ec);
  if (ec) return std::nullopt;
  return tcp::endpoint(ip, options_.upstream_port);
}

void Core::ArmGate(std::chrono::milliseconds duration) {
  const std::uint64_t generation = ++gate_generation_;
  gate_expiry_.cancel();
  if (duration.count() <= 0) return;
  gate_expiry_.expires_after(duration);
  gate_expiry_.async_wait([this, generation](const error_code& ec) {
    if (!ec && generation == gate_generation_) gate_ = LinkFaultKind::kNone;
  });
}

void Core::KickAll(int slot) {
  // A kick may end a connection, which then leaves the map: walk a copy.
  std::vector<std::shared_ptr<Connection>> connections;
  connections.reserve(state_.connections.size());
  for (auto& [raw, connection] : state_.connections) {
    connections.push_back(connection);
  }
  std::sort(
      connections.begin(), connections.end(),
      [](const auto& a, const auto& b) { return a->serial_ < b->serial_; });
  for (auto& connection : connections) connection->Kick(slot);
}

LinkFaultOutcome Core::Apply(Direction direction, const LinkFault& fault) {
  LinkFaultOutcome outcome;
  if (!acceptor_.is_open()) {
    outcome.detail = "the proxy is stopping";
    return outcome;
  }
  const auto n = [](std::size_t count) { return std::to_string(count); };
  if (fault.kind == LinkFaultKind::kReset ||
      fault.kind == LinkFaultKind::kPartition) {
    gate_ = fault.kind;
    ArmGate(fault.duration);
    for (auto& [raw, connection] : state_.connections) connection->Reset();
    outcome.connections_reset = static_cast<int>(state_.connections.size());
    state_.counters.reset.fetch_add(state_.connections.size());
    state_.connections.clear();
    state_.counters.active = 0;
    outcome.took_effect = true;
    outcome.detail = n(outcome.connections_reset) +
                     " active connections reset; new connections " +
                     (gate_ == LinkFaultKind::kReset ? "are reset after accept"
                                                     : "are refused");
    return outcome;
  }
  if (fault.kind == LinkFaultKind::kNone) {
    gate_ = LinkFaultKind::kNone;
    ArmGate({});
  }
  for (int slot = 0; slot < 2; ++slot) {
    if (direction != Direction::kBoth && static_cast<int>(direction) != slot) {
      continue;
    }
    toxics_.Set(slot, fault);
  }
  outcome.took_effect = true;
  std::string kinds(ToString(fault.kind));
  for (const LinkFault& next : fault.stacked) {
    kinds.append(" + ").append(ToString(next.kind));
  }
  outcome.detail = kinds + " on " + std::string(ToString(direction)) + " of " +
                   n(state_.connections.size()) +
                   " active connections and every new one";
  return outcome;
}

LinkFaultOutcome Core::HealAll() {
  LinkFaultOutcome outcome = Apply(Direction::kBoth, LinkFault{});
  if (outcome.took_effect) outcome.detail = "healed: every fault off";
  return outcome;
}

LinkFaultOutcome Core::OnIo(std::function<LinkFaultOutcome()> fn) {
  if (std::this_thread::get_id() == thread_.get_id()) return fn();
  auto result = std::make_shared<std::promise<LinkFaultOutcome>>();
  std::future<LinkFaultOutcome> future = result->get_future();
  asio::post(io_, [fn = std::move(fn), result] { result->set_value(fn()); });
  if (future.wait_for(options_.control_timeout) != std::future_status::ready) {
    LinkFaultOutcome outcome;
    outcome.detail = "the proxy thread did not answer within " +
                     std::to_string(options_.control_timeout.count()) + " ms";
    return outcome;
  }
  return future.get();
}

LinkFaultOutcome Core::OnIoRunning(std::function<LinkFaultOutcome()> fn) {
  return OnIo([this, fn = std::move(fn)] {
    if (acceptor_.is_open()) return fn();
    LinkFaultOutcome outcome;
    outcome.detail = "the proxy is stopping";
    return outcome;
  });
}

}  // namespace

class TcpProxy::Impl : public Core {
 public:
  using Core::Core;
};

TcpProxy::TcpProxy(TcpProxyOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

TcpProxy::~TcpProxy() = default;

std::uint16_t TcpProxy::port() const { return impl_->port_; }

const std::string& TcpProxy::listen_ip() const {
  return impl_->options_.listen_ip;
}

LinkFaultOutcome TcpProxy::SetFault(Direction direction,
                                    const LinkFault& fault) {
  tcp_proxy_internal::CheckFault(fault);
  Impl* impl = impl_.get();
  return impl->OnIo(
      [impl, direction, fault] { return impl->Apply(direction, fault); });
}

LinkFaultOutcome TcpProxy::Heal() {
  Impl* impl = impl_.get();
  return impl->OnIo([impl] { return impl->HealAll(); });
}

LinkFaultOutcome TcpProxy::AddToxic(const Toxic& toxic) {
  tcp_proxy_internal::CheckToxic(toxic);
  Impl* impl = impl_.get();
  return impl->OnIoRunning([impl, toxic] { return impl->toxics_.Add(toxic); });
}

LinkFaultOutcome TcpProxy::UpdateToxic(const Toxic& toxic) {
  tcp_proxy_internal::CheckToxic(toxic);
  Impl* impl = impl_.get();
  return impl->OnIoRunning(
      [impl, toxic] { return impl->toxics_.Update(toxic); });
}

LinkFaultOutcome TcpProxy::RemoveToxic(std::string_view name) {
  Impl* impl = impl_.get();
  return impl->OnIoRunning(
      [impl, name = std::string(name)] { return impl->toxics_.Remove(name); });
}

LinkFaultOutcome TcpProxy::SetEnabled(bool enabled) {
  Impl* impl = impl_.get();
  if (!enabled) {
    LinkFault partition;
    partition.kind = LinkFaultKind::kPartition;
    return impl->OnIo(
        [impl, partition] { return impl->Apply(Direction::kBoth, partition); });
  }
  return impl->OnIoRunning([impl] {
    impl->gate_ = LinkFaultKind::kNone;
    impl->ArmGate({});
    LinkFaultOutcome outcome;
    outcome.took_effect = true;
    outcome.detail = "enabled: new connections are forwarded";
    return outcome;
  });
}

std::vector<Toxic> TcpProxy::Toxics() const {
  return impl_->toxics_.Snapshot();
}

TcpProxyStats TcpProxy::Stats() const {
  const Counters& c = impl_->state_.counters;
  TcpProxyStats stats;
  stats.connections_accepted = c.accepted.load();
  stats.connections_active = c.active.load();
  stats.connections_reset = c.reset.load();
  stats.connections_refused = c.refused.load();
  stats.upstream_failures = c.upstream_failures.load();
  stats.bytes_client_to_server = c.bytes[0].load();
  stats.bytes_server_to_client = c.bytes[1].load();
  stats.bytes_dropped = c.dropped.load();
  stats.connections_closed_by_toxic = c.closed_by_toxic.load();
  return stats;
}

}  // namespace chancho
