#include "system/healthcheck/shell_reviver.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/process/v2/posix/default_launcher.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>
#include <cstdio>
#include <cstring>

#include "common/child_setup.h"

namespace chancho::healthcheck {

namespace bp = boost::process::v2;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

constexpr std::size_t kMaxOutput = 500;

bool SafeName(const std::string& name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '.' || c == '_' || c == '-';
         });
}

}  // namespace

struct ShellReviver::Run {
  explicit Run(asio::io_context& io) : pipe(io), timer(io) {}
  HealthChecker::ReviveHandler done;
  asio::readable_pipe pipe;
  asio::steady_timer timer;
  std::optional<bp::process> process;
  std::array<char, 512> chunk{};
  std::string output;
  bool timed_out = false;
  bool cancelled = false;
  bool reaped = false;

  // Until the process is reaped its pid cannot be reused, so this never
  // hits a stranger.
  void Kill() {
    if (!process || reaped) return;
    ::kill(-process->id(), SIGKILL);
    ::kill(process->id(), SIGKILL);
  }
};

ShellReviver::ShellReviver(asio::io_context& io, std::string command_template,
                           std::chrono::milliseconds timeout)
    : io_(io), template_(std::move(command_template)), timeout_(timeout) {}

ShellReviver::~ShellReviver() {
  for (const auto& run : runs_) run->Kill();
}

std::string ShellReviver::Command(const std::string& name) const {
  static constexpr std::string_view kPlaceholder = "{name}";
  std::string command = template_;
  for (std::size_t at = command.find(kPlaceholder); at != std::string::npos;
       at = command.find(kPlaceholder, at + name.size())) {
    command.replace(at, kPlaceholder.size(), name);
  }
  return command;
}

void ShellReviver::Revive(const std::string& name,
                          HealthChecker::ReviveHandler done) {
  auto fail = [this, &done](std::string error) {
    asio::post(io_, [done, error = std::move(error)] { done({false, error}); });
  };
  if (!SafeName(name)) return fail("refusing to pass the name to a shell");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return fail(std::string("pipe: ") + std::strerror(errno));
  }
  auto run = std::make_shared<Run>(io_);
  run->done = std::move(done);
  error_code ec;
  bp::process process = bp::posix::default_launcher()(
      io_.get_executor(), ec, bp::filesystem::path("/bin/sh"),
      std::vector<std::string>{"-c", Command(name)},
      bp::process_stdio{nullptr, fds[1], fds[1]}, common::ChildSetup{::getpid()});
  ::close(fds[1]);
  if (ec) {
    ::close(fds[0]);
    return fail("cannot run /bin/sh: " + ec.message());
  }
  run->process.emplace(std::move(process));
  run->pipe.assign(fds[0]);
  runs_.insert(run);
  run->timer.expires_after(timeout_);
  run->timer.async_wait([run](const error_code& ec) {
    if (ec) return;
    run->timed_out = true;
    run->Kill();
  });
  Read(run);
}

void ShellReviver::Cancel() {
  for (const auto& run : runs_) {
    run->cancelled = true;
    run->Kill();
  }
}

void ShellReviver::Read(const std::shared_ptr<Run>& run) {
  run->pipe.async_read_some(
      asio::buffer(run->chunk),
      [this, run](const error_code& ec, std::size_t size) {
        const std::size_t room =
            kMaxOutput - std::min(kMaxOutput, run->output.size());
        run->output.append(run->chunk.data(), std::min(size, room));
        if (!ec) {
          Read(run);
          return;
        }
        // End of output: the command and everything it started are done
        // writing. Only now is it reaped, so Kill stays safe until then.
        run->process->async_wait([this, run](const error_code&, int) {
          run->reaped = true;
          Finish(run);
        });
      });
}

void ShellReviver::Finish(const std::shared_ptr<Run>& run) {
  run->timer.cancel();
  runs_.erase(run);
  const int status = run->process->native_exit_code();
  ReviveResult result;
  result.success = !run->timed_out && !run->cancelled && WIFEXITED(status) &&
                   WEXITSTATUS(status) == 0;
  if (!result.success) {
    if (run->cancelled) {
      result.error = "cancelled";
    } else if (run->timed_out) {
      result.error = "timed out after " + SecondsText(timeout_) + " s";
    } else if (WIFEXITED(status)) {
      result.error = "exit status " + std::to_string(WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
      result.error = "killed by signal " + std::to_string(WTERMSIG(status));
    } else {
      result.error = "ended abnormally";
    }
    std::string output = run->output;
    while (!output.empty() &&
           std::isspace(static_cast<unsigned char>(output.back()))) {
      output.pop_back();
    }
    if (!output.empty()) result.error += ": " + output;
  }
  run->done(std::move(result));
}

}  // namespace chancho::healthcheck
