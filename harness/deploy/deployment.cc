#include "harness/deploy/deployment.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>

namespace chancho {
namespace {

std::string Quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// Shortest text that reads back as the same double: 0.5, 3, 1e+20.
std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = std::toupper(static_cast<unsigned char>(c));
  return out;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += ",";
    out += part;
  }
  return out;
}

// `text` with each "{index}" replaced by `index`.
std::string WithIndex(std::string text, int index) {
  const std::string value = std::to_string(index);
  for (auto at = text.find("{index}"); at != std::string::npos;
       at = text.find("{index}", at + value.size())) {
    text.replace(at, 7, value);
  }
  return text;
}

std::string ReplicaName(const ServiceSpec& service, int index) {
  if (!service.replica_name.empty()) {
    return WithIndex(service.replica_name, index);
  }
  if (service.replicas == 1) return service.name;
  return service.name + "-" + std::to_string(index);
}

// Indices of the services each service depends on; throws on unknown names.
std::vector<std::vector<size_t>> Dependencies(const Spec& spec) {
  std::vector<std::vector<size_t>> dependencies(spec.services.size());
  for (size_t i = 0; i < spec.services.size(); ++i) {
    const ServiceSpec& service = spec.services[i];
    for (const auto& name : service.depends_on) {
      const ServiceSpec* dependency = spec.Find(name);
      if (dependency == nullptr) {
        throw Error(spec.name + ": service " + Quoted(service.name) +
                    " depends on unknown service " + Quoted(name));
      }
      dependencies[i].push_back(dependency - spec.services.data());
    }
  }
  return dependencies;
}

// Follows unplaced dependencies from the first unplaced service until a
// service repeats; every unplaced service has one, so this ends in a cycle.
[[noreturn]] void ThrowCycle(const Spec& spec,
                             const std::vector<std::vector<size_t>>& deps,
                             const std::vector<bool>& placed) {
  size_t current =
      std::find(placed.begin(), placed.end(), false) - placed.begin();
  std::vector<size_t> path;
  while (std::find(path.begin(), path.end(), current) == path.end()) {
    path.push_back(current);
    for (size_t d : deps[current]) {
      if (!placed[d]) {
        current = d;
        break;
      }
    }
  }
  std::string text;
  auto start = std::find(path.begin(), path.end(), current);
  for (auto it = start; it != path.end(); ++it) {
    text += spec.services[*it].name + " -> ";
  }
  throw Error(spec.name + ": dependency cycle: " + text +
              spec.services[current].name);
}

// Kahn's algorithm, always taking the earliest ready service in spec order.
std::vector<size_t> StartOrder(const Spec& spec) {
  const auto deps = Dependencies(spec);
  std::vector<bool> placed(spec.services.size(), false);
  std::vector<size_t> order;
  while (order.size() < spec.services.size()) {
    std::optional<size_t> next;
    for (size_t i = 0; i < spec.services.size() && !next; ++i) {
      if (!placed[i] && std::all_of(deps[i].begin(), deps[i].end(),
                                    [&](size_t d) { return placed[d]; })) {
        next = i;
      }
    }
    if (!next) ThrowCycle(spec, deps, placed);
    placed[*next] = true;
    order.push_back(*next);
  }
  return order;
}

std::map<std::string, std::string> Environment(const Spec& spec,
                                               const ServiceSpec& service,
                                               int index) {
  std::map<std::string, std::string> env;
  for (const auto& [key, value] : service.environment) {
    env[key] = WithIndex(value, index);
  }
  env["SERVICE_NAME"] = service.name;
  env["REPLICA_NAME"] = ReplicaName(service, index);
  env["REPLICA_ID"] = std::to_string(index);
  env["REPLICAS"] = std::to_string(service.replicas);
  for (const auto& [variable, value] : service.seed_variables) {
    env[variable] = value;
  }
  // The heartbeat port is also what heartbeat readiness probes, and may be
  // set without the seed key.
  if (service.heartbeat_port) {
    env["HEARTBEAT_PORT"] = std::to_string(*service.heartbeat_port);
  }
  for (const auto& [key, names] : service.output_nodes) {
    std::vector<std::string> counts;
    for (const auto& name : names) {
      const ServiceSpec* node = spec.Find(name);
      if (node == nullptr) {
        throw Error(spec.name + ": service " + Quoted(service.name) + ": " +
                    key + " names unknown service " + Quoted(name));
      }
      counts.push_back(std::to_string(node->replicas));
    }
    env[Upper(key)] = Join(names);
    env[Upper(key) + "_REPLICAS"] = Join(counts);
  }
  return env;
}

std::vector<Mount> Mounts(const Spec& spec, const ServiceSpec& service,
                          const std::string& replica) {
  std::vector<Mount> mounts;
  for (const auto& file : service.config_files) {
    std::filesystem::path host = spec.dir / file.source;
    if (!host.is_absolute()) host = std::filesystem::absolute(host);
    mounts.push_back({host.lexically_normal(), file.target, file.env, false});
  }
  if (service.storage) {
    mounts.push_back({(service.storage_dir / replica).lexically_normal(),
                      "/storage",
                      "STORAGE_DIR", true});
  }
  return mounts;
}

