// Runs the real tp0-server and tp0-client binaries against each other.

#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

#include "common/log_line.h"
#include "system/tp0/test_process.h"

namespace chancho::tp0 {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using common::ParseLogLine;

std::string BinDir() {
  if (const char* dir = std::getenv("CHANCHO_BIN_DIR")) return dir;
  return TP0_BIN_DIR;
}

// A port that was free a moment ago. The tiny window before the server binds
// it is acceptable for a test.
template <typename Protocol>
uint16_t FreePort() {
  asio::io_context io;
  typename Protocol::socket socket(
      io, typename Protocol::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return socket.local_endpoint().port();
}

// A matcher for TestProcess::WaitForLine on the event's action and result.
std::function<bool(const std::string&)> IsEvent(std::string action,
                                                std::string result) {
  return [action, result](const std::string& line) {
    const auto event = ParseLogLine(line);
    return event && event->action == action && event->result == result;
  };
}

int CountEvents(const TestProcess& process, const std::string& action,
                const std::string& result) {
  int count = 0;
  for (const std::string& line : process.lines()) {
    if (IsEvent(action, result)(line)) ++count;
  }
  return count;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tp0-test-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return (path_ / name).string();
  }

 private:
  fs::path path_;
};

class Tp0ProcessTest : public ::testing::Test {
 protected:
  std::string ServerPath() const { return BinDir() + "/tp0-server"; }
  std::string ClientPath() const { return BinDir() + "/tp0-client"; }

  TempDir dir_;
};

TEST_F(Tp0ProcessTest, ServerEchoesClientsAndShutsDownGracefully) {
  const uint16_t port = FreePort<asio::ip::tcp>();
  const uint16_t heartbeat_port = FreePort<asio::ip::udp>();
  // The file's port is wrong on purpose: the environment must win.
  const std::string ini =
      dir_.Write("config.ini",
                 "[DEFAULT]\nSERVER_PORT = 1\nSERVER_IP = \n"
                 "SERVER_LISTEN_BACKLOG = 7\nLOGGING_LEVEL = info\n");
  TestProcess server(ServerPath(),
                     {{"CONFIG_FILE", ini},
                      {"SERVER_PORT", std::to_string(port)},
                      {"SERVER_IP", "127.0.0.1"},
                      {"HEARTBEAT_PORT", std::to_string(heartbeat_port)}});
  ASSERT_TRUE(
      server.WaitForLine(IsEvent("accept_connections", "in_progress"), 5s))
      << server.Output();
  const auto config = ParseLogLine(server.lines().front());
  ASSERT_TRUE(config && config->action == "config") << server.Output();
  EXPECT_EQ(config->Get("server_port"), std::to_string(port));
  EXPECT_EQ(config->Get("server_ip"), "127.0.0.1");
  EXPECT_EQ(config->Get("listen_backlog"), "7");
  EXPECT_EQ(config->Get("logging_level"), "INFO");

  // A hand-made connection, kept open across the shutdown below.
  asio::io_context io;
  asio::ip::tcp::socket peer(io);
  peer.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(peer, asio::buffer(std::string("hello | world\r\n")));
  std::string echo;
  asio::read_until(peer, asio::dynamic_buffer(echo), '\n');
  EXPECT_EQ(echo, "hello | world\n");
  const auto received =
      server.WaitForLine(IsEvent("receive_message", "success"), 5s);
  ASSERT_TRUE(received) << server.Output();
  EXPECT_EQ(ParseLogLine(*received)->Get("ip"), "127.0.0.1");
  EXPECT_EQ(ParseLogLine(*received)->Get("msg"), "hello | world");

  // Heartbeat.
  asio::ip::udp::socket udp(io, asio::ip::udp::v4());
  udp.send_to(asio::buffer("PING", 5),
              {asio::ip::make_address("127.0.0.1"), heartbeat_port});
  pollfd fd{udp.native_handle(), POLLIN, 0};
  ASSERT_EQ(::poll(&fd, 1, 2000), 1) << "no heartbeat reply";
  char pong[16];
  asio::ip::udp::endpoint from;
  const std::size_t size = udp.receive_from(asio::buffer(pong), from);
  EXPECT_EQ(std::string(pong, size), std::string("PONG", 5));

  // The real client.
  {
    TestProcess client(
        ClientPath(),
        {{"CLI_ID", "1"},
         {"CONFIG_FILE", dir_.Write("config.yaml",
                                    "server:\n  address: \"server:1\"\n"
                                    "loop:\n  amount: 9\n  period: 5s\n")},
         {"CLI_SERVER_ADDRESS", "127.0.0.1:" + std::to_string(port)},
         {"CLI_LOOP_AMOUNT", "3"},
         {"CLI_LOOP_PERIOD", "10ms"}});
    ASSERT_EQ(client.WaitForExit(10s), 0) << client.Output();
    EXPECT_EQ(CountEvents(client, "receive_message", "success"), 3)
        << client.Output();
    EXPECT_EQ(CountEvents(client, "loop_finished", "success"), 1)
        << client.Output();
    int n = 0;
    for (const std::string& line : client.lines()) {
      const auto event = ParseLogLine(line);
      if (!event || event->action != "receive_message") continue;
      ++n;
      EXPECT_EQ(event->Get("client_id"), "1");
      EXPECT_EQ(event->Get("msg"),
                "[CLIENT 1] Message N\xC2\xB0" + std::to_string(n));
    }
  }

  // Each of the client's three connections has ended on the server's side
  // too, so only the hand-made one is left open.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        server.WaitForLine(IsEvent("client_disconnected", "success"), 5s))
        << server.Output();
  }

