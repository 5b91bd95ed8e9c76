#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chancho::common {

// A "host:port" address as written in config files.
struct HostPort {
  std::string host;
  uint16_t port = 0;
};

// Splits "server:12345", "127.0.0.1:80" or "[::1]:80" (brackets are
// removed). Throws std::invalid_argument "invalid address '<text>': <cause>"
// if the host is empty or the port is missing or not in 1..65535.
HostPort ParseHostPort(std::string_view text);

}  // namespace chancho::common
