// The TCP fault proxy with no fault, beside a direct loopback connection and
// beside socat, in one invocation: throughput of one stream (client to
// server) and the round-trip latency of 1-byte ping-pongs.
//
//   proxy_bench [--bytes N] [--pings N] [--rounds N]
//
// One server in this process takes every connection on its own thread. The
// connection's first byte picks what it does: 'S' reads until EOF and then
// answers one byte (a stream), 'E' echoes every byte (ping-pong). The three
// paths are measured in turns, `rounds` times; throughput is the best and
// the median of the rounds, latency the percentiles over every round's
// pings. socat is started as `socat TCP-LISTEN:P,fork,reuseaddr
// TCP:127.0.0.1:SERVER` and its row is skipped, with a message, when it is
// not installed. A fourth row, a bare blocking splice(2) loop, shows the
// ceiling of any user-space forwarder here (see SpliceOneWay).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness/proxy/tcp_proxy.h"

extern char** environ;

namespace chancho {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kIoSize = 256 * 1024;

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};
// Page-aligned, as the kernel copies into such buffers fastest.
std::unique_ptr<char, FreeDeleter> Buffer(std::size_t size) {
  return std::unique_ptr<char, FreeDeleter>(
      static_cast<char*>(std::aligned_alloc(4096, size)));
}

sockaddr_in Loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

void SetTimeouts(int fd) {
  const timeval timeout{60, 0};  // every blocking call is bounded
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int Connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in address = Loopback(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address),
                sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  SetTimeouts(fd);
  return fd;
}

bool SendAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

std::uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = Loopback(0);
  socklen_t length = sizeof(address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// Listens on 127.0.0.1 (an ephemeral port) and runs `serve(fd)` on a
// thread of its own for every connection, then closes fd. The destructor
// stops accepting and joins every thread.
class Listener {
 public:
  explicit Listener(std::function<void(int)> serve)
      : serve_(std::move(serve)), listener_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address = Loopback(0);
    socklen_t length = sizeof(address);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address),
               sizeof(address)) != 0 ||
        ::listen(listener_, 64) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address),
                      &length) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] {
      for (;;) {
        const int fd = ::accept(listener_, nullptr, nullptr);
        if (fd < 0) return;  // shut down
        SetTimeouts(fd);
        threads_.emplace_back([this, fd] {
          serve_(fd);
          ::close(fd);
        });
      }
    });
  }
  ~Listener() {
    ::shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    for (std::thread& t : threads_) t.join();
    ::close(listener_);
  }
  std::uint16_t port() const { return port_; }

 private:
  std::function<void(int)> serve_;
  int listener_;
  std::uint16_t port_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> threads_;  // the acceptor's alone until joined
};

// The sink/echo server described at the top.
void Serve(int fd) {
  char mode = 0;
  if (::recv(fd, &mode, 1, 0) != 1) return;
  auto buffer = Buffer(kIoSize);
  for (;;) {
    const ssize_t n = ::recv(fd, buffer.get(), kIoSize, 0);
    if (n <= 0) break;
    if (mode == 'E' && !SendAll(fd, buffer.get(), n)) return;
  }
  if (mode == 'S') SendAll(fd, "k", 1);
}

