#pragma once

// The last word on a run's processes, also after a SIGKILL of the harness.
// PR_SET_PDEATHSIG reaches a replica, but not what the replica forked: a
// daemon that forks twice and calls setsid() leaves the replica's process
// group and would outlive the run.
//
// RunReaper forks a small process in a session of its own that holds the
// read end of a pipe whose write end only the harness holds (close-on-exec,
// so no replica inherits it). When the pipe reaches EOF, because the
// harness ended the run or died, the reaper kills every process whose
// environment carries the run's token (CHANCHO_RUN_TOKEN=<token>, which
// every replica gets and its descendants inherit), until none is left,
// and exits.
//
// A run can also name a command for the reaper to run when the harness
// goes without saying the run ended cleanly (Disarm): the Docker runtime's
// removal of the run's containers and networks by label, as Testcontainers'
// Ryuk does.
//
// Limits: a process that clears its environment, or whose environment is
// over 256 KiB, escapes the sweep; processes of other users are not seen.
//
// The reaper runs async-signal-safe code only (it is forked from a process
// with threads and never calls exec): raw system calls on stack and static
// buffers.

#include <string>
#include <vector>

namespace chancho {

class RunReaper {
 public:
  static constexpr char kVariable[] = "CHANCHO_RUN_TOKEN";

  // Forks the reaper for `token` (unique per run: the run id and random
  // bits; empty: no process sweep). `on_abandon` (argv, argv[0] an
  // absolute path; empty: none) is executed by the reaper when the pipe
  // ends without Disarm(). Throws chancho::Error when it cannot fork.
  explicit RunReaper(std::string token, std::vector<std::string> on_abandon = {});
  // Closes the pipe: the reaper sweeps once more and exits; waits up to 5 s
  // for it.
  ~RunReaper();
  RunReaper(const RunReaper&) = delete;
  RunReaper& operator=(const RunReaper&) = delete;

  // The run ended cleanly: `on_abandon` will not run (the process sweep
  // still does).
  void Disarm();

  const std::string& token() const { return token_; }
  int pid() const { return pid_; }

 private:
  std::string token_;
  std::string needle_;  // "CHANCHO_RUN_TOKEN=<token>", what the sweep looks for
  std::vector<std::string> on_abandon_;
  std::vector<char*> argv_;  // on_abandon_ for execve, made before fork
  int write_fd_ = -1;
  int pid_ = -1;
};

}  // namespace chancho
