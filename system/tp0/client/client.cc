#include "system/tp0/client/client.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <utility>

#include "system/tp0/protocol.h"

namespace chancho::tp0 {

Client::Client(asio::io_context& io, ClientConfig config,
               common::Logger& logger, common::EnvLookup env,
               std::optional<asio::ip::address> source,
               FinishedCallback on_finished, Timeouts timeouts)
    : config_(std::move(config)),
      logger_(logger),
      source_(std::move(source)),
      on_finished_(std::move(on_finished)),
      timeouts_(timeouts),
      resolver_(io.get_executor(), std::move(env)),
      socket_(io),
      deadline_(io),
      wait_timer_(io) {}

void Client::Start() { NextMessage(); }

void Client::Stop() {
  if (stopped_) return;
  stopped_ = true;
  resolver_.Cancel();
  CloseSocket();
  deadline_.cancel();
  wait_timer_.cancel();
  logger_.Info("shutdown", "success", {{"client_id", config_.id}});
}

void Client::NextMessage() {
  if (stopped_) return;
  const uint64_t token = ++token_;
  if (++n_ > config_.loop_amount) {
    Finish();
    return;
  }
  in_buffer_.clear();
  // Resolved again for every message: under fault injection the server may
  // come back elsewhere, and the original client dials the name each time.
  ArmDeadline(timeouts_.connect, "connecting to " + config_.server_address);
  resolver_.AsyncResolve(
      config_.server.host, config_.server.port,
      [this, token](const boost::system::error_code& ec, Endpoints endpoints) {
        if (!Current(token)) return;
        if (deadline_expired_) {
          MessageFailed("timed out " + deadline_what_);
        } else if (ec) {
          MessageFailed("cannot resolve '" + config_.server.host +
                        "': " + ec.message());
        } else {
          Connect(std::move(endpoints), 0, "");
        }
      });
}

void Client::Connect(Endpoints endpoints, std::size_t index,
                     std::string last_error) {
  if (index >= endpoints.size()) {
    MessageFailed("connect to " + config_.server_address + ": " + last_error);
    return;
  }
  const asio::ip::tcp::endpoint endpoint = endpoints[index];
  CloseSocket();
  boost::system::error_code ec;
  socket_.open(endpoint.protocol(), ec);
  // Bound by hand, because asio::async_connect over a range reopens the
  // socket per endpoint and would drop the binding. The binding is what lets
  // the server log this replica's own address.
  if (!ec && source_ && source_->is_v4() == endpoint.address().is_v4()) {
    socket_.bind(asio::ip::tcp::endpoint(*source_, 0), ec);
  }
  if (ec) {
    Connect(std::move(endpoints), index + 1, ec.message());
    return;
  }
  socket_.async_connect(
      endpoint, [this, token = token_, endpoints = std::move(endpoints),
                 index](const boost::system::error_code& ec) mutable {
        if (!Current(token)) return;
        if (deadline_expired_) {
          MessageFailed("timed out " + deadline_what_);
        } else if (ec) {
          Connect(std::move(endpoints), index + 1, ec.message());
        } else {
          Send();
        }
      });
}

void Client::Send() {
  expected_ = FormatClientMessage(config_.id, n_);
  out_buffer_ = expected_ + "\n";
  ArmDeadline(timeouts_.read, "waiting for the echo");
  asio::async_write(
      socket_, asio::buffer(out_buffer_),
      [this, token = token_](const boost::system::error_code& ec, std::size_t) {
        if (!Current(token)) return;
        if (deadline_expired_) {
          MessageFailed("timed out " + deadline_what_);
        } else if (ec) {
          MessageFailed("send: " + ec.message());
        } else {
          Receive();
        }
      });
}

void Client::Receive() {
  asio::async_read_until(
      socket_, asio::dynamic_buffer(in_buffer_, kMaxMessageSize + 1), '\n',
      [this, token = token_](const boost::system::error_code& ec,
                             std::size_t size) {
        if (Current(token)) OnEcho(ec, size);
      });
}

void Client::OnEcho(const boost::system::error_code& ec, std::size_t size) {
  if (deadline_expired_) {
    MessageFailed("timed out " + deadline_what_);
    return;
  }
  if (ec == asio::error::eof) {
    MessageFailed("the server closed the connection before echoing");
    return;
  }
  if (ec == asio::error::not_found) {
    MessageFailed("echo longer than " + std::to_string(kMaxMessageSize) +
                  " bytes");
    return;
  }
  if (ec) {
    MessageFailed("receive: " + ec.message());
    return;
  }
  const std::string echo(
      StripLineEnd(std::string_view(in_buffer_).substr(0, size)));
  if (echo != expected_) {
    MessageFailed("echo mismatch: sent '" + expected_ + "', received '" + echo +
                  "'");
    return;
  }
  logger_.Info("receive_message", "success",
               {{"client_id", config_.id}, {"msg", echo}});
  Wait();
}

void Client::MessageFailed(const std::string& error) {
  ++failures_;
  logger_.Error("receive_message", "fail",
                {{"client_id", config_.id}, {"error", error}});
  Wait();
}

void Client::Wait() {
  DisarmDeadline();
  CloseSocket();
  wait_timer_.expires_after(config_.loop_period);
  wait_timer_.async_wait(
      [this, token = token_](const boost::system::error_code& ec) {
        if (!ec && Current(token)) NextMessage();
      });
}

void Client::Finish() {
  const bool all_succeeded = failures_ == 0;
  if (all_succeeded) {
    logger_.Info("loop_finished", "success", {{"client_id", config_.id}});
  } else {
    logger_.Error("loop_finished", "fail",
                  {{"client_id", config_.id},
                   {"failed_messages", std::to_string(failures_)}});
  }
  if (auto on_finished = std::exchange(on_finished_, nullptr)) {
    on_finished(all_succeeded);
  }
}

void Client::ArmDeadline(std::chrono::milliseconds timeout, std::string what) {
  const uint64_t deadline_token = ++deadline_token_;
  deadline_expired_ = false;
  deadline_what_ = std::move(what);
  deadline_.expires_after(timeout);
  deadline_.async_wait(
      [this, deadline_token](const boost::system::error_code& ec) {
        if (ec || stopped_ || deadline_token != deadline_token_) return;
        // Closing makes the pending resolve, connect, write or read complete
        // with an error; its handler then reports the timeout.
        deadline_expired_ = true;
        resolver_.Cancel();
        CloseSocket();
      });
}

void Client::DisarmDeadline() {
  ++deadline_token_;
  deadline_.cancel();
}

void Client::CloseSocket() {
  boost::system::error_code ignored;
  if (socket_.is_open()) {
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  }
  socket_.close(ignored);
}

}  // namespace chancho::tp0
