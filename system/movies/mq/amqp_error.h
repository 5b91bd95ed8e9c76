#pragma once

#include <amqp.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace chancho::movies::mq {

// Every failure of the AMQP layer: one readable line naming what was being
// done and why it failed, e.g.
//   "declare queue 'q1': server closed the channel: 406 PRECONDITION_FAILED
//    - inequivalent arg 'durable' ..."
class AmqpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The line for an rpc reply that is not AMQP_RESPONSE_NORMAL (library errors
// through amqp_error_string2, server closes with code and text).
std::string DescribeReply(const amqp_rpc_reply_t& reply);

// Throws AmqpError "<what>: <cause>" unless `reply` is normal.
void CheckReply(const amqp_rpc_reply_t& reply, std::string_view what);
// Throws AmqpError "<what>: <amqp_error_string2(status)>" if status < 0.
void CheckStatus(int status, std::string_view what);

}  // namespace chancho::movies::mq
