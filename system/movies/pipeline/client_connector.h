#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "system/common/config.h"
#include "system/common/host_port.h"
#include "system/common/log.h"
#include "system/common/resolve.h"

namespace chancho::movies {

// Opens the client's connection to the client-handler, which may still be
// starting: resolves the host (the hosts file of CHANCHO_HOSTS_FILE first,
// then DNS), tries each address, binds the local end to `source` when set,
// and on failure retries with a growing delay until `timeout` has passed
// since Start. Every failed attempt is logged at debug level.
//
// Use from the io_context's thread only; the connector, the socket and the
// logger must outlive the handler's call.
class ClientConnector {
 public:
  // Called once, from a completion handler (never from inside Start): ""
  // once `socket` is connected, else why the client-handler could not be
  // reached in time.
  using Callback = std::function<void(const std::string& error)>;

  ClientConnector(boost::asio::io_context& io, common::HostPort handler,
                  std::optional<boost::asio::ip::address> source,
                  std::chrono::milliseconds timeout, common::Logger& logger,
                  const common::EnvLookup& env);

  ClientConnector(const ClientConnector&) = delete;
  ClientConnector& operator=(const ClientConnector&) = delete;

  // Connects `socket` (replacing whatever it was) and then calls
  // `callback`. Call once.
  void Start(boost::asio::ip::tcp::socket& socket, Callback callback);

  // Abandons the attempt in flight; the callback is not called. The socket
  // is left as it is, for its owner to close. Idempotent.
  void Cancel();

 private:
  using Endpoints = std::vector<boost::asio::ip::tcp::endpoint>;

  void Resolve();
  void Connect(Endpoints endpoints, std::size_t index);
  void Failed(const boost::system::error_code& ec, const std::string& what);
  void GiveUp();
  void Complete(const std::string& error);

  common::HostPort target_;
  std::string target_name_;
  std::optional<boost::asio::ip::address> source_;
  std::chrono::milliseconds timeout_;
  common::Logger& logger_;
  common::TcpResolver resolver_;
  boost::asio::steady_timer deadline_;
  boost::asio::steady_timer retry_timer_;

  boost::asio::ip::tcp::socket* socket_ = nullptr;
  Callback callback_;
  bool done_ = false;
  bool expired_ = false;
  int attempts_ = 0;
  std::chrono::milliseconds retry_delay_;
  std::string last_error_;
};

}  // namespace chancho::movies
