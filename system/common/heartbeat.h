#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <memory>
#include <string>

namespace chancho::common {

namespace asio = boost::asio;

// The heartbeat protocol: a health checker sends exactly these 5 bytes (the
// trailing NUL included) over UDP and expects the reply below.
inline constexpr char kHeartbeatPing[] = "PING";  // sizeof == 5
inline constexpr char kHeartbeatPong[] = "PONG";  // sizeof == 5

// Answers every UDP datagram that is exactly "PING\0" with "PONG\0" to its
// sender, on the given io_context, until stopped. Any other datagram is
// ignored. Receive or send errors are swallowed (a lost reply is the same as
// a lost datagram to the checker), so nothing throws out of
// io_context::run().
//
// Use from the io_context's thread only. The responder may be destroyed while
// handlers are still pending: they keep the socket alive and see it closed.
class HeartbeatResponder {
 public:
  // Binds bind_ip:port (port 0 picks a free port) and starts answering.
  // Throws boost::system::system_error if bind_ip is not an IP address or
  // the socket cannot be bound.
  HeartbeatResponder(asio::io_context& io, const std::string& bind_ip,
                     uint16_t port);
  ~HeartbeatResponder();

  HeartbeatResponder(const HeartbeatResponder&) = delete;
  HeartbeatResponder& operator=(const HeartbeatResponder&) = delete;

  // The bound address and port (useful when port 0 was asked for).
  asio::ip::udp::endpoint local_endpoint() const;

  // Closes the socket; pending receives complete as aborted. Idempotent.
  void Stop();

 private:
  struct State;

  // Arms one receive; its handler re-arms until the socket is closed.
  static void Receive(const std::shared_ptr<State>& state);

  std::shared_ptr<State> state_;
  asio::ip::udp::endpoint local_endpoint_;
};

}  // namespace chancho::common
