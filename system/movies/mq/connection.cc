#include "system/movies/mq/connection.h"

#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <stdexcept>
#include <thread>

#include "system/common/resolve.h"
#include "system/movies/mq/amqp_error.h"

namespace chancho::movies::mq {
namespace {

using Clock = std::chrono::steady_clock;
constexpr amqp_channel_t kChannel = 1;

timeval ToTimeval(Duration d) {
  if (d.count() < 0) d = Duration(0);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

Duration Left(Clock::time_point deadline) {
  return std::chrono::duration_cast<Duration>(deadline - Clock::now());
}

std::string Text(amqp_bytes_t bytes) {
  return std::string(static_cast<const char*>(bytes.bytes), bytes.len);
}

amqp_bytes_t Bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

}  // namespace

ConnectionOptions OptionsFromEnv(const common::EnvLookup& env) {
  ConnectionOptions o;
  if (auto v = env("BROKER_HOST")) o.host = *v;
  if (auto v = env("BROKER_PORT")) o.port = common::ParsePort(*v, "BROKER_PORT");
  if (auto v = env("BROKER_USER")) o.user = *v;
  if (auto v = env("BROKER_PASSWORD")) o.password = *v;
  if (auto v = env("BROKER_CONNECT_ATTEMPTS")) {
    o.connect_attempts = static_cast<int>(
        common::ParseInteger(*v, "BROKER_CONNECT_ATTEMPTS", 1, 100000));
  }
  return o;
}

Connection::Connection(ConnectionOptions options, const common::EnvLookup& env)
    : options_(std::move(options)) {
  const std::string where =
      "connect to " + options_.host + ":" + std::to_string(options_.port);
  std::string error;
  for (attempts_ = 1; attempts_ <= options_.connect_attempts; ++attempts_) {
    // Resolved on every attempt: under Docker the broker's name may appear
    // in DNS only once its container runs.
    std::string ip;
    try {
      ip = common::ResolveAddress(options_.host, env);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!ip.empty() && TryConnect(ip, error)) return;
    if (attempts_ < options_.connect_attempts) {
      std::this_thread::sleep_for(options_.retry_delay);
    }
  }
  attempts_ = options_.connect_attempts;
  throw AmqpError(where + ": gave up after " +
                  std::to_string(options_.connect_attempts) +
                  " attempts: " + error);
}

bool Connection::TryConnect(const std::string& ip, std::string& error) {
  state_ = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(state_);
  if (socket == nullptr) {
    error = "cannot create a socket";
    Destroy();
    return false;
  }
  timeval connect_tv = ToTimeval(options_.connect_timeout);
  timeval rpc_tv = ToTimeval(options_.rpc_timeout);
  amqp_set_handshake_timeout(state_, &connect_tv);
  amqp_set_rpc_timeout(state_, &rpc_tv);
  const int status = amqp_socket_open_noblock(socket, ip.c_str(), options_.port,
                                              &connect_tv);
  if (status != AMQP_STATUS_OK) {
    error = std::string("tcp ") + ip + ": " + amqp_error_string2(status);
    Destroy();
    return false;
  }
  amqp_rpc_reply_t reply = amqp_login(
      state_, options_.vhost.c_str(), 0, 131072, options_.heartbeat_s,
      AMQP_SASL_METHOD_PLAIN, options_.user.c_str(), options_.password.c_str());
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
    amqp_channel_open(state_, kChannel);
    reply = amqp_get_rpc_reply(state_);
  }
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    // A broker still booting accepts TCP and then drops the handshake.
    error = "login: " + DescribeReply(reply);
    Destroy();
    return false;
  }
  return true;
}

Connection::~Connection() {
  try {
    Close();
  } catch (const std::exception&) {
    // Close freed the connection anyway; nothing more to do here.
  }
}

void Connection::Destroy() {
  if (state_ != nullptr) amqp_destroy_connection(state_);
  state_ = nullptr;
}

void Connection::Close() {
  if (state_ == nullptr) return;
  std::string error;
  if (!broken_) {
    const amqp_rpc_reply_t ch = amqp_channel_close(state_, kChannel,
                                                   AMQP_REPLY_SUCCESS);
    const amqp_rpc_reply_t conn = amqp_connection_close(state_,
                                                        AMQP_REPLY_SUCCESS);
    if (ch.reply_type != AMQP_RESPONSE_NORMAL) {
      error = "close channel: " + DescribeReply(ch);
    } else if (conn.reply_type != AMQP_RESPONSE_NORMAL) {
      error = "close connection: " + DescribeReply(conn);
    }
  }
  Destroy();
  if (!error.empty()) throw AmqpError(error);
}

void Connection::CheckUsable(std::string_view what) const {
  if (state_ == nullptr) {
    throw AmqpError(std::string(what) + ": connection is closed");
  }
  if (broken_) {
    throw AmqpError(std::string(what) +
                    ": connection is broken by an earlier error");
  }
}

