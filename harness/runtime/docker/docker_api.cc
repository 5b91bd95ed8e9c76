#include "harness/runtime/docker/docker_api.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace chancho {
namespace {

using Clock = std::chrono::steady_clock;

// Closes a descriptor when it goes out of scope.
struct Socket {
  int fd = -1;
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

std::optional<std::size_t> Hex(std::string_view text) {
  std::size_t value = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<EngineReply> ParseHttpResponse(std::string_view response) {
  const auto header_end = response.find("\r\n\r\n");
  if (!response.starts_with("HTTP/1.") || header_end == std::string_view::npos) {
    return std::nullopt;
  }
  const auto space = response.find(' ');
  if (space == std::string_view::npos || space + 4 > response.size()) {
    return std::nullopt;
  }
  EngineReply reply;
  const auto [end, error] = std::from_chars(
      response.data() + space + 1, response.data() + space + 4, reply.status);
  if (error != std::errc()) return std::nullopt;
  std::string headers(response.substr(0, header_end));
  for (char& c : headers) c = static_cast<char>(std::tolower(c));
  std::string_view body = response.substr(header_end + 4);
  if (headers.find("transfer-encoding: chunked") != std::string::npos) {
    for (;;) {
      const auto line_end = body.find("\r\n");
      if (line_end == std::string_view::npos) return std::nullopt;
      const auto size = Hex(body.substr(0, line_end));
      if (!size) return std::nullopt;
      if (*size == 0) break;
      if (line_end + 2 + *size > body.size()) return std::nullopt;
      reply.body.append(body.substr(line_end + 2, *size));
      body.remove_prefix(std::min(body.size(), line_end + 2 + *size + 2));
    }
  } else {
    reply.body = std::string(body);
  }
  return reply;
}

std::string EngineMessage(const EngineReply& reply) {
  const std::string key = "\"message\":\"";
  const auto at = reply.body.find(key);
  if (at == std::string::npos) return reply.body;
  const auto start = at + key.size();
  const auto stop = reply.body.find('"', start);
  return reply.body.substr(start, stop == std::string::npos
                                      ? std::string::npos
                                      : stop - start);
}

std::filesystem::path EngineSocket() {
  const char* host = std::getenv("DOCKER_HOST");
  if (host == nullptr || *host == '\0') return "/var/run/docker.sock";
  const std::string_view scheme = "unix://";
  if (std::string_view(host).starts_with(scheme)) return host + scheme.size();
  return {};
}

std::optional<EngineReply> EngineRequest(const std::filesystem::path& socket,
                                         std::string_view method,
                                         std::string_view target,
                                         std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = socket.string();
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    return std::nullopt;
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  Socket s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0 ||
      ::connect(s.fd, reinterpret_cast<const sockaddr*>(&address),
                sizeof address) != 0) {
    return std::nullopt;
  }
  std::string request = std::string(method) + " " + std::string(target) +
                        " HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\n"
                        "Connection: close\r\n\r\n";
  for (std::size_t sent = 0; sent < request.size();) {
    if (!WaitFor(s.fd, POLLOUT, deadline)) return std::nullopt;
    const ssize_t n = ::send(s.fd, request.data() + sent,
                             request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    sent += static_cast<std::size_t>(n);
  }
  std::string response;
  char buffer[4096];
  for (;;) {
    if (!WaitFor(s.fd, POLLIN, deadline)) return std::nullopt;
    const ssize_t n = ::recv(s.fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
    if (response.size() > (1 << 20)) return std::nullopt;
  }
  return ParseHttpResponse(response);
}

}  // namespace chancho
