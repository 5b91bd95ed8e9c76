// libFuzzer target: what the Docker runtime reads from the engine:
// `docker inspect` of containers and networks, and `docker events` lines.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/error.h"
#include "harness/runtime/docker/docker_inspect.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)chancho::ParseContainerInspect(text);
  } catch (const chancho::Error&) {
  }
  try {
    (void)chancho::ParseNetworkInspect(text);
  } catch (const chancho::Error&) {
  }
  try {
    (void)chancho::ParseContainerEvent(text);
  } catch (const chancho::Error&) {
  }
  return 0;
}