void Connection::Check(const amqp_rpc_reply_t& reply, std::string_view what) {
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    broken_ = true;
    CheckReply(reply, what);
  }
}

void Connection::Check(int status, std::string_view what) {
  if (status < 0) {
    broken_ = true;
    CheckStatus(status, what);
  }
}

void Connection::DeclareExchange(const std::string& name,
                                 const std::string& type) {
  const std::string what = "declare exchange '" + name + "'";
  CheckUsable(what);
  amqp_exchange_declare(state_, kChannel, Bytes(name), Bytes(type),
                        /*passive=*/0, /*durable=*/1, /*auto_delete=*/0,
                        /*internal=*/0, amqp_empty_table);
  Check(amqp_get_rpc_reply(state_), what);
}

void Connection::DeclareQueue(const std::string& name) {
  const std::string what = "declare queue '" + name + "'";
  CheckUsable(what);
  amqp_queue_declare(state_, kChannel, Bytes(name), /*passive=*/0,
                     /*durable=*/1, /*exclusive=*/0, /*auto_delete=*/0,
                     amqp_empty_table);
  Check(amqp_get_rpc_reply(state_), what);
}

void Connection::BindQueue(const std::string& queue,
                           const std::string& exchange,
                           const std::string& routing_key) {
  const std::string what = "bind queue '" + queue + "' to exchange '" +
                           exchange + "' with key '" + routing_key + "'";
  CheckUsable(what);
  amqp_queue_bind(state_, kChannel, Bytes(queue), Bytes(exchange),
                  Bytes(routing_key), amqp_empty_table);
  Check(amqp_get_rpc_reply(state_), what);
}

void Connection::DeleteQueue(const std::string& name) {
  const std::string what = "delete queue '" + name + "'";
  CheckUsable(what);
  amqp_queue_delete(state_, kChannel, Bytes(name), 0, 0);
  Check(amqp_get_rpc_reply(state_), what);
}

void Connection::EnableConfirms() {
  CheckUsable("enable publisher confirms");
  amqp_confirm_select(state_, kChannel);
  Check(amqp_get_rpc_reply(state_), "enable publisher confirms");
  confirms_ = true;
}

std::uint64_t Connection::Publish(const std::string& exchange,
                                  const std::string& routing_key,
                                  std::string_view body) {
  const std::string what = "publish to exchange '" + exchange +
                           "' with key '" + routing_key + "'";
  CheckUsable(what);
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
  const amqp_bytes_t payload{body.size(), const_cast<char*>(body.data())};
  Check(amqp_basic_publish(state_, kChannel, Bytes(exchange),
                           Bytes(routing_key), /*mandatory=*/0,
                           /*immediate=*/0, &props, payload),
        what);
  if (!confirms_) return 0;
  const std::uint64_t seq = next_publish_seq_++;
  unconfirmed_.insert(seq);
  return seq;
}

void Connection::WaitForConfirms(Duration timeout) {
  const char* what = "wait for publisher confirms";
  CheckUsable(what);
  if (!confirms_) throw AmqpError(std::string(what) + ": confirms not enabled");
  const auto deadline = Clock::now() + timeout;
  while (!unconfirmed_.empty() && !nacked_) {
    timeval tv = ToTimeval(Left(deadline));
    amqp_frame_t frame;
    const int status = amqp_simple_wait_frame_noblock(state_, &frame, &tv);
    if (status == AMQP_STATUS_TIMEOUT) {
      throw AmqpError(std::string(what) + ": " +
                      std::to_string(unconfirmed_.size()) +
                      " messages unconfirmed after " +
                      std::to_string(timeout.count()) + " ms");
    }
    Check(status, what);
    HandleFrame(frame, what);
  }
  if (nacked_) {
    const auto seq = *nacked_;
    nacked_.reset();
    unconfirmed_.clear();
    throw AmqpError(std::string(what) + ": broker rejected message " +
                    std::to_string(seq) + " (nack)");
  }
}

void Connection::PublishConfirmed(const std::string& exchange,
                                  const std::string& routing_key,
                                  std::string_view body, Duration timeout) {
  if (!confirms_) EnableConfirms();
  Publish(exchange, routing_key, body);
  WaitForConfirms(timeout);
}

