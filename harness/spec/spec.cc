#include "harness/spec/spec.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <utility>

#include "common/user_regex.h"
#include "harness/spec/json_checker.h"
#include "harness/spec/json_parse.h"
#include "harness/spec/service_defaults.h"

namespace chancho {
namespace {

using rapidjson::Value;

constexpr std::string_view kOutputNodesSuffix = "_output_nodes";
constexpr char kVariableName[] = "a variable name of letters, digits and '_'";

std::string Child(const std::string& pointer, std::string_view key) {
  return JsonPointerChild(pointer, key);
}
std::string Child(const std::string& pointer, rapidjson::SizeType index) {
  return JsonPointerChild(pointer, index);
}

bool IsServiceName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           c == '.' || c == '-';
  });
}

bool IsVariableName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool IsOutputNodesKey(std::string_view key) {
  return key == "output_nodes" || (key.size() > kOutputNodesSuffix.size() &&
                                   key.ends_with(kOutputNodesSuffix));
}

// A service name in output_nodes or depends_on, checked once every service
// is known.
struct Reference {
  std::string pointer;
  std::string name;
};

class Parser {
 public:
  explicit Parser(const std::string& label) : check_(label) {}

  Spec Parse(const Value& root, const std::filesystem::path& dir) {
    Spec spec;
    spec.dir = dir;
    check_.ExpectObject(root, "");
    for (const auto& member : root.GetObject()) {
      const std::string key = JsonString(member.name);
      const std::string pointer = Child("", key);
      if (key == "name") {
        spec.name = check_.NonEmptyString(member.value, pointer);
      } else if (key == "services") {
        ParseServices(member.value, pointer, spec);
      } else if (key == "spare") {
        spec.spare = ParseRoles(member.value, pointer);
      } else if (key == "keep_one") {
        spec.keep_one = ParseRoles(member.value, pointer);
      } else if (key == "address_shim") {
        spec.address_shim = check_.Bool(member.value, pointer);
      } else {
        check_.Warn(pointer, key);
      }
    }
    check_.Require(root, "", "name");
    check_.Require(root, "", "services");
    for (const auto& reference : references_) {
      if (spec.Find(reference.name) == nullptr) {
        check_.Fail(reference.pointer,
                    "unknown service " + JsonQuote(reference.name));
      }
    }
    spec.warnings = check_.TakeWarnings();
    return spec;
  }

