#pragma once

// Builders of spec JSON text shared by the spec tests.

#include <string>
#include <vector>

#include "harness/spec/spec.h"

namespace chancho::testing_util {

inline constexpr char kLabel[] = "compose-spec.json";

inline Spec Parse(const std::string& json) {
  return ParseSpec(json, kLabel, "/p");
}

// A spec named "p" with the given service objects.
inline std::string Services(const std::vector<std::string>& services) {
  std::string json = R"({"name": "p", "services": [)";
  for (size_t i = 0; i < services.size(); ++i) {
    json += (i ? ", " : "") + services[i];
  }
  return json + "]}";
}

// A valid service object named `name` plus the extra members `extra`.
inline std::string Svc(const std::string& name, const std::string& extra = "") {
  return R"({"name": ")" + name + R"(", "command": ["bin"])" +
         (extra.empty() ? "" : ", " + extra) + "}";
}

inline std::string ErrorOf(const std::string& json) {
  try {
    Parse(json);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace chancho::testing_util
