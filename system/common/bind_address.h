#pragma once

#include <optional>
#include <string>

#include "system/common/config.h"

namespace chancho::common {

// Set by the process runtime to the loopback address (127.x.y.z) it gives
// each replica; unset under Docker, where every container has its own
// network namespace.
inline constexpr char kBindIpEnv[] = "CHANCHO_BIND_IP";

// The address a server listens on: `configured` if non-empty, else
// CHANCHO_BIND_IP if set, else "0.0.0.0".
std::string BindAddress(const std::string& configured,
                        const EnvLookup& env = ProcessEnv());

// The local address an outgoing connection should bind to before connecting,
// so that its peer sees the replica's own address: CHANCHO_BIND_IP, or
// nullopt to let the kernel choose.
std::optional<std::string> SourceAddress(const EnvLookup& env = ProcessEnv());

}  // namespace chancho::common
