#include "harness/runtime/run_reaper.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/error.h"

extern char** environ;

namespace chancho {
namespace {

// The reaper's own code: system calls only, no allocation (the parent had
// threads; after fork() only async-signal-safe calls are allowed).

constexpr int kPipeFd = 3;
constexpr std::size_t kEnvironMax = 256 * 1024;
char environ_buffer[kEnvironMax];  // the reaper's; static, not allocated

struct LinuxDirent64 {
  ino64_t d_ino;
  off64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// Whether `entries` (an environment: NUL-separated) holds the entry
// `needle`.
bool HasEntry(const char* entries, std::size_t size, const char* needle,
              std::size_t needle_size) {
  for (std::size_t at = 0; at + needle_size <= size;) {
    if (std::memcmp(entries + at, needle, needle_size) == 0 &&
        (at + needle_size == size || entries[at + needle_size] == '\0')) {
      return true;
    }
    const void* end = std::memchr(entries + at, '\0', size - at);
    if (end == nullptr) break;
    at = static_cast<std::size_t>(static_cast<const char*>(end) - entries) + 1;
  }
  return false;
}

// Kills every process whose environment holds `needle`; returns how many.
int SweepOnce(const char* needle, std::size_t needle_size) {
  const int proc = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (proc < 0) return 0;
  const pid_t self = ::getpid();
  int killed = 0;
  alignas(LinuxDirent64) char entries[8192];
  for (;;) {
    const long n = ::syscall(SYS_getdents64, proc, entries, sizeof entries);
    if (n <= 0) break;
    for (long at = 0; at < n;) {
      const auto* e = reinterpret_cast<const LinuxDirent64*>(entries + at);
      at += e->d_reclen;
      pid_t pid = 0;
      bool digits = e->d_name[0] != '\0';
      for (const char* c = e->d_name; *c != '\0'; ++c) {
        if (*c < '0' || *c > '9') {
          digits = false;
          break;
        }
        pid = pid * 10 + (*c - '0');
      }
      if (!digits || pid == self) continue;
      char path[64] = "/proc/";
      std::size_t length = 6;
      for (const char* c = e->d_name; *c != '\0' && length < 40; ++c) path[length++] = *c;
      std::memcpy(path + length, "/environ", 9);
      const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      std::size_t size = 0;
      for (long got; size < kEnvironMax &&
                     (got = ::read(fd, environ_buffer + size, kEnvironMax - size)) > 0;) {
        size += static_cast<std::size_t>(got);
      }
      ::close(fd);
      if (HasEntry(environ_buffer, size, needle, needle_size) && ::kill(pid, SIGKILL) == 0) {
        ++killed;
      }
    }
  }
  ::close(proc);
  return killed;
}

[[noreturn]] void ReaperMain(int read_fd, const char* needle, std::size_t needle_size,
                             char* const* on_abandon) {
  ::setsid();  // out of the harness's session and process group
  if (read_fd != kPipeFd) {
    ::dup2(read_fd, kPipeFd);
  }
  // Nothing of the harness's stays open here: a pipe that a caller reads
  // to its end must not wait for the reaper.
  if (::syscall(SYS_close_range, kPipeFd + 1, ~0U, 0) != 0) {
    for (int fd = kPipeFd + 1; fd < 65536; ++fd) ::close(fd);
  }
  const int null = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; ++fd) {
    if (null >= 0 && null != fd) ::dup2(null, fd);
  }
  if (null > 2) ::close(null);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);

  char buffer[64];
  bool disarmed = false;
  for (long n; (n = ::read(kPipeFd, buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno != EINTR) break;
    for (long i = 0; i < n; ++i) disarmed |= buffer[i] == 'd';
  }
  // A killed process may have forked on its way out: sweep until a round
  // finds nothing, 100 rounds at most.
  for (int round = 0;
       needle_size > 0 && round < 100 && SweepOnce(needle, needle_size) > 0; ++round) {
    const timespec pause{0, 10'000'000};
    ::nanosleep(&pause, nullptr);
  }
  if (!disarmed && on_abandon[0] != nullptr) ::execve(on_abandon[0], on_abandon, environ);
  ::_exit(0);
}

}  // namespace

RunReaper::RunReaper(std::string token, std::vector<std::string> on_abandon)
    : token_(std::move(token)),
      needle_(token_.empty() ? "" : std::string(kVariable) + "=" + token_),
      on_abandon_(std::move(on_abandon)) {
  for (std::string& arg : on_abandon_) argv_.push_back(arg.data());
  argv_.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw Error(std::string("run reaper: pipe: ") + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw Error(std::string("run reaper: fork: ") + std::strerror(error));
  }
  if (pid == 0) {
    ::close(fds[1]);
    ReaperMain(fds[0], needle_.c_str(), needle_.size(), argv_.data());
  }
  ::close(fds[0]);
  write_fd_ = fds[1];
  pid_ = pid;
}

void RunReaper::Disarm() {
  const char done = 'd';
  while (::write(write_fd_, &done, 1) < 0 && errno == EINTR) {
  }
}

RunReaper::~RunReaper() {
  ::close(write_fd_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (::waitpid(pid_, nullptr, WNOHANG) == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace chancho
