// The AMQP layer without a broker: bounded retries and one-line errors.
// Tests against a running broker are in integration_tests/broker_test.cc.
#include "system/movies/mq/connection.h"

#include <gtest/gtest.h>

namespace chancho::movies::mq {
namespace {

common::EnvLookup NoEnv() {
  return [](const char*) -> std::optional<std::string> { return std::nullopt; };
}

TEST(Connection, GivesUpAfterTheConfiguredAttemptsWithOneLine) {
  ConnectionOptions o;
  o.host = "127.0.0.1";
  o.port = 1;  // nothing listens there
  o.connect_attempts = 3;
  o.retry_delay = Duration(10);
  try {
    Connection c(o, NoEnv());
    FAIL() << "connected to port 1";
  } catch (const AmqpError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("connect to 127.0.0.1:1: gave up after 3 attempts: "
                         "tcp 127.0.0.1: ",
                         0),
              0u)
        << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

TEST(Connection, UnresolvableHostIsReported) {
  ConnectionOptions o;
  o.host = "no-such-host.invalid";
  o.connect_attempts = 1;
  try {
    Connection c(o, NoEnv());
    FAIL() << "connected";
  } catch (const AmqpError& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-host.invalid"),
              std::string::npos)
        << e.what();
  }
}

TEST(Connection, OptionsFromEnv) {
  const auto env = [](const char* name) -> std::optional<std::string> {
    if (std::string_view(name) == "BROKER_HOST") return "broker";
    if (std::string_view(name) == "BROKER_PORT") return "5673";
    return std::nullopt;
  };
  const ConnectionOptions o = OptionsFromEnv(env);
  EXPECT_EQ(o.host, "broker");
  EXPECT_EQ(o.port, 5673);
  EXPECT_EQ(o.user, "guest");
  EXPECT_THROW(OptionsFromEnv([](const char* name) -> std::optional<std::string> {
                 if (std::string_view(name) == "BROKER_PORT") return "x";
                 return std::nullopt;
               }),
               std::invalid_argument);
}

TEST(AmqpError, DescribesLibraryErrors) {
  amqp_rpc_reply_t reply{};
  reply.reply_type = AMQP_RESPONSE_LIBRARY_EXCEPTION;
  reply.library_error = AMQP_STATUS_SOCKET_ERROR;
  EXPECT_EQ(DescribeReply(reply), "a socket error occurred");
  EXPECT_THROW(CheckReply(reply, "x"), AmqpError);
  EXPECT_THROW(CheckStatus(AMQP_STATUS_TIMEOUT, "x"), AmqpError);
  EXPECT_NO_THROW(CheckStatus(AMQP_STATUS_OK, "x"));
}

}  // namespace
}  // namespace chancho::movies::mq
