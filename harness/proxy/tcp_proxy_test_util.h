#pragma once

// What the TCP fault proxy tests share: an echo server, sockets with
// bounded reads, and a fixture with a proxy in front of the echo server.

#include "harness/proxy/tcp_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/error.h"

namespace chancho::proxy_test {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// An owned file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Fd() { Close(); }
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_;
};

inline sockaddr_in Loopback(std::uint16_t port, const char* ip = "127.0.0.1") {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, ip, &address.sin_addr);
  return address;
}

// Connects to ip:port; an invalid Fd if connect() fails.
inline Fd Connect(std::uint16_t port, const std::string& ip = "127.0.0.1") {
  Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
  const sockaddr_in address = Loopback(port, ip.c_str());
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address),
                sizeof(address)) != 0) {
    return Fd();
  }
  int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

inline bool WriteAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}
inline bool WriteAll(int fd, const std::string& data) {
  return WriteAll(fd, data.data(), data.size());
}

// What a bounded read saw.
struct ReadResult {
  std::string data;
  bool eof = false;
  int error = 0;  // errno of a failed read, e.g. ECONNRESET
  bool timed_out = false;
};

// Reads until `size` bytes came, EOF, an error, or `timeout`.
inline ReadResult ReadFor(int fd, std::size_t size, milliseconds timeout) {
  ReadResult result;
  const auto deadline = Clock::now() + timeout;
  std::vector<char> buffer(64 * 1024);
  while (result.data.size() < size) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    pollfd p{fd, POLLIN, 0};
    const int ready = left.count() > 0 ? ::poll(&p, 1, left.count()) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      result.timed_out = true;
      break;
    }
    const ssize_t n =
        ::recv(fd, buffer.data(),
               std::min(buffer.size(), size - result.data.size()), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result.error = errno;
      break;
    }
    if (n == 0) {
      result.eof = true;
      break;
    }
    result.data.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return result;
}

// True once `condition` holds, polled every millisecond up to `timeout`.
inline bool WaitFor(const std::function<bool()>& condition, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

// Echoes every byte back on ip:port() (port 0: an ephemeral one), a thread
// per connection; on EOF it shuts its side down. Stop (the destructor) wakes
// every blocked call with shutdown() and joins.
class EchoServer {
 public:
  explicit EchoServer(const char* ip = "127.0.0.1", std::uint16_t port = 0)
      : listener_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address = Loopback(port, ip);
    socklen_t length = sizeof(address);
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address),
               sizeof(address)) != 0 ||
        ::listen(listener_.get(), 64) != 0 ||
        ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address),
                      &length) != 0) {
      throw std::runtime_error("echo server: cannot listen");
    }
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~EchoServer() {
    stopping_ = true;
    ::shutdown(listener_.get(), SHUT_RDWR);
    acceptor_.join();
    std::lock_guard lock(mu_);
    for (Fd& fd : connections_) ::shutdown(fd.get(), SHUT_RDWR);
    for (std::thread& t : threads_) t.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      const int fd = ::accept(listener_.get(), nullptr, nullptr);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;
      }
      std::lock_guard lock(mu_);
      connections_.emplace_back(fd);
      threads_.emplace_back([fd] { Echo(fd); });
    }
  }
  static void Echo(int fd) {
    std::vector<char> buffer(64 * 1024);
    for (;;) {
      const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) ::shutdown(fd, SHUT_WR);
      if (n <= 0 || !WriteAll(fd, buffer.data(), n)) return;
    }
  }

  Fd listener_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<Fd> connections_;  // closed after their threads are joined
  std::vector<std::thread> threads_;
};

class TcpProxyTest : public testing::Test {
 protected:
  TcpProxyOptions Options() {
    TcpProxyOptions options;
    options.upstream_host = "127.0.0.1";
    options.upstream_port = echo_.port();
    options.seed = 42;
    return options;
  }

  // One byte there and back, or nullopt when it does not come back in time.
  std::optional<milliseconds> PingPong(int fd, milliseconds timeout) {
    const auto start = Clock::now();
    if (!WriteAll(fd, "x")) return std::nullopt;
    if (ReadFor(fd, 1, timeout).data != "x") return std::nullopt;
    return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  }

  // A connection through the proxy that echoes.
  Fd Echoing() {
    Fd fd = Connect(proxy_.port());
    EXPECT_GE(fd.get(), 0);
    EXPECT_TRUE(PingPong(fd.get(), milliseconds(5000)));
    return fd;
  }

  EchoServer echo_;
  TcpProxy proxy_{Options()};
};

inline std::string RandomBytes(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

// True when the connection ends (RST or FIN) within the timeout.
inline bool SeesResetOrEof(int fd) {
  const ReadResult r = ReadFor(fd, 1, milliseconds(5000));
  return r.data.empty() && (r.eof || r.error == ECONNRESET);
}

}  // namespace chancho::proxy_test
