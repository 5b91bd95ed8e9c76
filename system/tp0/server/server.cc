#include "system/tp0/server/server.h"

#include <chrono>
#include <string>
#include <utility>

namespace chancho::tp0 {
namespace {

// After a failed accept (typically EMFILE), retrying at once would spin on
// the same error; a short pause lets connections close first.
constexpr std::chrono::milliseconds kAcceptRetryDelay(100);

}  // namespace

Server::Server(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint,
               int listen_backlog, common::Logger& logger)
    : acceptor_(io), retry_timer_(io), logger_(logger) {
  acceptor_.open(endpoint.protocol());
  // A restarted server must be able to bind while old connections of the
  // previous instance sit in TIME_WAIT.
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(listen_backlog);
  local_endpoint_ = acceptor_.local_endpoint();
}

Server::~Server() {
  shut_down_ = true;
  for (auto& [id, session] : sessions_) session->Close();
}

void Server::Start() { Accept(); }

void Server::Accept() {
  // The peer's address comes from accept() itself: asking the socket later
  // fails for a peer that already reset the connection.
  acceptor_.async_accept(peer_endpoint_,
                         [this](const boost::system::error_code& ec,
                                asio::ip::tcp::socket socket) {
                           OnAccept(ec, std::move(socket));
                         });
}

void Server::OnAccept(const boost::system::error_code& ec,
                      asio::ip::tcp::socket socket) {
  if (shut_down_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    logger_.Error("accept_connections", "fail", {{"error", ec.message()}});
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([this](const boost::system::error_code& wait_ec) {
      if (!wait_ec && !shut_down_) Accept();
    });
    return;
  }
  std::string ip = peer_endpoint_.address().to_string();
  logger_.Info("accept_connections", "success", {{"ip", ip}});

  const uint64_t id = next_session_id_++;
  auto session =
      std::make_shared<EchoSession>(std::move(socket), std::move(ip), logger_,
                                    [this, id] { sessions_.erase(id); });
  sessions_.emplace(id, session);
  session->Start();
  Accept();
}

void Server::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
  logger_.Info("close_listener", "success");
  for (auto& [id, session] : sessions_) {
    session->Close();
    logger_.Info("close_connection", "success", {{"ip", session->peer_ip()}});
  }
  sessions_.clear();
}

}  // namespace chancho::tp0
