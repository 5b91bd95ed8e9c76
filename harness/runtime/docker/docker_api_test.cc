#include "harness/runtime/docker/docker_api.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

namespace chancho {
namespace {

TEST(ParseHttpResponseTest, StatusAndBodies) {
  auto reply = ParseHttpResponse("HTTP/1.1 204 No Content\r\nApi-Version: 1.41\r\n\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 204);
  EXPECT_EQ(reply->body, "");
  reply = ParseHttpResponse(
      "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\n"
      "Content-Length: 49\r\n\r\n{\"message\":\"Container x is not running\"}\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 409);
  EXPECT_EQ(EngineMessage(*reply), "Container x is not running");
  reply = ParseHttpResponse(
      "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "hello world");
  EXPECT_EQ(EngineMessage(*reply), "hello world");
}

TEST(ParseHttpResponseTest, WhatIsNotHttpIsRefused) {
  EXPECT_FALSE(ParseHttpResponse(""));
  EXPECT_FALSE(ParseHttpResponse("SSH-2.0-OpenSSH\r\n\r\n"));
  EXPECT_FALSE(ParseHttpResponse("HTTP/1.1 204 No Content\r\n"));  // no end
  EXPECT_FALSE(ParseHttpResponse("HTTP/1.1 2"));
  EXPECT_FALSE(ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
  EXPECT_FALSE(ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nff\r\nshort"));
}

// A one-shot server on a Unix socket that records the request and answers.
TEST(EngineRequestTest, SendsOneRequestAndReadsTheReply) {
  const std::string path = "/tmp/chancho-api-test-" + std::to_string(::getpid());
  ::unlink(path.c_str());
  const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path.c_str());
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  std::string request;
  std::thread server([&] {
    const int c = ::accept(listener, nullptr, nullptr);
    char buffer[1024];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(c, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      request.append(buffer, static_cast<std::size_t>(n));
    }
    const std::string reply = "HTTP/1.1 204 No Content\r\n\r\n";
    ::send(c, reply.data(), reply.size(), 0);
    ::close(c);
  });
  const auto reply = EngineRequest(path, "POST", "/containers/a/kill?signal=9",
                                   std::chrono::seconds(5));
  server.join();
  ::close(listener);
  ::unlink(path.c_str());
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 204);
  EXPECT_EQ(request.rfind("POST /containers/a/kill?signal=9 HTTP/1.1\r\n", 0), 0u)
      << request;
  // Nobody listens: nullopt, so that the caller falls back to the CLI.
  EXPECT_FALSE(EngineRequest(path, "POST", "/x", std::chrono::seconds(1)));
}

}  // namespace
}  // namespace chancho
