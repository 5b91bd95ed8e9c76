#include "harness/runtime/docker/docker_runtime.h"
#include "harness/runtime/process/process_runtime.h"
#include "harness/runtime/runtime.h"

namespace chancho {

std::filesystem::path AddressShimBeside(const std::filesystem::path& chancho_cli) {
  return (chancho_cli.parent_path() / ".." / "lib" / "chancho" /
          "libchancho_address_shim.so")
      .lexically_normal();
}

std::string_view ToString(RuntimeKind kind) {
  switch (kind) {
    case RuntimeKind::kProcess:
      return "process";
    case RuntimeKind::kDocker:
      return "docker";
    case RuntimeKind::kSwarm:
      return "swarm";
  }
  return "unknown";
}

std::optional<RuntimeKind> ParseRuntimeKind(std::string_view text) {
  if (text == "process") return RuntimeKind::kProcess;
  if (text == "docker") return RuntimeKind::kDocker;
  if (text == "swarm") return RuntimeKind::kSwarm;
  return std::nullopt;
}

std::unique_ptr<Runtime> MakeRuntime(RuntimeKind kind, Deployment deployment,
                                     RuntimeOptions options) {
  switch (kind) {
    case RuntimeKind::kSwarm:
      options.docker.swarm = true;
      [[fallthrough]];
    case RuntimeKind::kDocker:
      return std::make_unique<DockerRuntime>(std::move(deployment),
                                             std::move(options));
    case RuntimeKind::kProcess:
      break;
  }
  return std::make_unique<ProcessRuntime>(std::move(deployment),
                                          std::move(options));
}

}  // namespace chancho
