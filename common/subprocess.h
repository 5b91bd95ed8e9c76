#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The runner of short commands (docker, docker compose, sh) and of
// background followers for the harness: each child runs in its own process
// group, with the signal state of a fresh process and no descriptor of the
// parent's but stdio (common/child_setup.h), and dies with the thread that
// ran it unless it is a BackgroundCommand.

namespace chancho {

// What a finished (or timed out) command left behind.
struct CommandResult {
  int exit_code = -1;  // -1 when a signal ended it or it timed out
  bool timed_out = false;
  std::string out;  // stdout (and stderr, when merged)
  std::string err;  // stderr, unless merged
};

struct CommandOptions {
  std::chrono::milliseconds timeout{60000};
  // stderr goes to `out` too, in the order the command wrote it.
  bool merge_stderr = false;
};

// Runs argv (argv[0] looked up in PATH) with stdin from /dev/null and
// collects its output. The command runs in its own process group, which is
// killed with SIGKILL when the timeout passes (then `timed_out` is set) or
// when the calling thread ends. A non-zero exit is not an error here.
// Throws chancho::Error when the command cannot be started.
// Thread-safe; it blocks only the calling thread.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const CommandOptions& options);

// RunCommand with stderr merged into stdout, which goes to `output` when
// given: the exit code, or nullopt when the command timed out.
std::optional<int> RunForExitCode(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout,
                                  std::string* output);

// RunCommand that insists on success: a timeout or a non-zero exit throws
// chancho::Error "<command line>: <cause>: <stderr on one line>".
// Returns stdout.
std::string RunChecked(const std::vector<std::string>& argv,
                       const CommandOptions& options);

// The error RunChecked throws for `result` (exposed for callers that
// inspect the result first).
std::string DescribeFailure(const std::vector<std::string>& argv,
                            const CommandResult& result,
                            const CommandOptions& options);

// The path of `program` (looked up in PATH unless it has a "/"), when it
// exists and is executable.
std::optional<std::string> FindProgram(const std::string& program);

// argv as one shell-like line, quoting arguments that need it.
std::string CommandLine(const std::vector<std::string>& argv);

// `text` trimmed, its line breaks turned into "; " and cut to `max` bytes.
std::string OneLine(std::string_view text, std::size_t max = 400);

// A command running in the background with stdout and stderr appended to
// a file (e.g. `docker logs -f`). The destructor kills its process group
// with SIGKILL if it still runs, and reaps it. Not thread-safe: the owner
// serialises calls.
class BackgroundCommand {
 public:
  // Throws chancho::Error when the file cannot be opened or the command
  // cannot be started. With `own_session`, the command leads a session of
  // its own (setsid): no terminal's signals reach it, and after Release()
  // it outlives this process.
  BackgroundCommand(const std::vector<std::string>& argv,
                    const std::filesystem::path& output,
                    bool own_session = false);
  ~BackgroundCommand();
  BackgroundCommand(const BackgroundCommand&) = delete;
  BackgroundCommand& operator=(const BackgroundCommand&) = delete;

  bool Running();
  // True once it ended on its own, within `timeout`.
  bool Wait(std::chrono::milliseconds timeout);
  void Kill();
  // Gives the command up: the destructor leaves it running and unreaped.
  // Returns its pid.
  int Release();
  int pid() const { return pid_; }
  // The exit code once it ended on its own; -1 while it runs, when a
  // signal ended it, or when it was killed or released.
  int ExitCode() const { return exit_code_; }

 private:
  int pid_ = 0;
  bool reaped_ = false;
  int exit_code_ = -1;
};

// A command running in the background whose stdout is read line by line
// on a thread of its own (e.g. `docker events`): `on_line` gets each line
// without its newline, and `on_end` is called once stdout reached its end
// (the command ended or closed it). stderr is kept for the error message.
// The destructor kills the command's process group, joins the reader and
// reaps the command; the callbacks are never called after it returned.
class LineStream {
 public:
  // Throws chancho::Error when the command cannot be started.
  LineStream(const std::vector<std::string>& argv,
             std::function<void(const std::string& line)> on_line,
             std::function<void()> on_end);
  ~LineStream();
  LineStream(const LineStream&) = delete;
  LineStream& operator=(const LineStream&) = delete;

  // False once stdout reached its end.
  bool Running() const { return !ended_; }
  // What the command wrote to stderr so far, on one line.
  std::string Errors() const;

 private:
  void Read(int fd, std::function<void(const std::string&)> on_line,
            std::function<void()> on_end);

  int pid_ = 0;
  int err_fd_ = -1;
  std::atomic<bool> ended_ = false;
  std::thread reader_;
};

}  // namespace chancho
