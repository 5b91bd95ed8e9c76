#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "system/common/log.h"
#include "system/common/resolve.h"
#include "system/tp0/client/client_config.h"

namespace chancho::tp0 {

namespace asio = boost::asio;

// The echo client loop: for n in 1..loop_amount it resolves the server
// (hosts file first), connects, sends "[CLIENT <id>] Message N°<n>\n", reads
// the echo line and checks it, logging one receive_message line per message,
// then waits loop_period. One connection per message, like the original. A
// failed message is logged and the loop goes on. Ends with a loop_finished
// line, whose result is fail if any message failed.
//
// Use from the io_context's thread only; the client and `logger` must
// outlive io_context::run().
class Client {
 public:
  struct Timeouts {
    // Covers name resolution and connecting.
    std::chrono::milliseconds connect{5000};
    // Covers sending the message and receiving its echo.
    std::chrono::milliseconds read{5000};
  };
  using FinishedCallback = std::function<void(bool all_succeeded)>;

  // `source`: local address to bind before connecting (the replica's own
  // address under the process runtime), or nullopt. `on_finished` is called
  // once after the loop_finished line (not after Stop()).
  Client(asio::io_context& io, ClientConfig config, common::Logger& logger,
         common::EnvLookup env, std::optional<asio::ip::address> source,
         FinishedCallback on_finished, Timeouts timeouts);

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts the loop. Call once.
  void Start();

  // Stops at once, even mid-connect or mid-wait: cancels everything, closes
  // the socket and logs "shutdown | success". Idempotent.
  void Stop();

 private:
  using Endpoints = std::vector<asio::ip::tcp::endpoint>;

  void NextMessage();
  void Connect(Endpoints endpoints, std::size_t index, std::string last_error);
  void Send();
  void Receive();
  void OnEcho(const boost::system::error_code& ec, std::size_t size);
  void MessageFailed(const std::string& error);
  void Wait();
  void Finish();

  // Closes the socket unless the step it guards ends first; `what` names
  // the step in the timeout error.
  void ArmDeadline(std::chrono::milliseconds timeout, std::string what);
  void DisarmDeadline();
  void CloseSocket();
  // Whether a handler started for message `token` may still act.
  bool Current(uint64_t token) const { return token == token_ && !stopped_; }

  ClientConfig config_;
  common::Logger& logger_;
  std::optional<asio::ip::address> source_;
  FinishedCallback on_finished_;
  Timeouts timeouts_;
  common::TcpResolver resolver_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer deadline_;
  asio::steady_timer wait_timer_;

  int64_t n_ = 0;
  int64_t failures_ = 0;
  // Changes with every message: handlers of an earlier one are stale.
  uint64_t token_ = 0;
  // Changes with every deadline armed or disarmed, for the same reason.
  uint64_t deadline_token_ = 0;
  bool deadline_expired_ = false;
  std::string deadline_what_;
  bool stopped_ = false;
  std::string expected_;
  std::string out_buffer_;
  std::string in_buffer_;
};

}  // namespace chancho::tp0
