#pragma once

#include <yaml-cpp/node/node.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/log_line.h"
#include "system/common/config.h"
#include "system/common/host_port.h"

namespace chancho::tp0 {

// The echo client's settings, as in tp0's config.yaml.
struct ClientConfig {
  std::string id;                               // env CLI_ID
  std::string server_address = "server:12345";  // server.address
  common::HostPort server{"server", 12345};     // server_address, parsed
  int64_t loop_amount = 5;                      // loop.amount
  std::string loop_period_text = "150ms";       // loop.period, as written
  std::chrono::microseconds loop_period{150'000};
  std::string log_level = "INFO";  // log.level, a canonical level name
  bool file_found = false;         // Whether the YAML file existed.
};

// Builds the config from the YAML document (nullopt: no file, defaults) with
// CLI_SERVER_ADDRESS, CLI_LOOP_AMOUNT, CLI_LOOP_PERIOD and CLI_LOG_LEVEL
// overriding server.address, loop.amount, loop.period and log.level. CLI_ID
// is required. An unknown level becomes INFO. Throws std::invalid_argument
// naming the key for a missing id, a value of the wrong shape or an invalid
// address, amount (0..1e9) or period.
ClientConfig ResolveClientConfig(const std::optional<YAML::Node>& yaml,
                                 const common::EnvLookup& env);

// Reads the YAML file at `path` (a missing file is not an error) and resolves
// it as above. Throws std::runtime_error for an unreadable or malformed file
// and std::invalid_argument for invalid values.
ClientConfig LoadClientConfig(const std::string& path,
                              const common::EnvLookup& env);

// The fields of the start-up line "action: config | result: success | ...".
common::LogFields ConfigLogFields(const ClientConfig& config);

}  // namespace chancho::tp0
