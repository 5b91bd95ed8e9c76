#include "harness/faults/tcp_proxy.h"

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

#include "harness/spec/error.h"

namespace chancho {
namespace {

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

sockaddr_in Loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Connects to 127.0.0.1:port; an invalid Fd if connect() fails.
Fd Connect(std::uint16_t port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
  const sockaddr_in address = Loopback(port);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address),
                sizeof(address)) != 0) {
    return Fd();
  }
  int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

bool WriteAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}
bool WriteAll(int fd, const std::string& data) {
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
ReadResult ReadFor(int fd, std::size_t size, milliseconds timeout) {
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
bool WaitFor(const std::function<bool()>& condition, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

// Echoes every byte back on 127.0.0.1:port(), a thread per connection; on
// EOF it shuts its side down. Stop (the destructor) wakes every blocked call
// with shutdown() and joins.
class EchoServer {
 public:
  EchoServer() : listener_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address = Loopback(0);
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

std::string RandomBytes(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

TEST_F(TcpProxyTest, PassesBytesUnchangedBothWays) {
  const std::string payload = RandomBytes(16 << 20, 7);
  Fd fd = Connect(proxy_.port());
  ASSERT_GE(fd.get(), 0);
  // Write and read at once: the echo comes back while we are still sending.
  std::thread writer([&] {
    EXPECT_TRUE(WriteAll(fd.get(), payload));
    ::shutdown(fd.get(), SHUT_WR);
  });
  const ReadResult echoed =
      ReadFor(fd.get(), payload.size() + 1, milliseconds(30000));
  writer.join();
  EXPECT_TRUE(echoed.eof) << "the half-close went through both ways";
  ASSERT_EQ(echoed.data.size(), payload.size());
  EXPECT_TRUE(echoed.data == payload);
  EXPECT_TRUE(WaitFor(
      [&] {
        const TcpProxyStats s = proxy_.Stats();
        return s.bytes_client_to_server == payload.size() &&
               s.bytes_server_to_client == payload.size() &&
               s.connections_active == 0;
      },
      milliseconds(5000)));
  EXPECT_EQ(proxy_.Stats().connections_accepted, 1u);
}

// Faults come and go while a stream flows both ways: bytes in the kernel
// pipe move to the fault's queue and back, and not one is lost or reordered.
TEST_F(TcpProxyTest, FaultsMidStreamKeepEveryByteInOrder) {
  const std::string payload = RandomBytes(8 << 20, 11);
  Fd fd = Connect(proxy_.port());
  ASSERT_GE(fd.get(), 0);
  std::thread writer([&] { EXPECT_TRUE(WriteAll(fd.get(), payload)); });
  std::string echoed;
  const std::vector<std::pair<Direction, LinkFault>> faults = {
      {Direction::kBoth,
       {.kind = LinkFaultKind::kDelay,
        .delay = milliseconds(5),
        .jitter = milliseconds(5)}},
      {Direction::kClientToServer,
       {.kind = LinkFaultKind::kBandwidth, .bytes_per_second = 20 << 20}},
      {Direction::kServerToClient, {.kind = LinkFaultKind::kNone}},
      {Direction::kBoth, {.kind = LinkFaultKind::kNone}}};
  for (std::size_t step = 0; echoed.size() < payload.size(); ++step) {
    const ReadResult r = ReadFor(
        fd.get(),
        std::min<std::size_t>(512 << 10, payload.size() - echoed.size()),
        milliseconds(10000));
    echoed += r.data;
    if (r.data.empty()) break;
    if (step < faults.size()) {
      EXPECT_TRUE(
          proxy_.SetFault(faults[step].first, faults[step].second).took_effect);
    }
  }
  writer.join();
  ASSERT_EQ(echoed.size(), payload.size());
  EXPECT_TRUE(echoed == payload);
}

TEST_F(TcpProxyTest, ManyConnectionsAtOnce) {
  std::vector<std::thread> clients;
  std::atomic<int> good{0};
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&, i] {
      const std::string payload = RandomBytes(256 << 10, i);
      Fd fd = Connect(proxy_.port());
      std::thread writer([&] { WriteAll(fd.get(), payload); });
      const ReadResult r =
          ReadFor(fd.get(), payload.size(), milliseconds(20000));
      writer.join();
      if (r.data == payload) ++good;
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(good, 8);
  EXPECT_EQ(proxy_.Stats().connections_accepted, 8u);
}

TEST_F(TcpProxyTest, DelayAddsAtLeastTheDelayAndKeepsOrder) {
  Fd fd = Echoing();
  LinkFault delay{.kind = LinkFaultKind::kDelay, .delay = milliseconds(60)};
  const LinkFaultOutcome outcome =
      proxy_.SetFault(Direction::kClientToServer, delay);
  EXPECT_TRUE(outcome.took_effect) << outcome.detail;
  auto rtt = PingPong(fd.get(), milliseconds(5000));
  ASSERT_TRUE(rtt);
  EXPECT_GE(*rtt, milliseconds(60));

  delay.delay = milliseconds(40);
  proxy_.SetFault(Direction::kBoth, delay);
  rtt = PingPong(fd.get(), milliseconds(5000));
  ASSERT_TRUE(rtt);
  EXPECT_GE(*rtt, milliseconds(80)) << "40 ms each way";

  // With jitter larger than the gaps between writes, chunks still arrive in
  // the order they were sent.
  delay.jitter = milliseconds(30);
  proxy_.SetFault(Direction::kBoth, delay);
  std::string sent;
  for (int i = 0; i < 50; ++i) {
    const std::string message = std::to_string(i) + ",";
    ASSERT_TRUE(WriteAll(fd.get(), message));
    sent += message;
    std::this_thread::sleep_for(milliseconds(1));  // separate chunks
  }
  EXPECT_EQ(ReadFor(fd.get(), sent.size(), milliseconds(5000)).data, sent);

  EXPECT_TRUE(proxy_.Heal().took_effect);
  rtt = PingPong(fd.get(), milliseconds(5000));
  ASSERT_TRUE(rtt);
  EXPECT_LT(*rtt, milliseconds(40));
}

TEST_F(TcpProxyTest, BandwidthLimitsThroughputRoughly) {
  Fd fd = Echoing();
  constexpr std::size_t kRate = 1 << 20;  // bytes per second
  proxy_.SetFault(
      Direction::kClientToServer,
      {.kind = LinkFaultKind::kBandwidth, .bytes_per_second = kRate});
  const std::string payload = RandomBytes(kRate, 3);
  const auto start = Clock::now();
  std::thread writer([&] { WriteAll(fd.get(), payload); });
  const ReadResult r = ReadFor(fd.get(), payload.size(), milliseconds(10000));
  writer.join();
  const auto took = Clock::now() - start;
  EXPECT_EQ(r.data, payload);
  // A second's worth of data, less the burst; a generous band.
  EXPECT_GE(took, milliseconds(800));
  EXPECT_LE(took, milliseconds(3000));
}

TEST_F(TcpProxyTest, BlackholeDropsUntilHealedAndKeepsTheConnection) {
  Fd fd = Echoing();
  const LinkFaultOutcome outcome = proxy_.SetFault(
      Direction::kClientToServer, {.kind = LinkFaultKind::kBlackhole});
  EXPECT_TRUE(outcome.took_effect) << outcome.detail;
  ASSERT_TRUE(WriteAll(fd.get(), "lost"));
  const ReadResult silent = ReadFor(fd.get(), 1, milliseconds(300));
  EXPECT_TRUE(silent.timed_out);
  EXPECT_TRUE(silent.data.empty());
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().bytes_dropped == 4; },
                      milliseconds(5000)));

  EXPECT_TRUE(proxy_.Heal().took_effect);
  ASSERT_TRUE(WriteAll(fd.get(), "back"));
  EXPECT_EQ(ReadFor(fd.get(), 4, milliseconds(5000)).data, "back")
      << "blackholed bytes are not replayed";
  EXPECT_EQ(proxy_.Stats().connections_accepted, 1u);
}

TEST_F(TcpProxyTest, BlackholeServerToClient) {
  Fd fd = Echoing();
  proxy_.SetFault(Direction::kServerToClient,
                  {.kind = LinkFaultKind::kBlackhole});
  ASSERT_TRUE(WriteAll(fd.get(), "abc"));
  EXPECT_TRUE(ReadFor(fd.get(), 1, milliseconds(300)).timed_out);
  EXPECT_TRUE(WaitFor(
      [&] {
        const TcpProxyStats s = proxy_.Stats();
        return s.bytes_client_to_server == 4 && s.bytes_dropped == 3;
      },
      milliseconds(5000)));
}

// A close is held back like the data, and passed on by the heal, which
// here ends the connection while the proxy walks its connections.
TEST_F(TcpProxyTest, BlackholeHoldsTheCloseUntilHealed) {
  Fd fd = Echoing();
  proxy_.SetFault(Direction::kServerToClient,
                  {.kind = LinkFaultKind::kBlackhole});
  ASSERT_TRUE(WriteAll(fd.get(), "abc"));
  ::shutdown(fd.get(), SHUT_WR);  // the echo server answers, then closes
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().bytes_dropped == 3; },
                      milliseconds(5000)));
  EXPECT_TRUE(ReadFor(fd.get(), 1, milliseconds(200)).timed_out)
      << "neither the echo nor the close came through";
  EXPECT_TRUE(proxy_.Heal().took_effect);
  const ReadResult r = ReadFor(fd.get(), 1, milliseconds(5000));
  EXPECT_TRUE(r.eof);
  EXPECT_TRUE(r.data.empty());
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().connections_active == 0; },
                      milliseconds(5000)));
}

