#include "system/common/bind_address.h"

namespace chancho::common {

std::string BindAddress(const std::string& configured, const EnvLookup& env) {
  if (!configured.empty()) return configured;
  return env(kBindIpEnv).value_or("0.0.0.0");
}

std::optional<std::string> SourceAddress(const EnvLookup& env) {
  return env(kBindIpEnv);
}

}  // namespace chancho::common
