#pragma once

#include <csignal>
#include <exception>
#include <string>
#include <string_view>

#include "common/standard_flags.h"
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

// ServiceMain after the standard options (common/standard_flags.h): a
// service takes none but --version and --help (and at most
// `max_positional` arguments of its own).
template <typename Run>
int ServiceMain(int argc, char** argv, const std::string& program,
                std::string_view usage, Run run, int max_positional = 0) {
  if (const auto exit_code =
          StandardFlags(argc, argv, program, usage, max_positional)) {
    return *exit_code;
  }
  return ServiceMain(program, run);
}

}  // namespace chancho::common
