#include "system/healthcheck/config.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace chancho::healthcheck {
namespace {

constexpr double kMaxSeconds = 86400;

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t comma = std::min(text.find(','), text.size());
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  return out;
}

// OUTPUT_NODES is optional: with several checkers the ring alone is work.
std::vector<WatchedService> WatchedServicesFromEnv(
    const common::EnvLookup& env) {
  const auto names = SplitList(env("OUTPUT_NODES").value_or(""));
  const auto counts = SplitList(env("OUTPUT_NODES_REPLICAS").value_or(""));
  if (!counts.empty() && counts.size() != names.size()) {
    throw std::invalid_argument(
        "OUTPUT_NODES_REPLICAS has " + std::to_string(counts.size()) +
        " entries for " + std::to_string(names.size()) + " OUTPUT_NODES");
  }
  std::vector<WatchedService> services;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const int replicas =
        counts.empty() ? 1
                       : static_cast<int>(common::ParseInteger(
                             counts[i], "OUTPUT_NODES_REPLICAS", 1, 10000));
    services.push_back({names[i], replicas});
  }
  return services;
}

bool IsExecutable(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) &&
         ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string ReplicaName(std::string_view service, int index, int replicas) {
  if (replicas == 1) return std::string(service);
  return std::string(service) + "-" + std::to_string(index);
}

std::vector<std::string> WatchedNames(
    const std::vector<WatchedService>& services, std::string_view self_service,
    int replica_id, int replicas) {
  const std::string self = ReplicaName(self_service, replica_id, replicas);
  std::vector<std::string> all;
  for (const auto& service : services) {
    for (int i = 1; i <= service.replicas; ++i) {
      all.push_back(ReplicaName(service.name, i, service.replicas));
    }
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());

  std::vector<std::string> watched;
  for (std::size_t p = static_cast<std::size_t>(replica_id - 1); p < all.size();
       p += static_cast<std::size_t>(replicas)) {
    if (all[p] != self) watched.push_back(all[p]);
  }
  if (replicas > 1) {
    const std::string next =
        ReplicaName(self_service, replica_id % replicas + 1, replicas);
    if (std::find(watched.begin(), watched.end(), next) == watched.end()) {
      watched.push_back(next);
    }
  }
  return watched;
}

std::string DefaultReviveCommand(const common::EnvLookup& env,
                                 const std::filesystem::path& self_dir) {
  if (env(kControlEnv)) {
    const auto run_dir = env(kRunDirEnv);
    if (!run_dir) {
      throw std::invalid_argument(std::string(kControlEnv) + " is set but " +
                                  kRunDirEnv + " is not; set " +
                                  kReviveCommandEnv);
    }
    std::string chancho = "chancho";
    if (auto bin = env(kChanchoBinEnv)) {
      chancho = *bin;
    } else if (!self_dir.empty() && IsExecutable(self_dir / "chancho")) {
      chancho = (self_dir / "chancho").string();
    }
    return ShellQuote(chancho) + " ctl start {name} --run " +
           ShellQuote(*run_dir);
  }
  if (auto prefix = env(kContainerPrefixEnv)) {
    return "docker start " + ShellQuote(*prefix) + "{name}";
  }
  throw std::invalid_argument(
      std::string("cannot tell how to revive a service: set ") +
      kReviveCommandEnv + " (e.g. \"docker start {name}\"), or " +
      kContainerPrefixEnv + " under Docker; " + kControlEnv +
      " (ProcessRuntime's control socket) is not set");
}

HealthCheckConfig LoadConfig(const common::EnvLookup& env,
                             const std::filesystem::path& self_dir) {
  HealthCheckConfig config;
  if (auto value = env("GRACE_PERIOD")) {
    config.grace_period = ParseSeconds(*value, "GRACE_PERIOD");
  }
  if (auto value = env("PING_INTERVAL")) {
    config.ping_interval = ParseSeconds(*value, "PING_INTERVAL");
    if (config.ping_interval.count() <= 0) {
      throw std::invalid_argument("PING_INTERVAL: '" + *value +
                                  "' must be at least 0.001 seconds");
    }
  }
  if (auto value = env("MAX_RETRIES")) {
    config.max_retries =
        static_cast<int>(common::ParseInteger(*value, "MAX_RETRIES", 0, 1000));
  }
  if (auto value = env("MAX_CONCURRENT_HEALTH_CHECKS")) {
    config.max_concurrent = static_cast<int>(
        common::ParseInteger(*value, "MAX_CONCURRENT_HEALTH_CHECKS", 1, 10000));
  }
  if (auto value = env("HEARTBEAT_PORT")) {
    config.heartbeat_port = common::ParsePort(*value, "HEARTBEAT_PORT");
  }
  config.log_level = common::ParseLogLevel(env("LOG_LEVEL").value_or("INFO"));

  config.service = env("SERVICE_NAME").value_or(config.service);
  config.replica_id = static_cast<int>(common::ParseInteger(
      env("REPLICA_ID").value_or("1"), "REPLICA_ID", 1, 10000));
  config.replicas = static_cast<int>(common::ParseInteger(
      env("REPLICAS").value_or("1"), "REPLICAS", 1, 10000));
  if (config.replica_id > config.replicas) {
    throw std::invalid_argument(
        "REPLICA_ID " + std::to_string(config.replica_id) +
        " exceeds REPLICAS " + std::to_string(config.replicas));
  }
  config.replica_name =
      env("REPLICA_NAME")
          .value_or(
              ReplicaName(config.service, config.replica_id, config.replicas));
  config.watched = WatchedNames(WatchedServicesFromEnv(env), config.service,
                                config.replica_id, config.replicas);

  if (auto value = env("REVIVE_TIMEOUT")) {
    config.revive_timeout = ParseSeconds(*value, "REVIVE_TIMEOUT");
  }
  config.revive_command = env(kReviveCommandEnv).value_or(std::string());
  if (config.revive_command.empty()) {
    config.revive_command = DefaultReviveCommand(env, self_dir);
  }
  return config;
}

std::chrono::milliseconds ParseSeconds(std::string_view text,
                                       std::string_view what) {
  std::string_view trimmed = text;
  while (!trimmed.empty() &&
         std::isspace(static_cast<unsigned char>(trimmed.front()))) {
    trimmed.remove_prefix(1);
  }
  while (!trimmed.empty() &&
         std::isspace(static_cast<unsigned char>(trimmed.back()))) {
    trimmed.remove_suffix(1);
  }
  double seconds = -1;
  const char* end = trimmed.data() + trimmed.size();
  const auto [ptr, ec] = std::from_chars(trimmed.data(), end, seconds);
  if (trimmed.empty() || ec != std::errc() || ptr != end ||
      !std::isfinite(seconds) || seconds < 0 || seconds > kMaxSeconds) {
    throw std::invalid_argument(std::string(what) + ": '" + std::string(text) +
                                "' is not a number of seconds in [0, 86400]");
  }
  return std::chrono::milliseconds(std::llround(seconds * 1000));
}

std::string ShellQuote(std::string_view text) {
  const bool safe =
      !text.empty() &&
      std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return std::isalnum(c) ||
               std::string_view("_-./:=@,+").find(c) != std::string_view::npos;
      });
  if (safe) return std::string(text);
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace chancho::healthcheck
