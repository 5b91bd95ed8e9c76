#include "harness/compose/compose.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <system_error>

namespace chancho {
namespace {

namespace fs = std::filesystem;

// Plain scalars that YAML 1.1 (docker-compose, PyYAML) or YAML 1.2 (docker
// compose v2) would not read as strings: compose rejects a number where it
// wants a string, and an entrypoint argument "1" must stay "1".
bool NeedsQuotes(const std::string& text) {
  static const std::regex kNonString(
      "|~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|"
      "False|FALSE|on|On|ON|off|Off|OFF|"
      "[-+]?(\\.[0-9_]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|"
      "[-+]?0[xXoObB][0-9a-fA-F_]+|"
      "[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?|"
      "[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
  return std::regex_match(text, kNonString);
}

// Compose interpolates "$VAR" in every value; "$$" is a literal "$".
std::string EscapeDollars(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '$') out += '$';
  }
  return out;
}

void EmitString(YAML::Emitter& out, const std::string& text) {
  const std::string value = EscapeDollars(text);
  if (NeedsQuotes(value)) out << YAML::DoubleQuoted;
  out << value;
}

void EmitKeyValue(YAML::Emitter& out, const std::string& key,
                  const std::string& value) {
  out << YAML::Key;
  EmitString(out, key);
  out << YAML::Value;
  EmitString(out, value);
}

void EmitList(YAML::Emitter& out, const char* key,
              const std::vector<std::string>& items) {
  if (items.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const auto& item : items) EmitString(out, item);
  out << YAML::EndSeq;
}

// The host side of a volume, as compose wants it: relative paths must start
// with "." or compose takes them for named volumes.
std::string VolumeHost(const Mount& mount, const fs::path& output_dir) {
  if (mount.host.is_relative()) return "./" + mount.host.generic_string();
  if (output_dir.empty()) return mount.host.generic_string();
  const fs::path relative = mount.host.lexically_normal().lexically_relative(
      fs::absolute(output_dir).lexically_normal());
  if (relative.empty()) return mount.host.generic_string();
  const std::string text = relative.generic_string();
  if (text == "." || text.starts_with("../") || text == "..") return text;
  return "./" + text;
}

constexpr char kSocketInContainer[] = "/var/run/docker.sock";
constexpr char kRunDirInContainer[] = "/chancho-run";

// The volumes and variables that a replica's role gets from the runtime.
// The socket keeps its absolute path: it belongs to the machine, not to the
// run.
void AddRoleMounts(const ReplicaPlan& replica, const ComposeOptions& options,
                   std::vector<std::string>& volumes,
                   std::map<std::string, std::string>& environment) {
  if (replica.revives_others && !options.docker_socket.empty()) {
    volumes.push_back(options.docker_socket.generic_string() + ":" +
                      kSocketInContainer);
    if (!environment.contains("CONTAINER_PREFIX") &&
        !environment.contains("REVIVE_COMMAND")) {
      if (!options.swarm_stack.empty()) {
        environment["REVIVE_COMMAND"] =
            "docker service update --detach --quiet --force " +
            options.swarm_stack + "_{name}";
      } else if (options.container_name_prefix.empty()) {
        environment["REVIVE_COMMAND"] = "docker start {name}";
      } else {
        environment["CONTAINER_PREFIX"] = options.container_name_prefix;
      }
    }
  }
  if (replica.role == "client" && !options.results_dir.empty()) {
    const Mount results{options.results_dir, "", "", false};
    volumes.push_back(VolumeHost(results, options.output_dir) + ":" +
                      kRunDirInContainer + "/results");
    environment["CHANCHO_RUN_DIR"] = kRunDirInContainer;
  }
}

// The top-level `networks` with the deployment's network: `internal`, the
// options.labels and an IPAM subnet (and ip_range).
void EmitNetworks(YAML::Emitter& out, const Deployment& deployment,
                  const ComposeOptions& options) {
  out << YAML::Key << "networks" << YAML::Value << YAML::BeginMap;
  out << YAML::Key;
  EmitString(out, deployment.network);
  out << YAML::Value << YAML::BeginMap;
  if (!options.swarm_stack.empty()) {
    EmitKeyValue(out, "driver", "overlay");
    // A probe container joins it; the host cannot reach an overlay.
    out << YAML::Key << "attachable" << YAML::Value << true;
  }
  if (options.internal_network) {
    out << YAML::Key << "internal" << YAML::Value << true;
  }
  if (!options.labels.empty()) {
    out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
    for (const auto& [key, value] : options.labels) {
      EmitKeyValue(out, key, value);
    }
    out << YAML::EndMap;
  }
  out << YAML::Key << "ipam" << YAML::Value << YAML::BeginMap;
  EmitKeyValue(out, "driver", "default");
  out << YAML::Key << "config" << YAML::Value << YAML::BeginSeq
      << YAML::BeginMap;
  EmitKeyValue(out, "subnet", options.subnet);
  // A stack file's IPAM config takes a subnet only.
  if (!options.ip_range.empty() && options.swarm_stack.empty()) {
    EmitKeyValue(out, "ip_range", options.ip_range);
  }
  out << YAML::EndMap << YAML::EndSeq;
  out << YAML::EndMap << YAML::EndMap << YAML::EndMap;
}

// A replica's extra_hosts (options.extra_hosts), if it has any.
void EmitExtraHosts(YAML::Emitter& out, const ReplicaPlan& replica,
                    const ComposeOptions& options) {
  if (const auto hosts = options.extra_hosts.find(replica.name);
      hosts != options.extra_hosts.end()) {
    std::vector<std::string> lines;
    for (const auto& [name, address] : hosts->second) {
      lines.push_back(name + ":" + address);
    }
    EmitList(out, "extra_hosts", lines);
  }
}

// The labels of a replica's service: com.chancho.project, .service and
// .role, then options.labels.
void EmitLabels(YAML::Emitter& out, const Deployment& deployment,
                const ReplicaPlan& replica, const ComposeOptions& options) {
  out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
  EmitKeyValue(out, "com.chancho.project", deployment.project);
  EmitKeyValue(out, "com.chancho.service", replica.service);
  EmitKeyValue(out, "com.chancho.role", replica.role);
  for (const auto& [key, value] : options.labels) EmitKeyValue(out, key, value);
  out << YAML::EndMap;
}

void EmitReplica(YAML::Emitter& out, const Deployment& deployment,
                 const ReplicaPlan& replica, const ComposeOptions& options) {
  out << YAML::Key;
  EmitString(out, replica.name);
  out << YAML::Value << YAML::BeginMap;
  const bool swarm = !options.swarm_stack.empty();
  if (!swarm) {
    EmitKeyValue(out, "container_name",
                 options.container_name_prefix + replica.name);
  }
  EmitKeyValue(out, "image", replica.image);
  EmitList(out, "entrypoint", replica.command);

  // Under Docker a mount's variable names the path inside the container.
  std::map<std::string, std::string> environment = replica.environment;
  for (const auto& mount : replica.mounts)
    environment[mount.env] = mount.target;
  std::vector<std::string> volumes;
  for (const auto& mount : replica.mounts) {
    volumes.push_back(VolumeHost(mount, options.output_dir) + ":" +
                      mount.target);
  }
  AddRoleMounts(replica, options, volumes, environment);
  std::vector<std::string> lines;
  for (const auto& [key, value] : environment) {
    lines.push_back(key + "=" + value);
  }
  EmitList(out, "environment", lines);
  if (const auto fixed = options.addresses.find(replica.name);
      !swarm && fixed != options.addresses.end()) {
    out << YAML::Key << "networks" << YAML::Value << YAML::BeginMap;
    out << YAML::Key;
    EmitString(out, deployment.network);
    out << YAML::Value << YAML::BeginMap;
    EmitKeyValue(out, "ipv4_address", fixed->second);
    out << YAML::EndMap << YAML::EndMap;
  } else {
    EmitList(out, "networks", {deployment.network});
  }
  EmitExtraHosts(out, replica, options);

  EmitList(out, "volumes", volumes);
  if (!swarm) EmitList(out, "depends_on", replica.depends_on);

  EmitLabels(out, deployment, replica, options);
  if (swarm) {
    out << YAML::Key << "deploy" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "replicas" << YAML::Value << 0;
    // The service's name resolves to its task's address, as a container's
    // does under compose; a virtual IP in front of it would answer
    // connections for a task that is down.
    EmitKeyValue(out, "endpoint_mode", "dnsrr");
    out << YAML::Key << "restart_policy" << YAML::Value << YAML::BeginMap;
    EmitKeyValue(out, "condition", "none");
    out << YAML::EndMap;
    EmitLabels(out, deployment, replica, options);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

// A comment line must not be broken by a name with a line break in it.
std::string CommentSafe(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return out;
}

}  // namespace

std::string RenderCompose(const Deployment& deployment,
                          const ComposeOptions& options) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  // docker stack deploy needs a version; compose v1 and v2 do without.
  if (!options.swarm_stack.empty()) EmitKeyValue(out, "version", "3.8");
  out << YAML::Key << "services" << YAML::Value << YAML::BeginMap;
  for (const auto& replica : deployment.replicas) {
    EmitReplica(out, deployment, replica, options);
  }
  out << YAML::EndMap;

  EmitNetworks(out, deployment, options);
  out << YAML::EndMap;
  if (!out.good()) {
    throw Error(deployment.project +
                ": cannot render the compose file: " + out.GetLastError());
  }

  const std::string project = CommentSafe(deployment.project);
  if (!options.swarm_stack.empty()) {
    return "# Generated by chancho for project \"" + project +
           "\". Do not edit.\n# Deploy it with docker stack deploy "
           "--resolve-image never -c FILE " +
           CommentSafe(options.swarm_stack) + ".\n" + out.c_str() + "\n";
  }
  return "# Generated by chancho for project \"" + project +
         "\". Do not edit.\n"
         "# docker-compose 1.29 rejects a top-level \"name\": run it with -p " +
         project + ".\n" + out.c_str() + "\n";
}

std::string RenderComposeOverride(const Deployment& deployment,
                                  const ComposeOptions& options) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "services" << YAML::Value << YAML::BeginMap;
  std::set<std::string> done;
  for (const auto& replica : deployment.replicas) {
    if (!done.insert(replica.service).second) continue;
    out << YAML::Key;
    EmitString(out, replica.service);
    out << YAML::Value << YAML::BeginMap;
    EmitLabels(out, deployment, replica, options);
    // A linked replica finds its upstream's name at the proxy. (The links'
    // network is not in the file: compose would connect a container to a
    // second network only when compose starts it.)
    EmitExtraHosts(out, replica, options);
    if (replica.role == "client" && !options.results_dir.empty()) {
      const Mount results{options.results_dir, "", "", false};
      out << YAML::Key << "volumes" << YAML::Value << YAML::BeginSeq;
      EmitString(out, VolumeHost(results, options.output_dir) + ":" +
                          kRunDirInContainer + "/results");
      out << YAML::EndSeq;
      out << YAML::Key << "environment" << YAML::Value << YAML::BeginMap;
      EmitKeyValue(out, "CHANCHO_RUN_DIR", kRunDirInContainer);
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
  if (!out.good()) {
    throw Error(deployment.project +
                ": cannot render the override file: " + out.GetLastError());
  }
  return "# Chancho's additions to " +
         CommentSafe(deployment.compose_file.string()) +
         ", which is used as it is: labels, and the clients' results\n"
         "# directory.\n" + out.c_str() + "\n";
}

void WriteCompose(const Deployment& deployment, const ComposeOptions& options,
                  const std::filesystem::path& file) {
  WriteComposeText(RenderCompose(deployment, options), file);
}

void WriteComposeText(const std::string& text, const std::filesystem::path& file) {
  if (file.has_parent_path()) {
    std::error_code error;
    fs::create_directories(file.parent_path(), error);
    if (error) {
      throw Error(file.string() + ": cannot create " +
                  file.parent_path().string() + ": " + error.message());
    }
  }
  std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(file.c_str(), "wb"),
                                            &std::fclose);
  if (!out) {
    throw Error(file.string() + ": cannot write: " + std::strerror(errno));
  }
  if (std::fwrite(text.data(), 1, text.size(), out.get()) != text.size() ||
      std::fflush(out.get()) != 0) {
    throw Error(file.string() + ": cannot write: " + std::strerror(errno));
  }
  FILE* raw = out.release();
  if (std::fclose(raw) != 0) {
    throw Error(file.string() + ": cannot write: " + std::strerror(errno));
  }
}

}  // namespace chancho
