#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace chancho::tp0 {

// A child process for tests, with its stdout and stderr captured line by line.
//
// RAII: the destructor kills (SIGKILL) and reaps the child if it still runs,
// so a failed assertion leaves nothing behind; the child also gets SIGKILL if
// the test process dies. Not thread-safe.
class TestProcess {
 public:
  // Starts `path` with the test's environment minus the variables tp0 reads
  // (so the outer environment cannot leak in), plus `env`. Throws
  // std::runtime_error if the process cannot be created.
  TestProcess(const std::string& path,
              const std::map<std::string, std::string>& env);
  ~TestProcess();

  TestProcess(const TestProcess&) = delete;
  TestProcess& operator=(const TestProcess&) = delete;

  // Reads output until a line satisfies `match` (that line is returned) or
  // `timeout` passes or the output ends (nullopt).
  std::optional<std::string> WaitForLine(
      const std::function<bool(const std::string&)>& match,
      std::chrono::milliseconds timeout);

  // Reads the rest of the output and waits for the exit. Returns the exit
  // code (128 + signal if killed by one), or nullopt on timeout.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);

  void Signal(int signal_number);

  // Every line read so far.
  const std::vector<std::string>& lines() const { return lines_; }
  // All lines joined, for failure messages.
  std::string Output() const;

 private:
  // Reads what is available within `timeout`; false once the output ended.
  bool ReadSome(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
  std::string partial_;
  std::vector<std::string> lines_;
  std::size_t next_unmatched_ = 0;
};

}  // namespace chancho::tp0
