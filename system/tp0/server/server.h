#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <map>
#include <memory>

#include "system/common/log.h"
#include "system/tp0/server/echo_session.h"

namespace chancho::tp0 {

// The echo server: accepts connections and runs an EchoSession for each.
//
// Use from the io_context's thread only. The server and `logger` must outlive
// io_context::run(); sessions still pending when the server is destroyed are
// closed.
class Server {
 public:
  // Binds and listens. Throws boost::system::system_error if the address
  // cannot be bound or listened on.
  Server(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint,
         int listen_backlog, common::Logger& logger);
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts accepting; logs "accept_connections | success" per client.
  void Start();

  // Closes the listener, then every open connection, logging
  // "close_listener" and one "close_connection" per client. Idempotent.
  void Shutdown();

  asio::ip::tcp::endpoint local_endpoint() const { return local_endpoint_; }

 private:
  void Accept();
  void OnAccept(const boost::system::error_code& ec,
                asio::ip::tcp::socket socket);

  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  common::Logger& logger_;
  asio::ip::tcp::endpoint local_endpoint_;
  asio::ip::tcp::endpoint peer_endpoint_;  // Filled by the pending accept.
  // Keyed by accept order, so shutdown closes (and logs) oldest first.
  std::map<uint64_t, std::shared_ptr<EchoSession>> sessions_;
  uint64_t next_session_id_ = 0;
  bool shut_down_ = false;
};

}  // namespace chancho::tp0
