#include "test_support/chancho_tree.h"

#include <cstdlib>

#include "common/error.h"
#include "fixtures/docker_support.h"

namespace chancho::testing {
namespace {

std::filesystem::path FromEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw Error(std::string(name) +
                " is not set; run the test through ctest, which sets it");
  }
  return value;
}

}  // namespace

std::filesystem::path SourceDir() { return FromEnv("CHANCHO_SOURCE_DIR"); }
std::filesystem::path BinDir() { return FromEnv("CHANCHO_BIN_DIR"); }

std::optional<std::string> MoviesInDockerUnavailable() {
  if (const auto& why = DockerUnavailable()) return why;
  return ImagesMissing({"chancho/movies:latest", "chancho/rabbitmq:latest"});
}

}  // namespace chancho::testing
