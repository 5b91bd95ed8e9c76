#include "common/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <thread>

#include "common/child_setup.h"
#include "common/error.h"

extern char** environ;

namespace chancho {
namespace {

using Clock = std::chrono::steady_clock;

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::string FindInPath(const std::string& program) {
  if (auto found = FindProgram(program)) return *found;
  throw Error(program + ": not found in PATH");
}

// fork + exec with the child's stdio on the given descriptors. Between fork
// and exec the child only makes async-signal-safe calls: the parent has
// other threads.
int Spawn(const std::vector<std::string>& argv, int in, int out, int err,
          bool die_with_thread, bool own_session = false) {
  if (argv.empty()) throw Error("empty command");
  const std::string program = FindInPath(argv[0]);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw Error(CommandLine(argv) + ": fork: " + std::strerror(errno));
  }
  if (pid == 0) {
    // A session leader is its own group's leader too, so setsid comes first.
    if (own_session) ::setsid();
    common::SetUpChild(parent, die_with_thread);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execve(program.c_str(), args.data(), environ);
    ::_exit(127);
  }
  return pid;
}

void KillGroup(int pid) {
  if (::kill(-pid, SIGKILL) != 0) ::kill(pid, SIGKILL);
}

std::optional<int> TryReap(int pid, bool block) {
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, block ? 0 : WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (done == 0) return std::nullopt;
    if (errno != EINTR) return -1;  // not our child any more
  }
}

}  // namespace

std::optional<std::string> FindProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    if (::access(program.c_str(), X_OK) == 0) return program;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const CommandOptions& options) {
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw Error(CommandLine(argv) + ": pipe: " + std::strerror(errno));
  }
  Fd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw Error(CommandLine(argv) + ": pipe: " + std::strerror(errno));
  }
  Fd err_read(err_pipe[0]), err_write(err_pipe[1]);
  Fd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int pid =
      Spawn(argv, null.get(), out_write.get(),
            options.merge_stderr ? out_write.get() : err_write.get(), true);
  out_write.Reset();
  err_write.Reset();

  CommandResult result;
  const auto deadline = Clock::now() + options.timeout;
  std::array<pollfd, 2> fds{pollfd{out_read.get(), POLLIN, 0},
                            pollfd{err_read.get(), POLLIN, 0}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open_fds = 2;
  char buffer[16384];
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    const int ready =
        ::poll(fds.data(), fds.size(),
               static_cast<int>(std::min<long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_fds;
      }
    }
  }
  // Output closed; the command may still be on its way out.
  while (!result.timed_out) {
    if (auto code = TryReap(pid, false)) {
      result.exit_code = *code;
      return result;
    }
    if (Clock::now() >= deadline) {
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  KillGroup(pid);
  TryReap(pid, true);
  result.exit_code = -1;
  return result;
}

std::optional<int> RunForExitCode(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout,
                                  std::string* output) {
  const CommandResult result = RunCommand(argv, {timeout, true});
  if (output) *output = result.out;
  if (result.timed_out) return std::nullopt;
  return result.exit_code;
}

std::string DescribeFailure(const std::vector<std::string>& argv,
                            const CommandResult& result,
                            const CommandOptions& options) {
  std::string message = CommandLine(argv) + ": ";
  if (result.timed_out) {
    message +=
        "timed out after " + std::to_string(options.timeout.count()) + " ms";
  } else if (result.exit_code < 0) {
    message += "killed by a signal";
  } else {
    message += "exit code " + std::to_string(result.exit_code);
  }
  const std::string detail =
      OneLine(options.merge_stderr ? result.out : result.err);
  if (!detail.empty()) message += ": " + detail;
  return message;
}

std::string RunChecked(const std::vector<std::string>& argv,
                       const CommandOptions& options) {
  CommandResult result = RunCommand(argv, options);
  if (result.timed_out || result.exit_code != 0) {
    throw Error(DescribeFailure(argv, result, options));
  }
  return std::move(result.out);
}

std::string CommandLine(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) line += ' ';
    const bool plain =
        !arg.empty() && arg.find_first_not_of(
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
                            "WXYZ0123456789-_./:=,@%+") == std::string::npos;
    if (plain) {
      line += arg;
      continue;
    }
    line += '\'';
    for (char c : arg) {
      if (c == '\'') {
        line += "'\\''";
      } else {
        line += c;
      }
    }
    line += '\'';
  }
  return line;
}