// socat forwarding to the server, in its own process group; stopped with
// SIGTERM to the group (then SIGKILL after 2 s).
class Socat {
 public:
  static std::optional<Socat> Start(std::uint16_t upstream) {
    const std::uint16_t port = FreePort();
    const std::string listen =
        "TCP-LISTEN:" + std::to_string(port) + ",fork,reuseaddr,bind=127.0.0.1";
    const std::string connect = "TCP:127.0.0.1:" + std::to_string(upstream);
    std::vector<char*> argv = {const_cast<char*>("socat"),
                               const_cast<char*>(listen.c_str()),
                               const_cast<char*>(connect.c_str()), nullptr};
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    pid_t pid = 0;
    const int error =
        posix_spawnp(&pid, "socat", nullptr, &attributes, argv.data(), environ);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) return std::nullopt;
    Socat socat(pid, port);
    // Ready once it accepts a connection (the server sees an empty one).
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (Clock::now() < deadline) {
      const int fd = Connect(port);
      if (fd >= 0) {
        ::close(fd);
        return socat;
      }
      if (::waitpid(pid, nullptr, WNOHANG) == pid) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::nullopt;
  }
  Socat(Socat&& other) noexcept
      : pid_(std::exchange(other.pid_, 0)), port_(other.port_) {}
  ~Socat() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGTERM);
    for (int i = 0; i < 200 && ::waitpid(pid_, nullptr, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (::kill(pid_, 0) == 0) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  std::uint16_t port() const { return port_; }

 private:
  Socat(pid_t pid, std::uint16_t port) : pid_(pid), port_(port) {}
  pid_t pid_;
  std::uint16_t port_;
};

// The least a user-space forwarder can do: per connection, one thread per
// direction in a blocking splice(2) loop through a kernel pipe, with no
// event loop, no faults and no bookkeeping. Its row is the ceiling for any
// proxy on this machine, not a competitor.
void SpliceOneWay(int from, int to) {
  int pipe[2];
  if (::pipe(pipe) != 0) return;
  ::fcntl(pipe[1], F_SETPIPE_SZ, 256 * 1024);
  for (bool ok = true; ok;) {
    ssize_t n =
        ::splice(from, nullptr, pipe[1], nullptr, 256 * 1024, SPLICE_F_MOVE);
    ok = n > 0;
    while (ok && n > 0) {
      const ssize_t m =
          ::splice(pipe[0], nullptr, to, nullptr, n, SPLICE_F_MOVE);
      ok = m > 0;
      n -= m;
    }
  }
  ::shutdown(to, SHUT_WR);
  ::close(pipe[0]);
  ::close(pipe[1]);
}

void SpliceLoop(int client, std::uint16_t upstream) {
  const int server = Connect(upstream);
  if (server < 0) return;
  std::thread back([&] { SpliceOneWay(server, client); });
  SpliceOneWay(client, server);
  back.join();
  ::close(server);
}

// CPU seconds (user + system) of this process, every thread.
double CpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string LoadAverage() {
  char text[64] = "?";
  if (FILE* file = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(file, "%63[^ ]", text) != 1) text[0] = '?';
    std::fclose(file);
  }
  return text;
}

// Seconds to stream `bytes` and get the server's answer, or a negative
// value on failure.
double Stream(std::uint16_t port, std::size_t bytes) {
  const int fd = Connect(port);
  if (fd < 0) return -1;
  auto buffer = Buffer(kIoSize);
  std::fill_n(buffer.get(), kIoSize, 'x');
  buffer.get()[0] = 'S';
  const auto start = Clock::now();
  bool ok = true;
  for (std::size_t sent = 0; ok && sent < bytes; sent += kIoSize) {
    ok = SendAll(fd, buffer.get(), std::min(kIoSize, bytes - sent));
  }
  ::shutdown(fd, SHUT_WR);
  char answer = 0;
  ok = ok && ::recv(fd, &answer, 1, 0) == 1;
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  ::close(fd);
  return ok ? seconds : -1;
}

// Appends the round-trip times, in microseconds, of `pings` ping-pongs
// (after 1000 not counted). False on failure.
bool PingPong(std::uint16_t port, int pings, std::vector<double>& rtts) {
  const int fd = Connect(port);
  if (fd < 0 || !SendAll(fd, "E", 1)) return false;
  char byte = 'p';
  for (int i = -1000; i < pings; ++i) {
    const auto start = Clock::now();
    if (!SendAll(fd, &byte, 1) || ::recv(fd, &byte, 1, 0) != 1) {
      ::close(fd);
      return false;
    }
    if (i >= 0) {
      rtts.push_back(
          std::chrono::duration<double, std::micro>(Clock::now() - start)
              .count());
    }
  }
  ::close(fd);
  return true;
}

struct Row {
  Row(std::string name, std::uint16_t port)
      : name(std::move(name)), port(port) {}
  std::string name;
  std::uint16_t port;
  std::vector<double> mbps;  // one per round
  double cpu = 0;            // CPU seconds of this process, every stream
  std::vector<double> rtts;  // µs, every round
  bool failed = false;
  double Best() const { return *std::max_element(mbps.begin(), mbps.end()); }
  double Median() {
    std::sort(mbps.begin(), mbps.end());
    return mbps[mbps.size() / 2];
  }
  double Percentile(double p) {
    std::sort(rtts.begin(), rtts.end());
    return rtts[std::min(rtts.size() - 1,
                         static_cast<std::size_t>(p * rtts.size()))];
  }
};

