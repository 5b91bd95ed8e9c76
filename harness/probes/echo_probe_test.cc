#include "harness/probes/echo_probe.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

namespace chancho {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

// A one-connection TCP server on 127.0.0.1 that answers the first line it
// reads with `reply(line)`; an empty optional means "stay silent".
class OneShotServer {
 public:
  explicit OneShotServer(std::function<std::optional<std::string>(std::string)> reply)
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t length = sizeof(address);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    ::listen(fd_, 1);
    thread_ = std::thread([this, reply] {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string line;
      char ch;
      while (::recv(c, &ch, 1, 0) == 1 && ch != '\n') line += ch;
      if (auto answer = reply(line)) {
        ::send(c, answer->data(), answer->size(), MSG_NOSIGNAL);
      } else {
        char drain;
        ::recv(c, &drain, 1, 0);  // until the probe gives up and closes
      }
      ::close(c);
    });
  }
  ~OneShotServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
  std::thread thread_;
};

TEST(EchoProbe, SucceedsAgainstAnEcho) {
  OneShotServer server([](std::string line) { return line + "\n"; });
  const auto result = EchoProbe("127.0.0.1", server.port(), "hola", milliseconds(2000));
  EXPECT_TRUE(result.success) << result.reason;
  EXPECT_EQ(result.LogLine("test_echo_server"),
            "action: test_echo_server | result: success");
}

TEST(EchoProbe, FailsAgainstOtherBytes) {
  OneShotServer server(
      [](std::string line) { return "error reading data: " + line + "\n"; });
  const auto result = EchoProbe("127.0.0.1", server.port(), "hola", milliseconds(2000));
  EXPECT_FALSE(result.success);
  EXPECT_THAT(result.reason, HasSubstr("error reading data: hola"));
  EXPECT_THAT(result.LogLine("test_echo_server"),
              HasSubstr("action: test_echo_server | result: fail | reason: "));
}

TEST(EchoProbe, FailsInBoundedTimeAgainstSilence) {
  OneShotServer server([](std::string) { return std::nullopt; });
  const auto start = std::chrono::steady_clock::now();
  const auto result = EchoProbe("127.0.0.1", server.port(), "hola", milliseconds(300));
  EXPECT_FALSE(result.success);
  EXPECT_THAT(result.reason, HasSubstr("no answer"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
}

TEST(EchoProbe, FailsAgainstNobody) {
  int port;
  {
    OneShotServer gone([](std::string) { return std::nullopt; });
    port = gone.port();
  }
  const auto result = EchoProbe("127.0.0.1", port, "hola", milliseconds(1000));
  EXPECT_FALSE(result.success);
  EXPECT_THAT(result.reason, HasSubstr("cannot connect"));
}

TEST(EchoProbe, RejectsBadInput) {
  EXPECT_FALSE(EchoProbe("nonsense", 1, "x", milliseconds(100)).success);
  EXPECT_FALSE(EchoProbe("127.0.0.1", 70000, "x", milliseconds(100)).success);
  EXPECT_FALSE(EchoProbe("127.0.0.1", 1, "a\nb", milliseconds(100)).success);
}

TEST(ResolveIpv4, HostsFileThenResolver) {
  const auto hosts = std::filesystem::temp_directory_path() /
                     ("hosts-" + std::to_string(::getpid()));
  std::ofstream(hosts) << "# comment\n127.9.9.2 server alias\n";
  EXPECT_EQ(ResolveIpv4("alias", hosts), "127.9.9.2");
  EXPECT_EQ(ResolveIpv4("10.1.2.3", hosts), "10.1.2.3");
  EXPECT_EQ(ResolveIpv4("localhost", std::nullopt), "127.0.0.1");
  EXPECT_FALSE(ResolveIpv4("no-such-host.invalid", hosts));
  std::filesystem::remove(hosts);
}

}  // namespace
}  // namespace chancho