std::string OneLine(std::string_view text, std::size_t max) {
  std::string out;
  bool pending_break = false;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      pending_break = !out.empty();
      continue;
    }
    if (pending_break) {
      out += "; ";
      pending_break = false;
    }
    out += (static_cast<unsigned char>(c) < 0x20 && c != '\t') ? ' ' : c;
  }
  const auto end = out.find_last_not_of(" \t");
  out.erase(end == std::string::npos ? 0 : end + 1);
  const auto begin = out.find_first_not_of(" \t");
  out.erase(0, begin == std::string::npos ? out.size() : begin);
  if (out.size() > max) out = out.substr(0, max) + "...";
  return out;
}

BackgroundCommand::BackgroundCommand(const std::vector<std::string>& argv,
                                     const std::filesystem::path& output,
                                     bool own_session) {
  Fd out(
      ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (out.get() < 0) {
    throw Error(output.string() + ": cannot open: " + std::strerror(errno));
  }
  Fd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  // Not tied to the spawning thread, which may be any caller's: it ends
  // when what it follows (a container) ends.
  pid_ = Spawn(argv, null.get(), out.get(), out.get(), false, own_session);
}

BackgroundCommand::~BackgroundCommand() { Kill(); }

bool BackgroundCommand::Running() {
  if (reaped_) return false;
  if (auto code = TryReap(pid_, false)) {
    reaped_ = true;
    exit_code_ = *code;
  }
  return !reaped_;
}

bool BackgroundCommand::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Running()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

int BackgroundCommand::Release() {
  reaped_ = true;
  return pid_;
}

void BackgroundCommand::Kill() {
  if (reaped_) return;
  KillGroup(pid_);
  TryReap(pid_, true);
  reaped_ = true;
}

LineStream::LineStream(const std::vector<std::string>& argv,
                       std::function<void(const std::string&)> on_line,
                       std::function<void()> on_end) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    throw Error(CommandLine(argv) + ": pipe: " + std::strerror(errno));
  }
  Fd read_end(out[0]);
  Fd write_end(out[1]);
  // stderr goes to an unlinked temporary file: never a pipe that nobody
  // drains.
  char name[] = "/tmp/chancho-stderr-XXXXXX";
  Fd err(::mkostemp(name, O_CLOEXEC));
  if (err.get() < 0) {
    throw Error(CommandLine(argv) + ": temporary file: " +
                std::strerror(errno));
  }
  ::unlink(name);
  Fd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  pid_ = Spawn(argv, null.get(), write_end.get(), err.get(), false);
  write_end.Reset();
  err_fd_ = ::dup(err.get());
  reader_ = std::thread([this, fd = ::dup(read_end.get()),
                         on_line = std::move(on_line),
                         on_end = std::move(on_end)]() mutable {
    Read(fd, std::move(on_line), std::move(on_end));
  });
}

LineStream::~LineStream() {
  KillGroup(pid_);
  if (reader_.joinable()) reader_.join();
  TryReap(pid_, true);
  if (err_fd_ >= 0) ::close(err_fd_);
}

void LineStream::Read(int fd, std::function<void(const std::string&)> on_line,
                      std::function<void()> on_end) {
  std::string pending;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos;
         start = nl + 1) {
      on_line(pending.substr(start, nl - start));
    }
    pending.erase(0, start);
  }
  ::close(fd);
  ended_ = true;
  on_end();
}

std::string LineStream::Errors() const {
  std::string text;
  char buffer[4096];
  for (off_t offset = 0;;) {
    const ssize_t n = ::pread(err_fd_, buffer, sizeof buffer, offset);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    offset += n;
    if (text.size() > 16384) break;
  }
  return OneLine(text);
}

}  // namespace chancho
