#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>

#include "harness/deploy/deployment.h"

namespace chancho {

// One round of the plan's readiness check for a replica running at
// `address`, whose current run's log lines follow `log_offset` in
// `log_path`. Never throws.
bool CheckReadiness(const ReplicaPlan& plan, const std::string& address,
                    const std::filesystem::path& log_path,
                    std::uintmax_t log_offset,
                    std::chrono::milliseconds timeout);

// One-shot readiness checks. Each returns quickly (bounded by its timeout)
// and never throws; the caller decides how often to retry.

// True if a TCP connection to ip:port is accepted.
bool TcpAccepts(const std::string& ip, int port,
                std::chrono::milliseconds timeout);

// True if "PING\0" sent over UDP to ip:port is answered with "PONG\0".
bool HeartbeatAnswers(const std::string& ip, int port,
                      std::chrono::milliseconds timeout);

// Finds the first line matching a regex in a file that keeps growing. Each
// call reads only what was appended since the previous call.
class LogLineScanner {
 public:
  LogLineScanner(std::filesystem::path path, const std::string& pattern,
                 std::uintmax_t start_offset = 0);

  // The matching line, once one has been appended.
  std::optional<std::string> Poll();
  bool matched() const { return matched_.has_value(); }

 private:
  std::filesystem::path path_;
  std::regex pattern_;
  std::uintmax_t offset_;
  std::string partial_;
  std::optional<std::string> matched_;
};

}  // namespace chancho
