#include "system/tp0/test_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>

extern char** environ;

namespace chancho::tp0 {
namespace {

using Clock = std::chrono::steady_clock;

// Variables that would change what the binaries under test do.
bool IsTp0Variable(std::string_view entry) {
  for (std::string_view prefix :
       {"CONFIG_FILE=", "SERVER_", "LOGGING_LEVEL=", "HEARTBEAT_PORT=", "CLI_",
        "CHANCHO_BIND_IP=", "CHANCHO_HOSTS_FILE="}) {
    if (entry.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

TestProcess::TestProcess(const std::string& path,
                         const std::map<std::string, std::string>& env) {
  // Everything the child needs is built before fork: between fork and exec
  // only async-signal-safe calls are allowed, and gtest may run threads.
  std::vector<std::string> env_strings;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!IsTp0Variable(*entry)) env_strings.emplace_back(*entry);
  }
  for (const auto& [name, value] : env)
    env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string program = path;
  char* argv[] = {program.data(), nullptr};

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::execve(program.c_str(), argv, envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  out_fd_ = fds[0];
}

TestProcess::~TestProcess() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (out_fd_ >= 0) ::close(out_fd_);
}

bool TestProcess::ReadSome(std::chrono::milliseconds timeout) {
  if (out_fd_ < 0) return false;
  pollfd fd{out_fd_, POLLIN, 0};
  const int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready <= 0) return true;
  char buffer[4096];
  const ssize_t size = ::read(out_fd_, buffer, sizeof(buffer));
  if (size < 0 && errno == EINTR) return true;
  if (size <= 0) {
    if (!partial_.empty()) lines_.push_back(std::exchange(partial_, ""));
    ::close(out_fd_);
    out_fd_ = -1;
    return false;
  }
  partial_.append(buffer, static_cast<std::size_t>(size));
  std::size_t newline;
  while ((newline = partial_.find('\n')) != std::string::npos) {
    lines_.push_back(partial_.substr(0, newline));
    partial_.erase(0, newline + 1);
  }
  return true;
}

std::optional<std::string> TestProcess::WaitForLine(
    const std::function<bool(const std::string&)>& match,
    std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    for (; next_unmatched_ < lines_.size(); ++next_unmatched_) {
      if (match(lines_[next_unmatched_])) return lines_[next_unmatched_++];
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (!ReadSome(left) && next_unmatched_ == lines_.size()) {
      return std::nullopt;
    }
  }
}

std::optional<int> TestProcess::WaitForExit(std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (!reaped_) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      reaped_ = true;
      exit_code_ = DecodeStatus(status);
      break;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    // The output ends when the child exits, so reading doubles as waiting;
    // once it has ended, short naps bound the time to notice the exit.
    if (!ReadSome(std::min(left, std::chrono::milliseconds(50)))) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  while (ReadSome(std::chrono::milliseconds(0)) && out_fd_ >= 0) {
    pollfd fd{out_fd_, POLLIN, 0};
    if (::poll(&fd, 1, 0) <= 0) break;
  }
  return exit_code_;
}

void TestProcess::Signal(int signal_number) {
  if (!reaped_ && pid_ > 0) ::kill(pid_, signal_number);
}

std::string TestProcess::Output() const {
  std::string text;
  for (const std::string& line : lines_) text += line + "\n";
  if (!partial_.empty()) text += partial_;
  return text;
}

}  // namespace chancho::tp0
