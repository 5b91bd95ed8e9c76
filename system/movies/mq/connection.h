#pragma once

#include <amqp.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "system/common/config.h"
#include "system/movies/mq/amqp_error.h"

namespace chancho::movies::mq {

using Duration = std::chrono::milliseconds;

struct ConnectionOptions {
  std::string host = "rabbitmq";  // resolved through system/common/resolve.h
  int port = 5672;
  std::string user = "guest";
  std::string password = "guest";
  std::string vhost = "/";
  // The broker takes seconds to come up: connecting is retried, with
  // `retry_delay` between attempts, `connect_timeout` bounding each one.
  int connect_attempts = 60;
  Duration retry_delay{500};
  Duration connect_timeout{2000};
  // Bounds every synchronous call (declare, qos, consume, login).
  Duration rpc_timeout{10000};
  // AMQP heartbeat in seconds; 0 disables it. rabbitmq-c only answers
  // heartbeats inside its calls, so a service that may spend longer than two
  // intervals between calls must keep this 0.
  int heartbeat_s = 0;
};

// The options from BROKER_HOST, BROKER_PORT, BROKER_USER, BROKER_PASSWORD
// and BROKER_CONNECT_ATTEMPTS, the defaults for those unset. Throws
// std::invalid_argument (one line) on a malformed number.
ConnectionOptions OptionsFromEnv(
    const common::EnvLookup& env = common::ProcessEnv());

// A message handed out by Connection::Next. Ack or Nack it by `tag`.
struct Delivery {
  std::uint64_t tag = 0;
  bool redelivered = false;
  std::string exchange;
  std::string routing_key;
  std::string body;
};

// One AMQP connection with one channel, over rabbitmq-c.
//
// Queues and exchanges it declares are durable; Publish sends persistent
// messages (delivery mode 2). With EnableConfirms, the broker confirms every
// publish once it has taken responsibility for it (for a persistent message
// routed to a durable queue: once it is on disk); WaitForConfirms blocks
// until every publish so far is confirmed. Consume uses manual acks and a
// prefetch. Publishing with confirms and consuming may share one connection:
// deliveries that arrive while waiting for confirms are kept for Next.
//
// Errors: every failure throws AmqpError with one line naming the operation
// and the cause. After a failure other than a Next timeout the connection is
// broken (healthy() is false) and every later call throws; make a new one.
//
// Threads: not thread-safe (neither is rabbitmq-c's connection); use each
// Connection from one thread at a time. The destructor closes cleanly and
// never throws.
class Connection {
 public:
  // Resolves `options.host` (hosts file first) and connects, logs in and
  // opens the channel, retrying as the options say. Throws AmqpError
  // "connect to host:port: gave up after N attempts: <last cause>".
  explicit Connection(ConnectionOptions options,
                      const common::EnvLookup& env = common::ProcessEnv());
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // How many attempts the connection took (1 when the broker was up).
  int attempts() const { return attempts_; }
  bool healthy() const { return state_ != nullptr && !broken_; }

  void DeclareExchange(const std::string& name,
                       const std::string& type = "direct");
  void DeclareQueue(const std::string& name);
  void BindQueue(const std::string& queue, const std::string& exchange,
                 const std::string& routing_key);
  // Removes a queue (tests and clean-up); no error if it does not exist.
  void DeleteQueue(const std::string& name);

  // Puts the channel in confirm mode; call before the first Publish.
  void EnableConfirms();
  // Sends a persistent message. Returns its publish sequence number (1, 2,
  // ... in confirm mode, 0 otherwise). Does not wait for the broker.
  std::uint64_t Publish(const std::string& exchange,
                        const std::string& routing_key, std::string_view body);
  // Waits until the broker confirmed every message published so far. Throws
  // AmqpError when one was nacked or `timeout` passes first.
  void WaitForConfirms(Duration timeout);
  // Publish + WaitForConfirms.
  void PublishConfirmed(const std::string& exchange,
                        const std::string& routing_key, std::string_view body,
                        Duration timeout);

  // Starts consuming `queue` with manual acks, at most `prefetch`
  // unacknowledged deliveries in flight. Returns the consumer tag.
  std::string Consume(const std::string& queue, int prefetch);
  // The next delivery, or nullopt when none arrives within `timeout`.
  std::optional<Delivery> Next(Duration timeout);
  void Ack(std::uint64_t tag);
  void Nack(std::uint64_t tag, bool requeue);

  // Closes the channel and the connection politely; idempotent. Throws
  // AmqpError if the broker did not answer (the socket is freed anyway).
  void Close();

 private:
  bool TryConnect(const std::string& ip, std::string& error);
  void Destroy();
  void CheckUsable(std::string_view what) const;
  // Runs `reply` through CheckReply, marking the connection broken on error.
  void Check(const amqp_rpc_reply_t& reply, std::string_view what);
  void Check(int status, std::string_view what);
  // Handles a frame that is not a delivery: confirms, closes, deliveries
  // (kept in `pending_deliveries_`).
  void HandleFrame(const amqp_frame_t& frame, std::string_view what);

  ConnectionOptions options_;
  amqp_connection_state_t state_ = nullptr;
  bool broken_ = false;
  int attempts_ = 0;
  bool confirms_ = false;
  std::uint64_t next_publish_seq_ = 1;
  std::set<std::uint64_t> unconfirmed_;
  std::optional<std::uint64_t> nacked_;
  std::deque<Delivery> pending_deliveries_;
};

}  // namespace chancho::movies::mq
