#include "system/tp0/server/server_config.h"

#include <boost/property_tree/ptree.hpp>

#include "system/common/log.h"

namespace chancho::tp0 {
namespace {

constexpr char kSection[] = "DEFAULT";

// Environment first, then the file, like the original's
// os.getenv(KEY, config["DEFAULT"][KEY]).
std::optional<std::string> Lookup(
    const char* key, const std::optional<boost::property_tree::ptree>& ini,
    const common::EnvLookup& env) {
  if (std::optional<std::string> value = env(key)) return value;
  if (ini) return common::IniValue(*ini, kSection, key);
  return std::nullopt;
}

}  // namespace

ServerConfig ResolveServerConfig(
    const std::optional<boost::property_tree::ptree>& ini,
    const common::EnvLookup& env) {
  ServerConfig config;
  config.file_found = ini.has_value();
  if (auto port = Lookup("SERVER_PORT", ini, env)) {
    config.port = common::ParsePort(*port, "SERVER_PORT");
  }
  if (auto ip = Lookup("SERVER_IP", ini, env)) {
    config.ip = *ip;
  }
  if (auto backlog = Lookup("SERVER_LISTEN_BACKLOG", ini, env)) {
    config.listen_backlog = static_cast<int>(
        common::ParseInteger(*backlog, "SERVER_LISTEN_BACKLOG", 0, 65535));
  }
  if (auto level = Lookup("LOGGING_LEVEL", ini, env)) {
    config.logging_level =
        std::string(common::LogLevelName(common::ParseLogLevel(*level)));
  }
  if (auto heartbeat = env("HEARTBEAT_PORT")) {
    config.heartbeat_port = common::ParsePort(*heartbeat, "HEARTBEAT_PORT");
  }
  return config;
}

ServerConfig LoadServerConfig(const std::string& path,
                              const common::EnvLookup& env) {
  return ResolveServerConfig(common::ReadIniFile(path), env);
}

common::LogFields ConfigLogFields(const ServerConfig& config) {
  common::LogFields fields = {
      {"server_port", std::to_string(config.port)},
      {"server_ip", config.ip},
      {"listen_backlog", std::to_string(config.listen_backlog)},
      {"logging_level", config.logging_level},
  };
  if (config.heartbeat_port) {
    fields.emplace_back("heartbeat_port",
                        std::to_string(*config.heartbeat_port));
  }
  return fields;
}

}  // namespace chancho::tp0
