#include "harness/runtime/control/control.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.h"
#include "common/subprocess.h"  // OneLine

namespace chancho {
namespace {

constexpr std::size_t kMaxRequest = 4096;

socklen_t AbstractAddress(const std::string& name, sockaddr_un& address) {
  if (name.empty() || name.size() + 1 > sizeof(address.sun_path)) {
    throw Error("control socket name \"" + name + "\" is empty or too long");
  }
  std::memset(&address, 0, sizeof(address));
  address.sun_family = AF_UNIX;
  // A leading NUL puts the name in the abstract namespace.
  std::memcpy(address.sun_path + 1, name.data(), name.size());
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 +
                                name.size());
}

void SetTimeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

bool SendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n =
        ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

ControlServer::ControlServer(std::string name, Handler handler)
    : name_(std::move(name)), handler_(std::move(handler)) {
  sockaddr_un address{};
  const socklen_t length = AbstractAddress(name_, address);
  listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0 ||
      ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listener_, 64) != 0 || ::pipe2(wake_, O_CLOEXEC) != 0) {
    const std::string cause = std::strerror(errno);
    if (listener_ >= 0) ::close(listener_);
    throw Error("control socket @" + name_ + ": " + cause);
  }
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

ControlServer::~ControlServer() {
  const char byte = 'x';
  [[maybe_unused]] ssize_t ignored = ::write(wake_[1], &byte, 1);
  acceptor_.join();
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return in_flight_ == 0; });
  ::close(listener_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void ControlServer::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listener_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    {
      std::lock_guard lock(mu_);
      ++in_flight_;
    }
    std::thread([this, connection] {
      Serve(connection);
      ::close(connection);
      std::lock_guard lock(mu_);
      if (--in_flight_ == 0) idle_.notify_all();
    }).detach();
  }
}

void ControlServer::Serve(int connection) {
  SetTimeouts(connection, std::chrono::seconds(5));
  std::string request;
  char buffer[512];
  while (request.find('\n') == std::string::npos) {
    const ssize_t n = ::recv(connection, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    request.append(buffer, static_cast<std::size_t>(n));
    if (request.size() > kMaxRequest) {
      SendAll(connection, "error: request longer than 4096 bytes\n");
      // Closing with unread input would reset the connection, and the
      // client would lose the answer: read the rest first (bounded).
      ::shutdown(connection, SHUT_WR);
      SetTimeouts(connection, std::chrono::seconds(1));
      for (std::size_t drained = 0; drained < (std::size_t{1} << 20);) {
        const ssize_t n = ::recv(connection, buffer, sizeof(buffer), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        drained += static_cast<std::size_t>(n);
      }
      return;
    }
  }
  if (const auto end = request.find('\n'); end != std::string::npos) {
    request.resize(end);
  }
  // Requests such as a graceful stop may take long; the client waits.
  SetTimeouts(connection, std::chrono::minutes(10));
  std::string response;
  try {
    response = "ok\n" + handler_(request);
  } catch (const std::exception& e) {
    response = std::string("error: ") + e.what() + "\n";
  }
  SendAll(connection, response);
}

std::string ControlRequest(const std::string& name, const std::string& request,
                           std::chrono::milliseconds timeout) {
  sockaddr_un address{};
  const socklen_t length = AbstractAddress(name, address);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error(std::string("socket: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    throw Error("no run is listening on control socket @" + name + " (" +
                std::strerror(errno) + ")");
  }
  SetTimeouts(fd, timeout);
  if (!SendAll(fd, request + "\n")) {
    throw Error("control socket @" + name + ": cannot send request");
  }
  ::shutdown(fd, SHUT_WR);
  std::string response;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      throw Error("control socket @" + name + ": no answer to \"" +
                  OneLine(request, 80) + "\": " + std::strerror(errno));
    }
    if (n == 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
  }
  if (response.rfind("ok\n", 0) == 0) return response.substr(3);
  if (response.rfind("error: ", 0) == 0) {
    std::string message = response.substr(7);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw Error(message);
  }
  throw Error("control socket @" + name + ": malformed answer to \"" +
              OneLine(request, 80) + "\"");
}

std::string ControlName(const std::filesystem::path& run_dir) {
  return "chancho/" + run_dir.filename().string() + "/" +
         std::to_string(::getpid());
}

}  // namespace chancho
