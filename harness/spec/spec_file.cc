#include "harness/spec/spec.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <string>

#include "common/file_text.h"

// Specs as files and as values: reading one, scaling a role, and the text
// of a number.

namespace chancho {

Spec LoadSpec(const std::filesystem::path& path,
              const std::filesystem::path& defaults) {
  const std::string label = path.string();
  const std::string text = ReadText(path);
  return ParseSpec(
      text, label,
      std::filesystem::absolute(path).parent_path().lexically_normal(),
      defaults);
}

void ScaleRole(Spec& spec, std::string_view role, int replicas) {
  if (replicas < 0) {
    throw Error(spec.name + ": expected a non-negative number of " +
                std::string(role) + " replicas, got " +
                std::to_string(replicas));
  }
  std::set<std::string> removed;
  for (ServiceSpec& service : spec.services) {
    if (service.role != role) continue;
    service.replicas = replicas;
    if (replicas == 0) removed.insert(service.name);
  }
  std::erase_if(spec.services, [&](const ServiceSpec& service) {
    return removed.count(service.name) != 0;
  });
  for (const ServiceSpec& service : spec.services) {
    for (const std::string& dependency : service.depends_on) {
      if (removed.count(dependency) != 0) {
        throw Error(spec.name + ": service " + service.name +
                    " depends on " + dependency + ", which has no " +
                    std::string(role) + " replica left");
      }
    }
  }
}

std::string NumberText(double value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace chancho
