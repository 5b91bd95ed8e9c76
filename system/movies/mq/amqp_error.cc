#include "system/movies/mq/amqp_error.h"

namespace chancho::movies::mq {
namespace {

std::string Text(amqp_bytes_t bytes) {
  return std::string(static_cast<const char*>(bytes.bytes), bytes.len);
}

}  // namespace

std::string DescribeReply(const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "ok";
    case AMQP_RESPONSE_NONE:
      return "no reply from the broker";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return amqp_error_string2(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      switch (reply.reply.id) {
        case AMQP_CONNECTION_CLOSE_METHOD: {
          const auto* m =
              static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
          return "server closed the connection: " +
                 std::to_string(m->reply_code) + " " + Text(m->reply_text);
        }
        case AMQP_CHANNEL_CLOSE_METHOD: {
          const auto* m =
              static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
          return "server closed the channel: " + std::to_string(m->reply_code) +
                 " " + Text(m->reply_text);
        }
        default:
          return "unexpected server method " + std::to_string(reply.reply.id);
      }
  }
  return "unknown reply type";
}

void CheckReply(const amqp_rpc_reply_t& reply, std::string_view what) {
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    throw AmqpError(std::string(what) + ": " + DescribeReply(reply));
  }
}

void CheckStatus(int status, std::string_view what) {
  if (status < 0) {
    throw AmqpError(std::string(what) + ": " + amqp_error_string2(status));
  }
}

}  // namespace chancho::movies::mq