void Connection::HandleFrame(const amqp_frame_t& frame, std::string_view what) {
  if (frame.frame_type != AMQP_FRAME_METHOD) return;  // heartbeats
  const amqp_method_t& method = frame.payload.method;
  switch (method.id) {
    case AMQP_BASIC_ACK_METHOD: {
      const auto* ack = static_cast<const amqp_basic_ack_t*>(method.decoded);
      if (ack->multiple) {
        unconfirmed_.erase(unconfirmed_.begin(),
                           unconfirmed_.upper_bound(ack->delivery_tag));
      } else {
        unconfirmed_.erase(ack->delivery_tag);
      }
      return;
    }
    case AMQP_BASIC_NACK_METHOD: {
      const auto* nack = static_cast<const amqp_basic_nack_t*>(method.decoded);
      nacked_ = nack->delivery_tag;
      return;
    }
    case AMQP_BASIC_DELIVER_METHOD: {
      const auto* d = static_cast<const amqp_basic_deliver_t*>(method.decoded);
      Delivery delivery;
      delivery.tag = d->delivery_tag;
      delivery.redelivered = d->redelivered != 0;
      delivery.exchange = Text(d->exchange);
      delivery.routing_key = Text(d->routing_key);
      amqp_message_t message;
      Check(amqp_read_message(state_, frame.channel, &message, 0), what);
      delivery.body = Text(message.body);
      amqp_destroy_message(&message);
      pending_deliveries_.push_back(std::move(delivery));
      return;
    }
    case AMQP_CHANNEL_CLOSE_METHOD: {
      const auto* m = static_cast<const amqp_channel_close_t*>(method.decoded);
      const std::string text = std::to_string(m->reply_code) + " " +
                               Text(m->reply_text);
      amqp_channel_close_ok_t ok{};
      amqp_send_method(state_, frame.channel, AMQP_CHANNEL_CLOSE_OK_METHOD,
                       &ok);
      broken_ = true;
      throw AmqpError(std::string(what) + ": server closed the channel: " +
                      text);
    }
    case AMQP_CONNECTION_CLOSE_METHOD: {
      const auto* m =
          static_cast<const amqp_connection_close_t*>(method.decoded);
      const std::string text = std::to_string(m->reply_code) + " " +
                               Text(m->reply_text);
      amqp_connection_close_ok_t ok{};
      amqp_send_method(state_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
      broken_ = true;
      throw AmqpError(std::string(what) + ": server closed the connection: " +
                      text);
    }
    default:
      return;
  }
}

std::string Connection::Consume(const std::string& queue, int prefetch) {
  const std::string what = "consume queue '" + queue + "'";
  CheckUsable(what);
  if (prefetch < 1 || prefetch > 65535) {
    throw AmqpError(what + ": prefetch " + std::to_string(prefetch) +
                    " is not in [1, 65535]");
  }
  amqp_basic_qos(state_, kChannel, 0, static_cast<uint16_t>(prefetch), 0);
  Check(amqp_get_rpc_reply(state_), what + " (qos)");
  const amqp_basic_consume_ok_t* ok = amqp_basic_consume(
      state_, kChannel, Bytes(queue), amqp_empty_bytes, /*no_local=*/0,
      /*no_ack=*/0, /*exclusive=*/0, amqp_empty_table);
  Check(amqp_get_rpc_reply(state_), what);
  return Text(ok->consumer_tag);
}

std::optional<Delivery> Connection::Next(Duration timeout) {
  const char* what = "receive";
  CheckUsable(what);
  const auto deadline = Clock::now() + timeout;
  while (pending_deliveries_.empty()) {
    amqp_maybe_release_buffers(state_);
    timeval tv = ToTimeval(Left(deadline));
    amqp_envelope_t envelope;
    const amqp_rpc_reply_t reply =
        amqp_consume_message(state_, &envelope, &tv, 0);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
      Delivery d;
      d.tag = envelope.delivery_tag;
      d.redelivered = envelope.redelivered != 0;
      d.exchange = Text(envelope.exchange);
      d.routing_key = Text(envelope.routing_key);
      d.body = Text(envelope.message.body);
      amqp_destroy_envelope(&envelope);
      return d;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_TIMEOUT) {
      return std::nullopt;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      // A frame that is not a delivery (a confirm, a close) is waiting.
      amqp_frame_t frame;
      timeval zero = ToTimeval(Duration(0));
      const int status = amqp_simple_wait_frame_noblock(state_, &frame, &zero);
      if (status == AMQP_STATUS_TIMEOUT) continue;
      Check(status, what);
      HandleFrame(frame, what);
      if (Clock::now() >= deadline && pending_deliveries_.empty()) {
        return std::nullopt;
      }
      continue;
    }
    Check(reply, what);
  }
  Delivery d = std::move(pending_deliveries_.front());
  pending_deliveries_.pop_front();
  return d;
}

void Connection::Ack(std::uint64_t tag) {
  CheckUsable("ack");
  Check(amqp_basic_ack(state_, kChannel, tag, 0),
        "ack delivery " + std::to_string(tag));
}

void Connection::Nack(std::uint64_t tag, bool requeue) {
  CheckUsable("nack");
  Check(amqp_basic_nack(state_, kChannel, tag, 0, requeue ? 1 : 0),
        "nack delivery " + std::to_string(tag));
}

}  // namespace chancho::movies::mq
