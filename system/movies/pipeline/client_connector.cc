#include "system/movies/pipeline/client_connector.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace chancho::movies {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

constexpr std::chrono::milliseconds kFirstRetryDelay{100};
constexpr std::chrono::milliseconds kMaxRetryDelay{2000};

}  // namespace

ClientConnector::ClientConnector(asio::io_context& io, common::HostPort handler,
                                 std::optional<asio::ip::address> source,
                                 std::chrono::milliseconds timeout,
                                 common::Logger& logger,
                                 const common::EnvLookup& env)
    : target_(std::move(handler)),
      target_name_(target_.host + ":" + std::to_string(target_.port)),
      source_(source),
      timeout_(timeout),
      logger_(logger),
      resolver_(io.get_executor(), env),
      deadline_(io),
      retry_timer_(io),
      retry_delay_(kFirstRetryDelay) {}

void ClientConnector::Start(tcp::socket& socket, Callback callback) {
  socket_ = &socket;
  callback_ = std::move(callback);
  deadline_.expires_after(timeout_);
  deadline_.async_wait([this](const error_code& ec) {
    if (ec || done_) return;
    // Whatever is in flight now completes with an error and ends in
    // Failed, which sees the flag and gives up.
    expired_ = true;
    resolver_.Cancel();
    retry_timer_.cancel();
    error_code ignored;
    socket_->close(ignored);
  });
  Resolve();
}

void ClientConnector::Cancel() {
  if (done_) return;
  done_ = true;
  deadline_.cancel();
  retry_timer_.cancel();
  resolver_.Cancel();
}

void ClientConnector::Resolve() {
  ++attempts_;
  resolver_.AsyncResolve(target_.host, target_.port,
                         [this](const error_code& ec, Endpoints endpoints) {
                           if (done_) return;
                           if (ec) return Failed(ec, "cannot resolve");
                           if (expired_) return GiveUp();
                           Connect(std::move(endpoints), 0);
                         });
}

void ClientConnector::Connect(Endpoints endpoints, std::size_t index) {
  const tcp::endpoint endpoint = endpoints[index];
  error_code ec;
  *socket_ = tcp::socket(socket_->get_executor());
  socket_->open(endpoint.protocol(), ec);
  // Under the process runtime the handler must see this replica's own
  // loopback address, as it would see the container's under Docker.
  if (!ec && source_) socket_->bind(tcp::endpoint(*source_, 0), ec);
  if (ec) return Failed(ec, "cannot open a socket");
  socket_->async_connect(endpoint, [this, endpoints = std::move(endpoints),
                                    index](const error_code& ec) mutable {
    if (done_) return;
    // A connection made just as the deadline closed the socket is lost.
    if (!ec && !expired_) return Complete("");
    if (index + 1 < endpoints.size() && !expired_) {
      return Connect(std::move(endpoints), index + 1);
    }
    Failed(ec, "cannot connect");
  });
}

void ClientConnector::Failed(const error_code& ec, const std::string& what) {
  // A cancellation is our own deadline, not news about the handler: keep
  // the cause of the attempt before it.
  if (ec != asio::error::operation_aborted) {
    last_error_ = what + ": " + ec.message();
  } else if (last_error_.empty()) {
    last_error_ = what + ": timed out";
  }
  logger_.Debug("connect", "fail",
                {{"handler", target_name_},
                 {"attempt", std::to_string(attempts_)},
                 {"error", last_error_}});
  if (expired_) return GiveUp();
  retry_timer_.expires_after(retry_delay_);
  retry_delay_ = std::min(retry_delay_ * 2, kMaxRetryDelay);
  retry_timer_.async_wait([this](const error_code&) {
    if (done_) return;
    if (expired_) return GiveUp();
    Resolve();
  });
}

void ClientConnector::GiveUp() {
  Complete(fmt::format(
      "cannot reach client-handler {} within {:g}s ({} attempts; last: {})",
      target_name_, static_cast<double>(timeout_.count()) / 1000, attempts_,
      last_error_));
}

void ClientConnector::Complete(const std::string& error) {
  Cancel();
  if (error.empty()) {
    logger_.Debug(
        "connect", "success",
        {{"handler", target_name_}, {"attempts", std::to_string(attempts_)}});
  }
  callback_(error);
}

}  // namespace chancho::movies
