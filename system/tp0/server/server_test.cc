#include "system/tp0/server/server.h"

#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <sstream>
#include <string>

#include "system/tp0/protocol.h"

namespace chancho::tp0 {
namespace {

using namespace std::chrono_literals;

// A server on 127.0.0.1 with an ephemeral port. The io_context runs on the
// test's thread while a peer works on another, so the log stream is only
// read when no handler runs.
class ServerTest : public ::testing::Test {
 protected:
  ServerTest()
      : logger_(common::LogLevel::kDebug, log_),
        server_(io_, {asio::ip::make_address("127.0.0.1"), 0}, 5, logger_) {
    server_.Start();
  }

  // Runs the io_context until `peer` is done (at most 10 s) and returns
  // its result.
  template <typename T>
  T Serve(std::future<T> peer) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (peer.wait_for(0s) != std::future_status::ready &&
           std::chrono::steady_clock::now() < deadline) {
      io_.run_for(5ms);
    }
    EXPECT_EQ(peer.wait_for(0s), std::future_status::ready) << "peer hung";
    return peer.get();
  }

  // Connects, writes `data`, half-closes if asked, and reads until the server
  // closes. Runs on its own thread.
  std::future<std::string> Peer(std::string data, bool half_close) {
    const asio::ip::tcp::endpoint endpoint = server_.local_endpoint();
    return std::async(std::launch::async, [endpoint, data, half_close] {
      asio::io_context io;
      asio::ip::tcp::socket socket(io);
      socket.connect(endpoint);
      asio::write(socket, asio::buffer(data));
      if (half_close) socket.shutdown(asio::ip::tcp::socket::shutdown_send);
      std::string received;
      boost::system::error_code ec;
      asio::read(socket, asio::dynamic_buffer(received), ec);
      return received;
    });
  }

  int Count(const std::string& action, const std::string& result) const {
    int count = 0;
    std::istringstream lines(log_.str());
    std::string line;
    while (std::getline(lines, line)) {
      const auto event = common::ParseLogLine(line);
      if (event && event->action == action && event->result == result) {
        ++count;
      }
    }
    return count;
  }

  std::ostringstream log_;
  common::Logger logger_;
  asio::io_context io_;
  Server server_;
};

TEST_F(ServerTest, EchoesEveryLineAndTheLastPartialOne) {
  EXPECT_EQ(Serve(Peer("a\nb c\r\n\npartial", /*half_close=*/true)),
            "a\nb c\n\npartial\n");
  EXPECT_EQ(Count("accept_connections", "success"), 1);
  EXPECT_EQ(Count("receive_message", "success"), 4) << log_.str();
  EXPECT_EQ(Count("client_disconnected", "success"), 1) << log_.str();
  EXPECT_NE(log_.str().find("| ip: 127.0.0.1 | msg: b c\n"), std::string::npos)
      << log_.str();
}

TEST_F(ServerTest, EchoesAMessageOfTheMaximumSize) {
  const std::string message(kMaxMessageSize, 'x');
  EXPECT_EQ(Serve(Peer(message + "\n", true)), message + "\n");
}

TEST_F(ServerTest, ClosesAConnectionThatNeverSendsANewline) {
  EXPECT_EQ(Serve(Peer(std::string(kMaxMessageSize + 10, 'x'), false)), "");
  EXPECT_EQ(Count("receive_message", "fail"), 1) << log_.str();
  EXPECT_NE(log_.str().find("without a newline"), std::string::npos);
  // And keeps serving others.
  EXPECT_EQ(Serve(Peer("still here\n", true)), "still here\n");
}

TEST_F(ServerTest, ShutdownClosesTheListenerAndEveryConnection) {
  const asio::ip::tcp::endpoint endpoint = server_.local_endpoint();
  auto peer = std::async(std::launch::async, [endpoint] {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect(endpoint);
    asio::write(socket, asio::buffer("hi\n", 3));
    std::string received;
    boost::system::error_code ec;
    // Reads the echo, then sees the server's close.
    asio::read(socket, asio::dynamic_buffer(received), ec);
    return received;
  });
  // Serve until the echo is logged, give its write time to finish, then shut
  // down.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (Count("receive_message", "success") == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    io_.run_for(5ms);
  }
  io_.run_for(20ms);
  server_.Shutdown();
  EXPECT_EQ(Serve(std::move(peer)), "hi\n");
  EXPECT_EQ(Count("close_listener", "success"), 1);
  EXPECT_EQ(Count("close_connection", "success"), 1) << log_.str();
  EXPECT_NE(log_.str().find("close_connection | result: success | ip: "
                            "127.0.0.1"),
            std::string::npos);
  // Closed connections log nothing more.
  io_.run_for(20ms);
  EXPECT_EQ(Count("receive_message", "fail"), 0) << log_.str();
}

}  // namespace
}  // namespace chancho::tp0
