#pragma once

#include <csignal>
#include <exception>
#include <string>

#include "system/common/log.h"

namespace chancho::common {

// The body of every service's main(): ignores SIGPIPE (a harness that stops
// reading our stdout must not kill us mid-shutdown; failed writes are
// harmless), runs `run(logger)`, and turns an escaping exception into one
// `action: <service> | result: fail | error: ...` line and exit code 1.
template <typename Run>
int ServiceMain(const std::string& service, Run run) {
  std::signal(SIGPIPE, SIG_IGN);
  Logger logger;
  try {
    return run(logger);
  } catch (const std::exception& e) {
    logger.Critical(service, "fail", {{"error", ExceptionMessage(e)}});
    return 1;
  }
}

}  // namespace chancho::common
