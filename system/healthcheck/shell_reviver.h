#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "system/healthcheck/health_checker.h"

namespace chancho::healthcheck {

// Runs revive commands with "/bin/sh -c", asynchronously on the io_context
// (Boost.Process v2): "{name}" in the template becomes the replica name.
// A command succeeds when it exits 0 within `timeout`; otherwise it (its
// whole process group) is killed and the error names the exit status or
// the timeout, followed by the command's output (stdout and stderr, the
// first 500 bytes). Children die with this process (PR_SET_PDEATHSIG).
//
// Use from the io_context's thread; must outlive its run().
class ShellReviver {
 public:
  ShellReviver(asio::io_context& io, std::string command_template,
               std::chrono::milliseconds timeout);
  ~ShellReviver();
  ShellReviver(const ShellReviver&) = delete;
  ShellReviver& operator=(const ShellReviver&) = delete;

  // Fits HealthChecker::Revive. Names other than [A-Za-z0-9._-]+ are
  // refused (they would reach the shell).
  void Revive(const std::string& name, HealthChecker::ReviveHandler done);
  // Kills every command in flight; each reports a failure "cancelled".
  void Cancel();

  // The command line for `name`.
  std::string Command(const std::string& name) const;

 private:
  struct Run;
  void Read(const std::shared_ptr<Run>& run);
  void Finish(const std::shared_ptr<Run>& run);

  asio::io_context& io_;
  std::string template_;
  std::chrono::milliseconds timeout_;
  std::set<std::shared_ptr<Run>> runs_;
};

}  // namespace chancho::healthcheck
