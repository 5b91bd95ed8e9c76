#pragma once

// What the compose import's tests share.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "harness/compose/compose_import.h"

namespace chancho::compose_import_test {

namespace fs = std::filesystem;

// Messages name the file as given; the project defaults to "app".
inline constexpr char kFile[] = "app/docker-compose.yaml";

inline fs::path SourceRoot() {
  const char* source = std::getenv("CHANCHO_SOURCE_DIR");
  return (source != nullptr ? fs::path(source)
                            : fs::path(__FILE__).parent_path() / "../..")
      .lexically_normal();
}

inline ImportedCompose Import(std::string_view yaml,
                       const ComposeImportOptions& options = {}) {
  return ImportComposeText(yaml, kFile, options);
}

// The message of the error importing `yaml` throws.
inline std::string ImportError(std::string_view yaml,
                        const ComposeImportOptions& options = {}) {
  try {
    ImportComposeText(yaml, kFile, options);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << yaml;
  return "";
}

inline std::vector<std::string> Names(const Spec& spec) {
  std::vector<std::string> names;
  for (const ServiceSpec& service : spec.services) names.push_back(service.name);
  return names;
}

inline const ServiceSpec& Service(const ImportedCompose& imported,
                           std::string_view name) {
  const ServiceSpec* service = imported.spec.Find(name);
  if (service == nullptr) {
    throw Error("no service " + std::string(name) + " imported");
  }
  return *service;
}

// The message of the chancho::Error that `f` throws, or "no error".
template <typename F>
std::string ErrorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace chancho::compose_import_test