// True when the connection ends (RST or FIN) within the timeout.
bool SeesResetOrEof(int fd) {
  const ReadResult r = ReadFor(fd, 1, milliseconds(5000));
  return r.data.empty() && (r.eof || r.error == ECONNRESET);
}

TEST_F(TcpProxyTest, ResetEndsActiveAndNewConnections) {
  Fd first = Echoing();
  Fd second = Echoing();
  const LinkFaultOutcome outcome =
      proxy_.SetFault(Direction::kBoth, {.kind = LinkFaultKind::kReset});
  EXPECT_TRUE(outcome.took_effect) << outcome.detail;
  EXPECT_EQ(outcome.connections_reset, 2);
  EXPECT_TRUE(SeesResetOrEof(first.get()));
  const ReadResult r = ReadFor(second.get(), 1, milliseconds(5000));
  EXPECT_EQ(r.error, ECONNRESET) << "SO_LINGER 0: an RST, not a FIN";

  Fd late = Connect(proxy_.port());
  ASSERT_GE(late.get(), 0) << "accepted, then reset";
  EXPECT_TRUE(SeesResetOrEof(late.get()));
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().connections_reset == 3; },
                      milliseconds(5000)));
  EXPECT_EQ(proxy_.Stats().connections_active, 0u);

  proxy_.Heal();
  Fd healed = Echoing();
  EXPECT_EQ(proxy_.Stats().connections_active, 1u);
}

