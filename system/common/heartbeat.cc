#include "system/common/heartbeat.h"

#include <array>
#include <boost/asio/buffer.hpp>
#include <cstring>

namespace chancho::common {

struct HeartbeatResponder::State {
  explicit State(asio::io_context& io) : socket(io) {}

  asio::ip::udp::socket socket;
  // Larger than a ping, so that a longer datagram is seen to be longer
  // instead of being truncated into something that looks like a ping.
  std::array<char, 64> buffer{};
  asio::ip::udp::endpoint sender;
};

HeartbeatResponder::HeartbeatResponder(asio::io_context& io,
                                       const std::string& bind_ip,
                                       uint16_t port)
    : state_(std::make_shared<State>(io)) {
  const asio::ip::udp::endpoint endpoint(asio::ip::make_address(bind_ip), port);
  state_->socket.open(endpoint.protocol());
  state_->socket.set_option(asio::socket_base::reuse_address(true));
  state_->socket.bind(endpoint);
  // Replies are sent synchronously on a non-blocking socket: a UDP send
  // either fits in the socket buffer at once or is dropped, and a dropped
  // pong is indistinguishable from a lost datagram for the checker.
  state_->socket.non_blocking(true);
  local_endpoint_ = state_->socket.local_endpoint();
  Receive(state_);
}

HeartbeatResponder::~HeartbeatResponder() { Stop(); }

asio::ip::udp::endpoint HeartbeatResponder::local_endpoint() const {
  return local_endpoint_;
}

void HeartbeatResponder::Stop() {
  boost::system::error_code ignored;
  state_->socket.close(ignored);
}

void HeartbeatResponder::Receive(const std::shared_ptr<State>& state) {
  state->socket.async_receive_from(
      asio::buffer(state->buffer), state->sender,
      [state](const boost::system::error_code& ec, std::size_t size) {
        if (!state->socket.is_open() || ec == asio::error::operation_aborted) {
          return;
        }
        if (!ec && size == sizeof(kHeartbeatPing) &&
            std::memcmp(state->buffer.data(), kHeartbeatPing, size) == 0) {
          boost::system::error_code ignored;
          state->socket.send_to(
              asio::buffer(kHeartbeatPong, sizeof(kHeartbeatPong)),
              state->sender, 0, ignored);
        }
        // Transient errors (an ICMP error reported on the socket, say) must
        // not end the responder, so it always listens again.
        Receive(state);
      });
}

}  // namespace chancho::common
