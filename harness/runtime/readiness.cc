#include "harness/runtime/readiness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <exception>
#include <functional>
#include <thread>

#include "common/error.h"
#include "common/user_regex.h"

namespace chancho {
namespace {

// Closes a socket descriptor on scope exit.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::optional<sockaddr_in> MakeAddress(const std::string& ip, int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, ip.c_str(), &address.sin_addr) != 1) {
    return std::nullopt;
  }
  return address;
}

int PollMs(std::chrono::milliseconds timeout) {
  return static_cast<int>(std::max<std::chrono::milliseconds::rep>(
      0, timeout.count()));
}

}  // namespace

bool InNetworkNamespace(int pid, const std::function<bool()>& work) {
  bool result = false;
  std::exception_ptr failure;
  // A thread of its own: setns moves only the calling thread, and this one
  // is gone when the work is done.
  std::thread worker([&] {
    try {
      const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
        const int error = errno;
        if (fd >= 0) ::close(fd);
        throw Error("cannot enter the network namespace of pid " +
                    std::to_string(pid) + ": " + std::strerror(error));
      }
      ::close(fd);
      result = work();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure) std::rethrow_exception(failure);
  return result;
}

bool TcpAccepts(const std::string& ip, int port,
                std::chrono::milliseconds timeout) {
  const auto address = MakeAddress(ip, port);
  if (!address) return false;
  Fd sock{::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (sock.fd < 0) return false;
  if (::connect(sock.fd, reinterpret_cast<const sockaddr*>(&*address),
                sizeof(*address)) == 0) {
    return true;
  }
  if (errno != EINPROGRESS) return false;
  pollfd waiting{sock.fd, POLLOUT, 0};
  if (::poll(&waiting, 1, PollMs(timeout)) != 1) return false;
  int error = 0;
  socklen_t length = sizeof(error);
  return ::getsockopt(sock.fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 &&
         error == 0;
}

std::optional<int> HttpGetStatus(const std::string& ip, int port,
                                 const std::string& path,
                                 std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto left = [&deadline] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
  };
  const auto address = MakeAddress(ip, port);
  if (!address) return std::nullopt;
  Fd sock{::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (sock.fd < 0) return std::nullopt;
  if (::connect(sock.fd, reinterpret_cast<const sockaddr*>(&*address),
                sizeof(*address)) != 0) {
    if (errno != EINPROGRESS) return std::nullopt;
    pollfd waiting{sock.fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof(error);
    if (::poll(&waiting, 1, PollMs(left())) != 1 ||
        ::getsockopt(sock.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 ||
        error != 0) {
      return std::nullopt;
    }
  }
  const std::string request =
      "GET " + path + " HTTP/1.0\r\nHost: " + ip + "\r\n\r\n";
  if (::send(sock.fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return std::nullopt;
  }
  std::string reply;
  while (reply.find("\r\n") == std::string::npos && reply.size() < 512) {
    pollfd waiting{sock.fd, POLLIN, 0};
    if (left().count() <= 0 || ::poll(&waiting, 1, PollMs(left())) != 1) {
      return std::nullopt;
    }
    char buffer[512];
    const ssize_t got = ::recv(sock.fd, buffer, sizeof buffer, 0);
    if (got <= 0) break;
    reply.append(buffer, static_cast<std::size_t>(got));
  }
  // "HTTP/1.x NNN ..."
  if (reply.rfind("HTTP/1.", 0) != 0 || reply.size() < 12 || reply[8] != ' ') {
    return std::nullopt;
  }
  int status = 0;
  for (int i = 9; i < 12; ++i) {
    if (reply[i] < '0' || reply[i] > '9') return std::nullopt;
    status = status * 10 + (reply[i] - '0');
  }
  return status;
}

bool HeartbeatAnswers(const std::string& ip, int port,
                      std::chrono::milliseconds timeout) {
  static constexpr char kPing[] = {'P', 'I', 'N', 'G', '\0'};
  static constexpr char kPong[] = {'P', 'O', 'N', 'G', '\0'};
  const auto address = MakeAddress(ip, port);
  if (!address) return false;
  Fd sock{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  if (sock.fd < 0) return false;
  // A connected UDP socket only receives from the peer it pinged, and an
  // ICMP port-unreachable shows up as an error instead of a silent wait.
  if (::connect(sock.fd, reinterpret_cast<const sockaddr*>(&*address),
                sizeof(*address)) != 0 ||
      ::send(sock.fd, kPing, sizeof(kPing), 0) != sizeof(kPing)) {
    return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd waiting{sock.fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&waiting, 1, PollMs(left)) != 1) {
      return false;
    }
    std::array<char, 64> reply{};
    const ssize_t got = ::recv(sock.fd, reply.data(), reply.size(), 0);
    if (got < 0) return false;
    if (got == sizeof(kPong) &&
        std::memcmp(reply.data(), kPong, sizeof(kPong)) == 0) {
      return true;
    }
  }
}

LogLineScanner::LogLineScanner(std::filesystem::path path,
                               const std::string& pattern,
                               std::uintmax_t start_offset)
    : path_(std::move(path)), pattern_(CompileUserRegex(pattern)), offset_(start_offset) {}

std::optional<std::string> LogLineScanner::Poll() {
  if (!matched_) {
    ReadNewLines([this](std::string line) {
      if (!SearchLine(line, pattern_)) return true;
      matched_ = std::move(line);
      return false;
    });
  }
  return matched_;
}

int LogLineScanner::Count() {
  ReadNewLines([this](std::string line) {
    if (SearchLine(line, pattern_)) {
      ++count_;
      if (!matched_) matched_ = std::move(line);
    }
    return true;
  });
  return count_;
}

// Hands each complete line appended since the last call to `line`, until it
// returns false; the rest stays for the next call.
void LogLineScanner::ReadNewLines(
    const std::function<bool(std::string)>& line) {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return;
  in.seekg(static_cast<std::streamoff>(offset_));
  std::string chunk(64 * 1024, '\0');
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) ||
         in.gcount() > 0) {
    const auto got = static_cast<std::size_t>(in.gcount());
    offset_ += got;
    partial_.append(chunk.data(), got);
    std::size_t begin = 0;
    for (std::size_t end; (end = partial_.find('\n', begin)) !=
                          std::string::npos;
         begin = end + 1) {
      if (!line(partial_.substr(begin, end - begin))) {
        partial_.erase(0, end + 1);
        return;
      }
    }
    partial_.erase(0, begin);
  }
}

}  // namespace chancho
