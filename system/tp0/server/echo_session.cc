#include "system/tp0/server/echo_session.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <utility>

#include "system/tp0/protocol.h"

namespace chancho::tp0 {

EchoSession::EchoSession(asio::ip::tcp::socket socket, std::string peer_ip,
                         common::Logger& logger,
                         std::function<void()> on_finished)
    : socket_(std::move(socket)),
      peer_ip_(std::move(peer_ip)),
      logger_(logger),
      on_finished_(std::move(on_finished)) {}

void EchoSession::Start() { ReadLine(); }

void EchoSession::Close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void EchoSession::ReadLine() {
  // One byte over the limit leaves room for the newline of a message of
  // exactly kMaxMessageSize bytes; anything longer fails with not_found.
  asio::async_read_until(
      socket_, asio::dynamic_buffer(read_buffer_, kMaxMessageSize + 1), '\n',
      [self = shared_from_this()](const boost::system::error_code& ec,
                                  std::size_t size) {
        self->OnRead(ec, size);
      });
}

void EchoSession::OnRead(const boost::system::error_code& ec,
                         std::size_t size) {
  if (closed_) return;
  if (!ec) {
    const std::string line = read_buffer_.substr(0, size);
    read_buffer_.erase(0, size);
    Echo(StripLineEnd(line), /*last=*/false);
    return;
  }
  if (ec == asio::error::eof) {
    if (!read_buffer_.empty()) {
      const std::string partial = std::move(read_buffer_);
      read_buffer_.clear();
      Echo(StripLineEnd(partial), /*last=*/true);
      return;
    }
    logger_.Info("client_disconnected", "success", {{"ip", peer_ip_}});
    Finish();
    return;
  }
  const std::string error = ec == asio::error::not_found
                                ? "message longer than " +
                                      std::to_string(kMaxMessageSize) +
                                      " bytes without a newline"
                                : ec.message();
  logger_.Error("receive_message", "fail",
                {{"ip", peer_ip_}, {"error", error}});
  Finish();
}

void EchoSession::Echo(std::string_view message, bool last) {
  logger_.Info("receive_message", "success",
               {{"ip", peer_ip_}, {"msg", std::string(message)}});
  write_buffer_.assign(message);
  write_buffer_ += '\n';
  // async_write loops over short writes until the whole echo is out.
  asio::async_write(socket_, asio::buffer(write_buffer_),
                    [self = shared_from_this(), last](
                        const boost::system::error_code& ec, std::size_t) {
                      if (self->closed_) return;
                      if (ec) {
                        self->logger_.Error(
                            "send_message", "fail",
                            {{"ip", self->peer_ip_}, {"error", ec.message()}});
                        self->Finish();
                      } else if (last) {
                        self->logger_.Info("client_disconnected", "success",
                                           {{"ip", self->peer_ip_}});
                        self->Finish();
                      } else {
                        self->ReadLine();
                      }
                    });
}

void EchoSession::Finish() {
  Close();
  if (auto on_finished = std::exchange(on_finished_, nullptr)) on_finished();
}

}  // namespace chancho::tp0
