#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>

namespace chancho {

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