const char* KindName(Readiness::Kind kind) {
  switch (kind) {
    case Readiness::Kind::kNone:
      return "none";
    case Readiness::Kind::kTcp:
      return "tcp";
    case Readiness::Kind::kLogLine:
      return "log";
    case Readiness::Kind::kHeartbeat:
      return "heartbeat";
    case Readiness::Kind::kHttp:
      return "http";
    case Readiness::Kind::kExec:
      return "exec";
    case Readiness::Kind::kAll:
      return "all";
  }
  return "none";
}

using JsonWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void WriteString(JsonWriter& w, std::string_view text) {
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void WriteStrings(JsonWriter& w, const std::vector<std::string>& items) {
  w.StartArray();
  for (const auto& item : items) WriteString(w, item);
  w.EndArray();
}

void WriteReplica(JsonWriter& w, const ReplicaPlan& r) {
  w.StartObject();
  w.Key("name");
  WriteString(w, r.name);
  w.Key("service");
  WriteString(w, r.service);
  w.Key("index");
  w.Int(r.index);
  w.Key("role");
  WriteString(w, r.role);
  w.Key("command");
  WriteStrings(w, r.command);
  w.Key("image");
  WriteString(w, r.image);
  w.Key("environment");
  w.StartObject();
  for (const auto& [key, value] : r.environment) {
    WriteString(w, key);
    WriteString(w, value);
  }
  w.EndObject();
  w.Key("mounts");
  w.StartArray();
  for (const auto& mount : r.mounts) {
    w.StartObject();
    w.Key("host");
    WriteString(w, mount.host.string());
    w.Key("target");
    WriteString(w, mount.target);
    w.Key("env");
    WriteString(w, mount.env);
    w.Key("storage");
    w.Bool(mount.storage);
    w.EndObject();
  }
  w.EndArray();
  w.Key("depends_on");
  WriteStrings(w, r.depends_on);
  w.Key("readiness");
  w.StartObject();
  w.Key("kind");
  w.String(KindName(r.readiness.kind));
  w.Key("port");
  w.Int(r.readiness.port);
  w.Key("pattern");
  WriteString(w, r.readiness.pattern);
  w.Key("timeout_s");
  w.Double(r.readiness.timeout_s);
  w.EndObject();
  w.Key("heartbeat_port");
  w.Int(r.heartbeat_port);
  w.Key("revives_others");
  w.Bool(r.revives_others);
  w.EndObject();
}

}  // namespace

const ReplicaPlan* Deployment::Find(std::string_view replica) const {
  for (const auto& r : replicas) {
    if (r.name == replica) return &r;
  }
  return nullptr;
}

std::vector<const ReplicaPlan*> Deployment::Match(std::string_view name) const {
  std::vector<const ReplicaPlan*> matches;
  for (const auto& r : replicas) {
    if (r.name == name || r.service == name) matches.push_back(&r);
  }
  return matches;
}

Deployment Plan(const Spec& spec) {
  Deployment deployment;
  deployment.project = spec.name;
  deployment.spec_dir = spec.dir;
  if (spec.spare) deployment.spare_roles = *spec.spare;
  deployment.keep_one_roles = spec.keep_one;
  deployment.address_shim = spec.address_shim;
  for (size_t i : StartOrder(spec)) {
    const ServiceSpec& service = spec.services[i];
    std::vector<std::string> depends_on;
    for (const auto& name : service.depends_on) {
      const ServiceSpec& dependency = *spec.Find(name);
      for (int k = 1; k <= dependency.replicas; ++k) {
        const std::string replica = ReplicaName(dependency, k);
        // A service listed twice in depends_on still gives each replica once.
        if (std::find(depends_on.begin(), depends_on.end(), replica) ==
            depends_on.end()) {
          depends_on.push_back(replica);
        }
      }
    }
    for (int k = 1; k <= service.replicas; ++k) {
      ReplicaPlan r;
      r.name = ReplicaName(service, k);
      r.service = service.name;
      r.index = k;
      r.role = service.role;
      r.revives_others = service.revives;
      r.command = service.command;
      r.image = service.image.empty() ? "chancho/" + spec.name + ":latest"
                                      : service.image;
      r.environment = Environment(spec, service, k);
      r.mounts = Mounts(spec, service, r.name);
      r.depends_on = depends_on;
      r.readiness = service.readiness;
      r.heartbeat_port = service.heartbeat_port.value_or(0);
      deployment.replicas.push_back(std::move(r));
    }
  }
  return deployment;
}

std::string DeploymentToJson(const Deployment& deployment) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("project");
  WriteString(w, deployment.project);
  w.Key("network");
  WriteString(w, deployment.network);
  w.Key("spec_dir");
  WriteString(w, deployment.spec_dir.string());
  w.Key("spare");
  WriteStrings(w, deployment.spare_roles);
  w.Key("keep_one");
  WriteStrings(w, deployment.keep_one_roles);
  w.Key("replicas");
  w.StartArray();
  for (const auto& replica : deployment.replicas) WriteReplica(w, replica);
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace chancho