  const auto start = std::chrono::steady_clock::now();
  server.Signal(SIGTERM);
  const std::optional<int> code = server.WaitForExit(1s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  ASSERT_EQ(code, 0) << server.Output();
  EXPECT_EQ(CountEvents(server, "receive_message", "success"), 4)
      << server.Output();
  EXPECT_EQ(CountEvents(server, "close_listener", "success"), 1);
  EXPECT_EQ(CountEvents(server, "close_connection", "success"), 1)
      << server.Output();
  EXPECT_EQ(CountEvents(server, "shutdown", "success"), 1);
  EXPECT_TRUE(IsEvent("shutdown", "success")(server.lines().back()));
  // The connection kept open was closed by the server.
  boost::system::error_code ec;
  std::string rest;
  asio::read_until(peer, asio::dynamic_buffer(rest), '\n', ec);
  EXPECT_EQ(ec, asio::error::eof) << "connection still open";
}

TEST_F(Tp0ProcessTest, ServerRejectsAnInvalidPort) {
  TestProcess server(ServerPath(),
                     {{"CONFIG_FILE", dir_.Write("config.ini", "[DEFAULT]\n")},
                      {"SERVER_PORT", "http"}});
  ASSERT_EQ(server.WaitForExit(5s), 1) << server.Output();
  ASSERT_EQ(server.lines().size(), 1u) << server.Output();
  const auto event = ParseLogLine(server.lines()[0]);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->action, "config");
  EXPECT_EQ(event->result, "fail");
  EXPECT_NE(event->Get("error")->find("SERVER_PORT"), std::string::npos);
}

TEST_F(Tp0ProcessTest, ClientRequiresAnId) {
  TestProcess client(ClientPath(), {{"CONFIG_FILE", "/nonexistent.yaml"}});
  ASSERT_EQ(client.WaitForExit(5s), 1) << client.Output();
  EXPECT_EQ(CountEvents(client, "config", "fail"), 1) << client.Output();
}

TEST_F(Tp0ProcessTest, ClientReportsFailuresAndExitsNonZero) {
  const uint16_t port = FreePort<asio::ip::tcp>();  // Nobody listens there.
  TestProcess client(ClientPath(), {{"CLI_ID", "7"},
                                    {"CONFIG_FILE", "/nonexistent.yaml"},
                                    {"CLI_SERVER_ADDRESS",
                                     "127.0.0.1:" + std::to_string(port)},
                                    {"CLI_LOOP_AMOUNT", "2"},
                                    {"CLI_LOOP_PERIOD", "1ms"}});
  ASSERT_EQ(client.WaitForExit(10s), 1) << client.Output();
  EXPECT_EQ(CountEvents(client, "receive_message", "fail"), 2)
      << client.Output();
  EXPECT_EQ(CountEvents(client, "loop_finished", "fail"), 1) << client.Output();
}

TEST_F(Tp0ProcessTest, ClientStopsAtOnceOnSigterm) {
  const uint16_t port = FreePort<asio::ip::tcp>();
  TestProcess client(ClientPath(), {{"CLI_ID", "2"},
                                    {"CONFIG_FILE", "/nonexistent.yaml"},
                                    {"CLI_SERVER_ADDRESS",
                                     "127.0.0.1:" + std::to_string(port)},
                                    {"CLI_LOOP_AMOUNT", "5"},
                                    {"CLI_LOOP_PERIOD", "1m"}});
  // After the first attempt the client sits in its one-minute wait.
  ASSERT_TRUE(client.WaitForLine(IsEvent("receive_message", "fail"), 5s))
      << client.Output();
  const auto start = std::chrono::steady_clock::now();
  client.Signal(SIGTERM);
  ASSERT_EQ(client.WaitForExit(1s), 0) << client.Output();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  const auto last = ParseLogLine(client.lines().back());
  ASSERT_TRUE(last) << client.Output();
  EXPECT_EQ(last->action, "shutdown");
  EXPECT_EQ(last->result, "success");
  EXPECT_EQ(last->Get("client_id"), "2");
  EXPECT_EQ(CountEvents(client, "loop_finished", "success"), 0);
}

}  // namespace
}  // namespace chancho::tp0