int Main(int argc, char** argv) {
  CLI::App app{"TCP fault proxy against a direct connection and socat"};
  std::size_t bytes = std::size_t{1} << 30;
  int pings = 20000;
  int rounds = 3;
  app.add_option("--bytes", bytes, "bytes streamed per throughput run");
  app.add_option("--pings", pings, "1-byte ping-pongs per latency run");
  app.add_option("--rounds", rounds, "runs of each path, in turns")
      ->check(CLI::PositiveNumber);
  std::string only;
  app.add_option("--only", only,
                 "measure direct and this path alone (to profile it)");
  CLI11_PARSE(app, argc, argv);
  // A forwarder's splice into a socket whose peer left raises SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);

  Listener server(Serve);
  TcpProxyOptions options;
  options.upstream_host = "127.0.0.1";
  options.upstream_port = server.port();
  TcpProxy proxy(options);
  std::optional<Socat> socat = Socat::Start(server.port());

  const std::uint16_t upstream = server.port();
  Listener splice_loop([upstream](int fd) { SpliceLoop(fd, upstream); });
  std::vector<Row> rows = {{"direct", server.port()},
                           {"TcpProxy", proxy.port()},
                           {"splice loop", splice_loop.port()}};
  if (socat) {
    rows.emplace_back("socat", socat->port());
  } else {
    std::printf(
        "socat: not installed (or did not start); its row is skipped. "
        "ci/install-deps.sh installs it.\n");
  }
  if (!only.empty()) {
    std::erase_if(rows, [&](const Row& row) {
      return row.name != "direct" && row.name != only;
    });
  }
  std::printf(
      "%zu bytes per stream, %d ping-pongs per run, %d rounds; "
      "load average %s\n",
      bytes, pings, rounds, LoadAverage().c_str());
  for (int round = 0; round < rounds; ++round) {
    for (Row& row : rows) {
      const double cpu = CpuSeconds();
      const double seconds = Stream(row.port, bytes);
      row.cpu += CpuSeconds() - cpu;
      if (seconds <= 0 || !PingPong(row.port, pings, row.rtts)) {
        row.failed = true;
        continue;
      }
      row.mbps.push_back(static_cast<double>(bytes) / seconds / 1e6);
    }
  }
  // CPU is this process's: socat's own processes are not in it.
  std::printf(
      "\n| path | MB/s best | MB/s median | vs direct (best, median) | "
      "CPU s/GiB in-process | RTT p50 µs | RTT p99 µs | p50 added µs |\n"
      "|---|---|---|---|---|---|---|---|\n");
  if (rows[0].failed) return 1;
  const double direct_best = rows[0].Best();
  const double direct_median = rows[0].Median();
  const double direct_p50 = rows[0].Percentile(0.5);
  for (Row& row : rows) {
    if (row.failed || row.mbps.empty()) {
      std::printf("| %s | failed | | | | | | |\n", row.name.c_str());
      continue;
    }
    const double p50 = row.Percentile(0.5);
    const double gib = static_cast<double>(bytes) * row.mbps.size() /
                       static_cast<double>(1 << 30);
    std::printf(
        "| %s | %.0f | %.0f | %.2fx, %.2fx | %.2f | %.1f | %.1f | %+.1f |\n",
        row.name.c_str(), row.Best(), row.Median(), row.Best() / direct_best,
        row.Median() / direct_median, row.cpu / gib, p50, row.Percentile(0.99),
        p50 - direct_p50);
  }
  std::printf("load average at the end %s\n", LoadAverage().c_str());
  const TcpProxyStats stats = proxy.Stats();
  std::printf("\nproxy forwarded %llu bytes on %llu connections\n",
              static_cast<unsigned long long>(stats.bytes_client_to_server),
              static_cast<unsigned long long>(stats.connections_accepted));
  if (rows.size() < 2 || rows[1].failed || rows[1].name != "TcpProxy") {
    return rows.size() < 2 ? 1 : 0;
  }
  const bool throughput_met = rows[1].Best() >= 0.8 * direct_best;
  const bool latency_met = rows[1].Percentile(0.5) - direct_p50 <= 100;
  std::printf("goal: >= 0.8x direct throughput: %s; <= 100 µs added p50: %s\n",
              throughput_met ? "met" : "missed",
              latency_met ? "met" : "missed");
  return 0;
}

}  // namespace
}  // namespace chancho

int main(int argc, char** argv) { return chancho::Main(argc, argv); }
