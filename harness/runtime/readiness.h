#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <regex>
#include <string>


namespace chancho {

// One-shot readiness checks. Each returns quickly (bounded by its timeout)
// and never throws; the caller decides how often to retry.

// True if a TCP connection to ip:port is accepted.
bool TcpAccepts(const std::string& ip, int port,
                std::chrono::milliseconds timeout);

// The status code of `GET path HTTP/1.0` to ip:port, or nullopt when no
// HTTP status line came back within `timeout`.
std::optional<int> HttpGetStatus(const std::string& ip, int port,
                                 const std::string& path,
                                 std::chrono::milliseconds timeout);

// True if "PING\0" sent over UDP to ip:port is answered with "PONG\0".
bool HeartbeatAnswers(const std::string& ip, int port,
                      std::chrono::milliseconds timeout);

// Runs `work` on a thread of its own that first joins the network
// namespace of process `pid` (/proc/PID/ns/net): the sockets it opens are
// there, so it reaches addresses that only that process's network has (a
// Swarm overlay's, from the host). Needs CAP_SYS_ADMIN. Throws
// chancho::Error, naming the pid and the cause, when the namespace cannot
// be joined; passes on what `work` throws.
bool InNetworkNamespace(int pid, const std::function<bool()>& work);

// Finds the first line matching a regex in a file that keeps growing. Each
// call reads only what was appended since the previous call.
class LogLineScanner {
 public:
  LogLineScanner(std::filesystem::path path, const std::string& pattern,
                 std::uintmax_t start_offset = 0);

  // The matching line, once one has been appended.
  std::optional<std::string> Poll();
  // How many matching lines have been appended so far.
  int Count();
  bool matched() const { return matched_.has_value(); }

 private:
  void ReadNewLines(const std::function<bool(std::string)>& line);

  std::filesystem::path path_;
  std::regex pattern_;
  std::uintmax_t offset_;
  std::string partial_;
  std::optional<std::string> matched_;
  int count_ = 0;
};

}  // namespace chancho
