#include "harness/runtime/readiness.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace chancho {
namespace {

using std::chrono::milliseconds;

// A socket bound to 127.0.0.1 on an ephemeral port.
struct BoundSocket {
  int fd;
  int port = 0;
  explicit BoundSocket(int type) : fd(::socket(AF_INET, type, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t length = sizeof(address);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
  }
  ~BoundSocket() { ::close(fd); }
};

TEST(TcpAccepts, TrueForAListenerFalseOtherwise) {
  BoundSocket listener(SOCK_STREAM);
  ASSERT_EQ(::listen(listener.fd, 4), 0);
  EXPECT_TRUE(TcpAccepts("127.0.0.1", listener.port, milliseconds(200)));
  const int port = listener.port;
  { BoundSocket closed(SOCK_STREAM); }
  BoundSocket not_listening(SOCK_STREAM);
  EXPECT_FALSE(TcpAccepts("127.0.0.1", not_listening.port, milliseconds(200)));
  EXPECT_FALSE(TcpAccepts("not an ip", port, milliseconds(200)));
}

TEST(HeartbeatAnswers, OnlyPongCounts) {
  BoundSocket responder(SOCK_DGRAM);
  std::thread answer([&] {
    char buffer[16];
    sockaddr_in peer{};
    socklen_t length = sizeof(peer);
    // First ping: answered with garbage; second: with PONG.
    for (const char* reply : {"PANG", "PONG"}) {
      const ssize_t n = ::recvfrom(responder.fd, buffer, sizeof(buffer), 0,
                                   reinterpret_cast<sockaddr*>(&peer), &length);
      if (n != 5) return;
      ::sendto(responder.fd, reply, 5, 0, reinterpret_cast<sockaddr*>(&peer),
               length);
    }
  });
  EXPECT_FALSE(HeartbeatAnswers("127.0.0.1", responder.port, milliseconds(300)));
  EXPECT_TRUE(HeartbeatAnswers("127.0.0.1", responder.port, milliseconds(2000)));
  answer.join();
  EXPECT_FALSE(HeartbeatAnswers("127.0.0.1", responder.port, milliseconds(100)));
}

TEST(LogLineScanner, SeesOnlyCompleteLinesAfterTheOffset) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("scanner-" + std::to_string(::getpid()) + ".log");
  std::ofstream out(path);
  out << "action: ready | old line\n" << std::flush;
  const auto offset = std::filesystem::file_size(path);
  LogLineScanner scanner(path, "action: ready", offset);
  EXPECT_FALSE(scanner.Poll());
  out << "action: rea" << std::flush;
  EXPECT_FALSE(scanner.Poll());
  out << "dy | new\n" << std::flush;
  auto line = scanner.Poll();
  ASSERT_TRUE(line);
  EXPECT_EQ(*line, "action: ready | new");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace chancho