TEST_F(TcpProxyTest, PartitionRefusesNewConnectionsAndCountsThem) {
  Fd active = Echoing();
  const LinkFaultOutcome outcome =
      proxy_.SetFault(Direction::kBoth, {.kind = LinkFaultKind::kPartition});
  EXPECT_TRUE(outcome.took_effect) << outcome.detail;
  EXPECT_EQ(outcome.connections_reset, 1);
  EXPECT_TRUE(SeesResetOrEof(active.get()));

  for (int i = 0; i < 3; ++i) {
    Fd fd = Connect(proxy_.port());
    if (fd.get() < 0) continue;  // refused at connect: fine too
    EXPECT_FALSE(PingPong(fd.get(), milliseconds(2000)));
  }
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().connections_refused == 3; },
                      milliseconds(5000)));
  EXPECT_EQ(proxy_.Stats().connections_accepted, 1u);

  EXPECT_TRUE(proxy_.Heal().took_effect);
  Fd healed = Echoing();
}

TEST_F(TcpProxyTest, FaultHealsItselfAfterItsDuration) {
  const auto start = Clock::now();
  proxy_.SetFault(Direction::kBoth, {.kind = LinkFaultKind::kPartition,
                                     .duration = milliseconds(200)});
  Fd active;
  while (Clock::now() - start < milliseconds(5000)) {
    active = Connect(proxy_.port());
    if (active.get() >= 0 && PingPong(active.get(), milliseconds(1000))) break;
    active.Close();
  }
  ASSERT_GE(active.get(), 0) << "still partitioned after 5 s";
  EXPECT_GE(Clock::now() - start, milliseconds(200));

  proxy_.SetFault(
      Direction::kClientToServer,
      {.kind = LinkFaultKind::kBlackhole, .duration = milliseconds(100)});
  // Pings are dropped until the duration ends; then they come back again.
  EXPECT_TRUE(WaitFor(
      [&] { return PingPong(active.get(), milliseconds(20)).has_value(); },
      milliseconds(5000)));
  EXPECT_GT(proxy_.Stats().bytes_dropped, 0u);
}

TEST_F(TcpProxyTest, ClientResetEndsTheConnection) {
  Fd fd = Echoing();
  const linger abrupt{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &abrupt, sizeof(abrupt));
  fd.Close();  // RST
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().connections_active == 0; },
                      milliseconds(5000)));
  Fd next = Echoing();  // the proxy goes on
}

TEST_F(TcpProxyTest, UpstreamDownResetsTheClient) {
  TcpProxyOptions options = Options();
  {
    EchoServer gone;
    options.upstream_port = gone.port();
  }  // nothing listens there any more
  TcpProxy proxy(options);
  Fd fd = Connect(proxy.port());
  ASSERT_GE(fd.get(), 0);
  EXPECT_TRUE(SeesResetOrEof(fd.get()));
  EXPECT_TRUE(WaitFor([&] { return proxy.Stats().upstream_failures == 1; },
                      milliseconds(5000)));
}

TEST_F(TcpProxyTest, DestructorClosesConnections) {
  Fd fd;
  {
    TcpProxy proxy(Options());
    fd = Connect(proxy.port());
    ASSERT_TRUE(PingPong(fd.get(), milliseconds(5000)));
  }
  const ReadResult r = ReadFor(fd.get(), 1, milliseconds(5000));
  EXPECT_TRUE(r.eof);
}

TEST_F(TcpProxyTest, RejectsNonsense) {
  EXPECT_THROW(
      proxy_.SetFault(Direction::kBoth, {.kind = LinkFaultKind::kBandwidth}),
      Error);
  EXPECT_THROW(proxy_.SetFault(Direction::kBoth, {.kind = LinkFaultKind::kDelay,
                                                  .delay = milliseconds(-1)}),
               Error);
  TcpProxyOptions options = Options();
  options.listen_ip = "not-an-ip";
  EXPECT_THROW(TcpProxy{options}, Error);
  options = Options();
  options.upstream_host = "no-such-host.invalid";
  EXPECT_THROW(TcpProxy{options}, Error);
}

}  // namespace
}  // namespace chancho
