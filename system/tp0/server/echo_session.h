#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

#include "system/common/log.h"

namespace chancho::tp0 {

namespace asio = boost::asio;

// One client connection of the echo server: reads newline-terminated
// messages and writes each one back followed by "\n", until the peer closes.
// A partial last line before the peer's close is echoed too. A read error, a
// write error or a message longer than kMaxMessageSize without a newline
// ends the session (logged as a "fail" line); the server goes on.
//
// Owned by shared_ptr: pending handlers keep it alive. Use from the
// io_context's thread only. `logger` must outlive the session; `on_finished`
// is called once when the session ends by itself (not after Close()).
class EchoSession : public std::enable_shared_from_this<EchoSession> {
 public:
  EchoSession(asio::ip::tcp::socket socket, std::string peer_ip,
              common::Logger& logger, std::function<void()> on_finished);

  EchoSession(const EchoSession&) = delete;
  EchoSession& operator=(const EchoSession&) = delete;

  // Starts reading. Call once.
  void Start();

  // Closes the connection now, without logging; pending operations end
  // quietly. Idempotent.
  void Close();

  const std::string& peer_ip() const { return peer_ip_; }

 private:
  void ReadLine();
  void OnRead(const boost::system::error_code& ec, std::size_t size);
  // Logs and echoes `message`; afterwards reads on, or ends if `last`.
  void Echo(std::string_view message, bool last);
  // Ends the session from inside: closes and tells the owner.
  void Finish();

  asio::ip::tcp::socket socket_;
  std::string peer_ip_;
  common::Logger& logger_;
  std::function<void()> on_finished_;
  std::string read_buffer_;
  std::string write_buffer_;
  bool closed_ = false;
};

}  // namespace chancho::tp0
