#pragma once

// The text and YAML helpers of the compose import (compose_import.cc):
// paths and values in one-line messages, compose's durations and names,
// and a YAML parse that refuses deep nesting before building anything.

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace chancho::compose_yaml {

// Deeper documents are refused by ParseYaml.
extern const int kMaxDepth;

// JSON-quoted text.
std::string Quote(std::string_view text);
// "path/key" (a key with a control character quoted), "path/3".
std::string Join(std::string_view path, std::string_view key);
std::string Join(std::string_view path, size_t index);
// "line 3, column 7: " (1-based), or "" without a position.
std::string Where(const YAML::Mark& mark);
// A value as compact JSON-like text for "got ...", cut after 80 characters.
std::string ValueText(const YAML::Node& node);
// Go's time.ParseDuration, as compose reads durations, in seconds; nullopt
// for anything else (negative durations included).
std::optional<double> ParseDuration(std::string_view text);

bool IsServiceName(std::string_view name);
// ^[a-z0-9][a-z0-9_-]*$, as compose accepts project names.
bool IsProjectName(std::string_view name);
// A directory name made a project name, as compose does; may be empty.
std::string ProjectFromDirectory(std::string_view name);
// Lower-case letters, digits and '-'.
bool IsRole(std::string_view role);
// A service name as a role: lower-cased, other characters made '-'.
std::string RoleFromName(std::string_view name);
// The process environment's value of `key`, if set.
std::optional<std::string> FromEnvironment(const std::string& key);

// The document of `text`; throws chancho::Error "<label>: line L, column
// C: ..." for invalid YAML or nesting deeper than kMaxDepth.
YAML::Node ParseYaml(std::string_view text, const std::string& label);

}  // namespace chancho::compose_yaml
