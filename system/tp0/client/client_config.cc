#include "system/tp0/client/client_config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <initializer_list>
#include <stdexcept>

#include "common/duration.h"
#include "system/common/log.h"

namespace chancho::tp0 {
namespace {

// The scalar at the path [key, end) below `node`, such as server.address. A
// missing key is nullopt; a key that is there with the wrong shape is an
// error, so that a typo in the structure is not silently replaced by a
// default. Recursive on const nodes: the const operator[] never inserts the
// key it looks up, and a missing key yields a node that tests false.
std::optional<std::string> YamlScalar(const YAML::Node& node,
                                      const char* const* key,
                                      const char* const* end,
                                      const std::string& name) {
  if (!node || node.IsNull()) return std::nullopt;
  if (key == end) {
    if (!node.IsScalar()) {
      throw std::invalid_argument(name + ": expected a single value");
    }
    return node.Scalar();
  }
  if (!node.IsMap()) {
    throw std::invalid_argument(name + ": expected a mapping above '" + *key +
                                "'");
  }
  return YamlScalar(node[*key], key + 1, end, name);
}

std::optional<std::string> Lookup(const char* env_name,
                                  std::initializer_list<const char*> path,
                                  const std::string& name,
                                  const std::optional<YAML::Node>& yaml,
                                  const common::EnvLookup& env) {
  if (std::optional<std::string> value = env(env_name)) return value;
  if (yaml) return YamlScalar(*yaml, path.begin(), path.end(), name);
  return std::nullopt;
}

}  // namespace

ClientConfig ResolveClientConfig(const std::optional<YAML::Node>& yaml,
                                 const common::EnvLookup& env) {
  if (yaml && !yaml->IsNull() && !yaml->IsMap()) {
    throw std::invalid_argument("config: expected a mapping at the top");
  }
  ClientConfig config;
  config.file_found = yaml.has_value();
  const std::optional<std::string> id = env("CLI_ID");
  if (!id) throw std::invalid_argument("CLI_ID is not set");
  config.id = *id;

  if (auto address = Lookup("CLI_SERVER_ADDRESS", {"server", "address"},
                            "server.address", yaml, env)) {
    config.server_address = *address;
  }
  config.server = common::ParseHostPort(config.server_address);

  if (auto amount = Lookup("CLI_LOOP_AMOUNT", {"loop", "amount"}, "loop.amount",
                           yaml, env)) {
    config.loop_amount =
        common::ParseInteger(*amount, "loop.amount", 0, 1'000'000'000);
  }
  if (auto period = Lookup("CLI_LOOP_PERIOD", {"loop", "period"}, "loop.period",
                           yaml, env)) {
    config.loop_period_text = *period;
  }
  config.loop_period = common::ParseDuration(config.loop_period_text);

  if (auto level =
          Lookup("CLI_LOG_LEVEL", {"log", "level"}, "log.level", yaml, env)) {
    config.log_level =
        std::string(common::LogLevelName(common::ParseLogLevel(*level)));
  }
  return config;
}

ClientConfig LoadClientConfig(const std::string& path,
                              const common::EnvLookup& env) {
  std::optional<YAML::Node> yaml;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    try {
      yaml = YAML::LoadFile(path);
    } catch (const YAML::Exception& e) {
      throw std::runtime_error("config file " + path + ": " + e.what());
    }
  }
  return ResolveClientConfig(yaml, env);
}

common::LogFields ConfigLogFields(const ClientConfig& config) {
  return {
      {"client_id", config.id},
      {"server_address", config.server_address},
      {"loop_amount", std::to_string(config.loop_amount)},
      {"loop_period", config.loop_period_text},
      {"log_level", config.log_level},
  };
}

}  // namespace chancho::tp0
