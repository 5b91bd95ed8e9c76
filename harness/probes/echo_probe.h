#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace chancho {

struct ProbeResult {
  bool success = false;
  std::string reason;  // why it failed; empty on success

  // "action: <action> | result: success" or "... | result: fail | reason: ..."
  std::string LogLine(const std::string& action) const;
};

// Connects to ip:port, sends `message` followed by '\n', and expects the
// exact same bytes back (up to and including the '\n', or up to EOF). The
// whole exchange is bounded by `timeout`: a peer that is absent, silent or
// answers other bytes fails, never hangs.
ProbeResult EchoProbe(const std::string& ip, int port,
                      const std::string& message,
                      std::chrono::milliseconds timeout);

// Resolves `host` to an IPv4 address: an address passes through; a name is
// looked up in `hosts_file` (format of /etc/hosts) when given, then through
// the system resolver. nullopt when nothing knows it.
std::optional<std::string> ResolveIpv4(
    const std::string& host, const std::optional<std::filesystem::path>& hosts_file);

}  // namespace chancho
