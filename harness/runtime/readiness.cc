#include "harness/runtime/readiness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

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
    : path_(std::move(path)), pattern_(pattern), offset_(start_offset) {}

std::optional<std::string> LogLineScanner::Poll() {
  if (matched_) return matched_;
  std::ifstream in(path_, std::ios::binary);
  if (!in) return std::nullopt;
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
      std::string line = partial_.substr(begin, end - begin);
      if (std::regex_search(line, pattern_)) {
        matched_ = std::move(line);
        partial_.clear();
        return matched_;
      }
    }
    partial_.erase(0, begin);
  }
  return std::nullopt;
}

bool CheckReadiness(const ReplicaPlan& plan, const std::string& address,
                    const std::filesystem::path& log_path,
                    std::uintmax_t log_offset,
                    std::chrono::milliseconds timeout) {
  const Readiness& readiness = plan.readiness;
  switch (readiness.kind) {
    case Readiness::Kind::kNone:
      return true;
    case Readiness::Kind::kTcp:
      return !address.empty() && TcpAccepts(address, readiness.port, timeout);
    case Readiness::Kind::kHeartbeat:
      return !address.empty() &&
             HeartbeatAnswers(address, plan.heartbeat_port, timeout);
    case Readiness::Kind::kLogLine:
      try {
        return LogLineScanner(log_path, readiness.pattern, log_offset)
            .Poll()
            .has_value();
      } catch (const std::exception&) {
        return false;
      }
  }
  return false;
}

}  // namespace chancho
