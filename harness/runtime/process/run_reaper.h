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
// Limits: a process that clears its environment, or whose environment is
// over 256 KiB, escapes the sweep; processes of other users are not seen.
//
// The reaper runs async-signal-safe code only (it is forked from a process
// with threads and never calls exec): raw system calls on stack and static
// buffers.

#include <string>

namespace chancho {

class RunReaper {
 public:
  static constexpr char kVariable[] = "CHANCHO_RUN_TOKEN";

  // Forks the reaper for `token` (unique per run: the run id and random
  // bits). Throws chancho::Error when it cannot.
  explicit RunReaper(std::string token);
  // Closes the pipe: the reaper sweeps once more and exits; waits up to 5 s
  // for it.
  ~RunReaper();
  RunReaper(const RunReaper&) = delete;
  RunReaper& operator=(const RunReaper&) = delete;

  const std::string& token() const { return token_; }
  int pid() const { return pid_; }

 private:
  std::string token_;
  std::string needle_;  // "CHANCHO_RUN_TOKEN=<token>", what the sweep looks for
  int write_fd_ = -1;
  int pid_ = -1;
};

}  // namespace chancho
