#include "harness/probes/echo_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace chancho {
namespace {

using Clock = std::chrono::steady_clock;

int MillisLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits for `events` on fd until the deadline; false on timeout.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, MillisLeft(deadline));
    if (n < 0 && errno == EINTR) continue;
    return n == 1;
  }
}

std::string Printable(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

ProbeResult Fail(std::string reason) { return {false, std::move(reason)}; }

}  // namespace

std::string ProbeResult::LogLine(const std::string& action) const {
  return "action: " + action + " | result: " +
         (success ? std::string("success") : "fail | reason: " + reason);
}

ProbeResult EchoProbe(const std::string& ip, int port,
                      const std::string& message,
                      std::chrono::milliseconds timeout) {
  if (message.find('\n') != std::string::npos) {
    return Fail("the message must not contain a newline");
  }
  const auto deadline = Clock::now() + timeout;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (port <= 0 || port > 65535 ||
      ::inet_pton(AF_INET, ip.c_str(), &address.sin_addr) != 1) {
    return Fail("invalid target " + ip + ":" + std::to_string(port));
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Fail(std::string("socket: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const std::string target = ip + ":" + std::to_string(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    if (errno != EINPROGRESS) {
      return Fail("cannot connect to " + target + ": " + std::strerror(errno));
    }
    if (!WaitFor(fd, POLLOUT, deadline)) {
      return Fail("connect to " + target + " timed out");
    }
    int error = 0;
    socklen_t length = sizeof(error);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      return Fail("cannot connect to " + target + ": " + std::strerror(error));
    }
  }
  const std::string sent = message + "\n";
  for (std::size_t done = 0; done < sent.size();) {
    if (!WaitFor(fd, POLLOUT, deadline)) return Fail("send timed out");
    const ssize_t n =
        ::send(fd, sent.data() + done, sent.size() - done, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return Fail(std::string("send: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  // Read until the newline or EOF, and never more than what was sent plus
  // a little, so that an endless talker cannot keep the probe busy.
  std::string received;
  const std::size_t limit = sent.size() + 1024;
  while (received.find('\n') == std::string::npos && received.size() < limit) {
    if (!WaitFor(fd, POLLIN, deadline)) {
      return Fail("no answer within " + std::to_string(timeout.count()) +
                  " ms (got \"" + Printable(received) + "\")");
    }
    char buffer[1024];
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return Fail(std::string("recv: ") + std::strerror(errno));
    if (n == 0) break;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  if (received == sent || received == message) return {true, ""};
  return Fail("expected \"" + Printable(sent) + "\", got \"" +
              Printable(received) + "\"");
}

std::optional<std::string> ResolveIpv4(
    const std::string& host,
    const std::optional<std::filesystem::path>& hosts_file) {
  in_addr parsed{};
  if (::inet_pton(AF_INET, host.c_str(), &parsed) == 1) return host;
  if (hosts_file) {
    std::ifstream in(*hosts_file);
    for (std::string line; std::getline(in, line);) {
      line = line.substr(0, line.find('#'));
      std::istringstream words(line);
      std::string ip;
      words >> ip;
      for (std::string name; words >> name;) {
        if (name == host) return ip;
      }
    }
  }
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || !found) {
    return std::nullopt;
  }
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET,
              &reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr, text,
              sizeof(text));
  ::freeaddrinfo(found);
  return std::string(text);
}

}  // namespace chancho
