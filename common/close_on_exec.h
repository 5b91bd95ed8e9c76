#pragma once

// For a child between fork and exec: no descriptor of the parent's but
// stdin, stdout and stderr may survive exec, whether or not whoever opened
// it asked for close-on-exec. A socket of the parent's held open by a child
// would never close: a fault proxy's reset, for one, would never reach the
// peer.

#include <fcntl.h>
#include <linux/close_range.h>
#include <unistd.h>

namespace chancho::common {

// Marks every descriptor above stderr close-on-exec. Async-signal-safe.
inline void CloseOnExecAboveStderr() {
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < 65536; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
}

}  // namespace chancho::common
