#pragma once

#include <boost/property_tree/ptree_fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "common/log_line.h"
#include "system/common/config.h"

namespace chancho::tp0 {

// The echo server's settings, as in tp0's config.ini [DEFAULT] section.
struct ServerConfig {
  uint16_t port = 12345;
  std::string ip;  // Empty: see common::BindAddress.
  int listen_backlog = 5;
  std::string logging_level = "INFO";      // Always a canonical level name.
  std::optional<uint16_t> heartbeat_port;  // Only from env HEARTBEAT_PORT.
  bool file_found = false;                 // Whether the ini file existed.
};

// Builds the config from the ini file contents (nullopt: no file, defaults)
// with environment variables SERVER_PORT, SERVER_IP, SERVER_LISTEN_BACKLOG,
// LOGGING_LEVEL overriding the [DEFAULT] keys of the same names, plus
// HEARTBEAT_PORT. An unknown level becomes INFO. Throws std::invalid_argument
// naming the key for a value that is not valid.
ServerConfig ResolveServerConfig(
    const std::optional<boost::property_tree::ptree>& ini,
    const common::EnvLookup& env);

// Reads the ini file at `path` (a missing file is not an error) and resolves
// it as above. Throws std::runtime_error for an unreadable or malformed file
// and std::invalid_argument for invalid values.
ServerConfig LoadServerConfig(const std::string& path,
                              const common::EnvLookup& env);

// The fields of the start-up line "action: config | result: success | ...".
common::LogFields ConfigLogFields(const ServerConfig& config);

}  // namespace chancho::tp0
