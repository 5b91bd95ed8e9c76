#pragma once

// A Boost.Process v2 initializer for children that must not outlive their
// parent: it runs in the child between fork and exec and gives it
// - its own process group (a signal to the group reaches everything the
//   child starts),
// - death with the parent (PR_SET_PDEATHSIG), even if the parent died first,
// - the signal state of a fresh process (ignored signals and the signal
//   mask survive exec),
// - no descriptor but stdin, stdout and stderr: everything else is marked
//   close-on-exec, whether or not whoever opened it asked for that (a
//   socket of the parent's held open by a child would never close).
//
// Use: default_launcher()(..., ChildSetup{::getpid()}), or SetUpChild in a
// child of a plain fork.

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <boost/process/v2/detail/config.hpp>
#include <boost/system/error_code.hpp>

#include "common/close_on_exec.h"

namespace chancho::common {

// The set-up above, for a child between fork and exec of `parent`; without
// `die_with_parent`, the child outlives its parent (or the thread that
// forked it) and only gets the rest. Async-signal-safe.
inline void SetUpChild(pid_t parent, bool die_with_parent) {
  ::setpgid(0, 0);
  if (die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died before prctl took effect.
    if (::getppid() != parent) ::_exit(127);
  }
  for (int sig : {SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD}) {
    ::signal(sig, SIG_DFL);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  CloseOnExecAboveStderr();
}

struct ChildSetup {
  pid_t parent;

  template <typename Launcher, typename Path>
  boost::system::error_code on_exec_setup(Launcher&, const Path&,
                                          const char* const*&) {
    SetUpChild(parent, true);
    return {};
  }
};

}  // namespace chancho::common