 private:
  void ParseServices(const Value& value, const std::string& pointer,
                     Spec& spec) {
    if (!value.IsArray() || value.Empty()) {
      check_.Expected(pointer, "a non-empty array of services", value);
    }
    std::set<std::string> names;
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      const std::string service_pointer = Child(pointer, i);
      ServiceSpec service = ParseService(value[i], service_pointer);
      if (!names.insert(service.name).second) {
        check_.Fail(Child(service_pointer, "name"),
                    "duplicate service name " + JsonQuote(service.name));
      }
      spec.services.push_back(std::move(service));
    }
  }

  ServiceSpec ParseService(const Value& object, const std::string& pointer) {
    check_.ExpectObject(object, pointer);
    ServiceSpec service;
    for (const auto& member : object.GetObject()) {
      const std::string key = JsonString(member.name);
      ParseServiceKey(key, member.value, Child(pointer, key), service);
    }
    check_.Require(object, pointer, "name");
    check_.Require(object, pointer, "command");
    if (service.replicas > 1 && !service.replica_name.empty() &&
        service.replica_name.find("{index}") == std::string::npos) {
      check_.Fail(Child(pointer, "replica_name"),
                  "names the " + std::to_string(service.replicas) +
                      " replicas alike: put \"{index}\" in it");
    }
    if (service.replicas > 1 && service.single_instance) {
      check_.Fail(Child(pointer, "replicas"),
                  "service " + JsonQuote(service.name) +
                      " runs as one instance (\"single_instance\"), got " +
                      std::to_string(service.replicas));
    }
    if (service.readiness.kind == Readiness::Kind::kHeartbeat &&
        !service.heartbeat_port) {
      check_.Fail(Child(pointer, "readiness"),
                  "heartbeat readiness requires \"heartbeat_port\"");
    }
    return service;
  }

  void ParseServiceKey(const std::string& key, const Value& value,
                       const std::string& pointer, ServiceSpec& service) {
    if (key == "name") {
      if (!value.IsString() || !IsServiceName(JsonString(value))) {
        check_.Expected(pointer,
                        "a non-empty name of letters, digits, '_', '.' and '-'",
                        value);
      }
      service.name = JsonString(value);
    } else if (key == "replicas") {
      service.replicas = check_.PositiveInt(value, pointer);
    } else if (const SeedKey* seed = FindSeedKey(key)) {
      service.seed_variables[std::string(seed->variable)] =
          SeedValue(*seed, value, pointer);
      if (seed->type == SeedKey::Type::kPort) {
        service.heartbeat_port = std::stoi(
            service.seed_variables[std::string(seed->variable)]);
      }
    } else if (key == "storage") {
      if (value.IsString()) {
        service.storage = true;
        service.storage_dir = check_.NonEmptyString(value, pointer);
      } else if (value.IsBool()) {
        service.storage = value.GetBool();
      } else {
        check_.Expected(pointer, "true, false or a directory path", value);
      }
    } else if (IsOutputNodesKey(key)) {
      service.output_nodes[key] = ParseOutputNodes(value, pointer);
    } else if (key == "role") {
      service.role = ParseRole(value, pointer);
    } else if (key == "command") {
      service.command = ParseCommand(value, pointer);
    } else if (key == "image") {
      service.image = check_.String(value, pointer);
    } else if (key == "environment") {
      service.environment = ParseEnvironment(value, pointer);
    } else if (key == "config_files") {
      service.config_files = ParseConfigFiles(value, pointer);
    } else if (key == "depends_on") {
      if (!value.IsArray()) {
        check_.Expected(pointer, "an array of service names", value);
      }
      service.depends_on = ParseNames(value, pointer);
    } else if (key == "readiness") {
      service.readiness = ParseReadiness(value, pointer);
    } else if (key == "replica_name") {
      service.replica_name = check_.NonEmptyString(value, pointer);
    } else if (key == "single_instance") {
      service.single_instance = check_.Bool(value, pointer);
    } else if (key == "revives") {
      service.revives = check_.Bool(value, pointer);
    } else {
      check_.Warn(pointer, key);
    }
  }

  static const SeedKey* FindSeedKey(std::string_view key) {
    for (const SeedKey& seed : kSeedKeys) {
      if (seed.key == key) return &seed;
    }
    return nullptr;
  }

  std::string SeedValue(const SeedKey& seed, const Value& value,
                        const std::string& pointer) const {
    switch (seed.type) {
      case SeedKey::Type::kString:
        return check_.String(value, pointer);
      case SeedKey::Type::kStrings: {
        if (value.IsString()) return JsonString(value);
        if (!value.IsArray() || value.Empty()) {
          check_.Expected(pointer, "a string or a non-empty array of strings",
                          value);
        }
        std::string joined;
        for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
          joined += (i == 0 ? "" : ",") +
                    check_.NonEmptyString(value[i], Child(pointer, i));
        }
        return joined;
      }
      case SeedKey::Type::kPort:
        return std::to_string(check_.Port(value, pointer));
      case SeedKey::Type::kPositiveInt:
        return std::to_string(check_.PositiveInt(value, pointer));
      case SeedKey::Type::kNonNegativeInt:
        return std::to_string(check_.NonNegativeInt(value, pointer));
      case SeedKey::Type::kSeconds:
        return NumberText(check_.NonNegativeSeconds(value, pointer));
    }
    return "";
  }

  std::vector<std::string> ParseRoles(const Value& value,
                                      const std::string& pointer) const {
    if (!value.IsArray()) check_.Expected(pointer, "an array of roles", value);
    std::vector<std::string> roles;
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      roles.push_back(ParseRole(value[i], Child(pointer, i)));
    }
    return roles;
  }

  std::string ParseRole(const Value& value, const std::string& pointer) const {
    if (value.IsString()) {
      const std::string role = JsonString(value);
      if (!role.empty() &&
          std::all_of(role.begin(), role.end(), [](char c) {
            return std::islower(static_cast<unsigned char>(c)) ||
                   std::isdigit(static_cast<unsigned char>(c)) || c == '-';
          })) {
        return role;
      }
    }
    check_.Expected(pointer,
                    "a role: lower-case letters, digits and '-' (worker, "
                    "server, client, broker, ...)",
                    value);
  }

  std::vector<std::string> ParseCommand(const Value& value,
                                        const std::string& pointer) const {
    if (value.IsString() && value.GetStringLength() > 0) {
      return {JsonString(value)};
    }
    if (!value.IsArray() || value.Empty()) {
      check_.Expected(
          pointer, "a non-empty array of strings or a non-empty string", value);
    }
    std::vector<std::string> command;
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      // The program name must not be empty; its arguments may be.
      command.push_back(i == 0
                            ? check_.NonEmptyString(value[i], Child(pointer, i))
                            : check_.String(value[i], Child(pointer, i)));
    }
    return command;
  }

  std::map<std::string, std::string> ParseEnvironment(
      const Value& value, const std::string& pointer) const {
    check_.ExpectObject(value, pointer);
    std::map<std::string, std::string> environment;
    for (const auto& member : value.GetObject()) {
      const std::string key = JsonString(member.name);
      const std::string key_pointer = Child(pointer, key);
      if (!IsVariableName(key)) {
        check_.Expected(key_pointer, kVariableName, member.name);
      }
      environment[key] = check_.ScalarText(member.value, key_pointer);
    }
    return environment;
  }

  std::vector<ConfigFile> ParseConfigFiles(const Value& value,
                                           const std::string& pointer) {
    if (!value.IsArray()) check_.Expected(pointer, "an array", value);
    std::vector<ConfigFile> files;
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      const std::string file_pointer = Child(pointer, i);
      const Value& object = value[i];
      check_.ExpectObject(object, file_pointer);
      ConfigFile file;
      for (const auto& member : object.GetObject()) {
        const std::string key = JsonString(member.name);
        const std::string key_pointer = Child(file_pointer, key);
        const Value& v = member.value;
        if (key == "source") {
          file.source = check_.NonEmptyString(v, key_pointer);
        } else if (key == "target") {
          file.target = check_.NonEmptyString(v, key_pointer);
          if (file.target[0] != '/') {
            check_.Expected(key_pointer, "an absolute path", v);
          }
        } else if (key == "env") {
          if (!v.IsString() || !IsVariableName(JsonString(v))) {
            check_.Expected(key_pointer, kVariableName, v);
          }
          file.env = JsonString(v);
        } else {
          check_.Warn(key_pointer, key);
        }
      }
      check_.Require(object, file_pointer, "source");
      check_.Require(object, file_pointer, "target");
      check_.Require(object, file_pointer, "env");
      files.push_back(std::move(file));
    }
    return files;
  }

  std::vector<std::string> ParseOutputNodes(const Value& value,
                                            const std::string& pointer) {
    if (value.IsString()) return {ParseName(value, pointer)};
    if (!value.IsArray()) {
      check_.Expected(pointer, "a service name or an array of service names",
                      value);
    }
    return ParseNames(value, pointer);
  }

  std::vector<std::string> ParseNames(const Value& array,
                                      const std::string& pointer) {
    std::vector<std::string> names;
    for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
      names.push_back(ParseName(array[i], Child(pointer, i)));
    }
    return names;
  }

  std::string ParseName(const Value& value, const std::string& pointer) {
    if (!value.IsString()) check_.Expected(pointer, "a service name", value);
    references_.push_back({pointer, JsonString(value)});
    return JsonString(value);
  }

  Readiness ParseReadiness(const Value& value, const std::string& pointer) {
    Readiness readiness;
    if (value.IsString() && JsonString(value) == "none") return readiness;
    if (!value.IsObject()) {
      check_.Expected(pointer, "\"none\" or an object", value);
    }
    check_.ExpectObject(value, pointer);
    int kinds = 0;
    for (const char* kind : {"tcp", "log", "heartbeat", "http", "exec", "all"}) {
      kinds += value.HasMember(kind);
    }
    if (kinds != 1) {
      check_.Expected(pointer,
                      "exactly one of \"tcp\", \"log\", \"heartbeat\", "
                      "\"http\", \"exec\" or \"all\"",
                      value);
    }
    bool timeout = false;
    for (const auto& member : value.GetObject()) {
      const std::string key = JsonString(member.name);
      const std::string key_pointer = Child(pointer, key);
      const Value& v = member.value;
      if (key == "tcp") {
        readiness.kind = Readiness::Kind::kTcp;
        readiness.port = check_.Port(v, key_pointer);
      } else if (key == "http") {
        readiness.kind = Readiness::Kind::kHttp;
        readiness.port = check_.Port(v, key_pointer);
      } else if (key == "path") {
        readiness.path = check_.NonEmptyString(v, key_pointer);
        if (readiness.path.front() != '/') {
          check_.Expected(key_pointer, "a path that starts with '/'", v);
        }
      } else if (key == "status") {
        readiness.status = check_.PositiveInt(v, key_pointer);
      } else if (key == "exec") {
        readiness.kind = Readiness::Kind::kExec;
        readiness.command = ParseCommand(v, key_pointer);
      } else if (key == "all") {
        readiness.kind = Readiness::Kind::kAll;
        if (!v.IsArray() || v.Empty()) {
          check_.Expected(key_pointer, "a non-empty array of readiness checks",
                          v);
        }
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
          readiness.all.push_back(ParseReadiness(v[i], Child(key_pointer, i)));
        }
      } else if (key == "log") {
        readiness.kind = Readiness::Kind::kLogLine;
        readiness.pattern = check_.NonEmptyString(v, key_pointer);
        // Compiled once here so that a bad pattern fails at load time, not
        // in the middle of a run.
        try {
          CompileUserRegex(readiness.pattern);
        } catch (const std::regex_error& e) {
          check_.Expected(
              key_pointer,
              "a valid regular expression (" + std::string(e.what()) + ")", v);
        }
      } else if (key == "count") {
        readiness.count = check_.PositiveInt(v, key_pointer);
      } else if (key == "heartbeat") {
        if (!v.IsBool() || !v.GetBool())
          check_.Expected(key_pointer, "true", v);
        readiness.kind = Readiness::Kind::kHeartbeat;
      } else if (key == "timeout") {
        readiness.timeout_s = check_.PositiveSeconds(v, key_pointer);
        timeout = true;
      } else {
        check_.Warn(key_pointer, key);
      }
    }
    // All of several waits as long as its slowest part, unless told.
    if (readiness.kind == Readiness::Kind::kAll && !timeout) {
      readiness.timeout_s = 0;
      for (const Readiness& part : readiness.all) {
        readiness.timeout_s = std::max(readiness.timeout_s, part.timeout_s);
      }
    }
    return readiness;
  }


  JsonChecker check_;
  std::vector<Reference> references_;
};

}  // namespace

const ServiceSpec* Spec::Find(std::string_view service) const {
  for (const auto& s : services) {
    if (s.name == service) return &s;
  }
  return nullptr;
}

Spec ParseSpec(std::string_view json, const std::string& file_label,
               const std::filesystem::path& dir,
               const std::filesystem::path& defaults) {
  rapidjson::Document document;
  ParseJson(document, json, file_label);
  std::filesystem::path defaults_file = defaults;
  if (defaults_file.empty() && document.IsObject()) {
    const auto named = document.FindMember("defaults");
    if (named != document.MemberEnd()) {
      if (!named->value.IsString() || named->value.GetStringLength() == 0) {
        throw Error(file_label +
                    ": /defaults: expected the path of a service-defaults "
                    "file");
      }
      defaults_file = dir / named->value.GetString();
    }
  }
  if (!defaults_file.empty()) ApplyServiceDefaults(document, defaults_file);
  return Parser(file_label).Parse(document, dir);
}

}  // namespace chancho
