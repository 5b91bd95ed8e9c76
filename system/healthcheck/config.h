#pragma once

// The health-checker's configuration, read from the environment that the
// harness plans from compose-spec.json (the seed keys ping_interval,
// grace_period, max_retries, max_concurrent_health_checks, heartbeat_port,
// output_nodes, log_level), plus what the runtime adds.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "system/common/config.h"
#include "system/common/log.h"

namespace chancho::healthcheck {

// Environment variables, beyond the seed keys:
//   REVIVE_COMMAND   "/bin/sh -c" template; "{name}" becomes the replica name
//   REVIVE_TIMEOUT   seconds a revive command may take (default 30)
//   CHANCHO_BIN      the chancho executable used under ProcessRuntime
//   CONTAINER_PREFIX what the container names carry before the replica name
//                    under Docker (`docker start <prefix><name>`)
inline constexpr char kReviveCommandEnv[] = "REVIVE_COMMAND";
inline constexpr char kControlEnv[] = "CHANCHO_CONTROL";
inline constexpr char kRunDirEnv[] = "CHANCHO_RUN_DIR";
inline constexpr char kChanchoBinEnv[] = "CHANCHO_BIN";
inline constexpr char kContainerPrefixEnv[] = "CONTAINER_PREFIX";

struct HealthCheckConfig {
  std::chrono::milliseconds grace_period{5000};   // GRACE_PERIOD, s
  std::chrono::milliseconds ping_interval{1000};  // PING_INTERVAL, s, > 0
  int max_retries = 3;                            // MAX_RETRIES; 0 counts as 1
  int max_concurrent = 4;          // MAX_CONCURRENT_HEALTH_CHECKS, >= 1
  uint16_t heartbeat_port = 4444;  // HEARTBEAT_PORT: answered and pinged
  common::LogLevel log_level = common::LogLevel::kInfo;  // LOG_LEVEL

  std::string service = "health-checker";  // SERVICE_NAME
  int replica_id = 1;                      // REPLICA_ID, 1-based
  int replicas = 1;                        // REPLICAS
  std::string replica_name;  // REPLICA_NAME, else derived like the harness

  std::vector<std::string> watched;  // replica names, see WatchedNames

  std::string revive_command;  // template with "{name}"; see ReviveCommand
  std::chrono::milliseconds revive_timeout{30000};  // REVIVE_TIMEOUT, s
};

// The name the harness gives replica `index` (1-based) of a service with
// `replicas` replicas: "<service>" for one replica, else "<service>-<index>".
std::string ReplicaName(std::string_view service, int index, int replicas);

// A service to watch and its replica count (OUTPUT_NODES[_REPLICAS]).
struct WatchedService {
  std::string name;
  int replicas = 1;
};

// The replica names that checker `replica_id` (1-based) of `replicas`
// checkers of service `self_service` watches: every replica of `services`,
// sorted bytewise without duplicates, dealt round-robin (position p goes to
// checker p % replicas + 1); then, when replicas > 1, the next checker of
// the ring (replica_id + 1, wrapping). A checker never watches itself.
std::vector<std::string> WatchedNames(
    const std::vector<WatchedService>& services, std::string_view self_service,
    int replica_id, int replicas);

// The default revive command when REVIVE_COMMAND is unset:
// - CHANCHO_CONTROL set (ProcessRuntime): `<chancho> ctl start {name} --run
//   <CHANCHO_RUN_DIR>`, where <chancho> is CHANCHO_BIN, else `chancho` in
//   `self_dir` (the health-checker's own directory) if it is executable
//   there, else `chancho` on PATH;
// - else CONTAINER_PREFIX set (Docker): `docker start <prefix>{name}`.
// Throws std::invalid_argument (one line) when neither applies.
std::string DefaultReviveCommand(const common::EnvLookup& env,
                                 const std::filesystem::path& self_dir);

// Reads the whole configuration. Throws std::invalid_argument with a
// one-line message naming the variable for a malformed or missing value.
HealthCheckConfig LoadConfig(const common::EnvLookup& env,
                             const std::filesystem::path& self_dir);

// Parses seconds with decimals ("0.5", "3") into milliseconds, rounded.
// Throws std::invalid_argument "<what>: '<text>' is not a number of seconds
// in [0, 86400]".
std::chrono::milliseconds ParseSeconds(std::string_view text,
                                       std::string_view what);

// `text` quoted for /bin/sh: unchanged when it holds only safe characters,
// else in single quotes.
std::string ShellQuote(std::string_view text);

}  // namespace chancho::healthcheck
