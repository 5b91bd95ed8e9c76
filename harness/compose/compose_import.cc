#include "harness/compose/compose_import.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <utility>

#include "common/error.h"
#include "common/file_text.h"
#include "harness/compose/compose_yaml.h"
#include "harness/spec/json_checker.h"

namespace chancho {
namespace {

namespace fs = std::filesystem;
using namespace compose_yaml;  // NOLINT: the helpers of this file

constexpr std::string_view kRoleLabel = "com.chancho.role";

// Compose's healthcheck defaults (and Docker's, for a zero value).
constexpr double kDefaultIntervalS = 30;
constexpr double kDefaultTimeoutS = 30;
constexpr int kDefaultRetries = 3;

// The service keys of the Compose Specification (compose-spec.json) and of
// file format 2.x ("volume_driver") that are accepted without a warning and
// left to compose (the keys this file reads are in it too).
constexpr std::string_view kComposeServiceKeys[] = {
    "annotations",     "attach",          "blkio_config",
    "build",           "cap_add",         "cap_drop",
    "cgroup",          "cgroup_parent",   "command",
    "configs",         "container_name",  "cpu_count",
    "cpu_percent",     "cpu_period",      "cpu_quota",
    "cpu_rt_period",   "cpu_rt_runtime",  "cpu_shares",
    "cpus",            "cpuset",          "credential_spec",
    "depends_on",      "deploy",          "develop",
    "device_cgroup_rules", "devices",     "dns",
    "dns_opt",         "dns_search",      "domainname",
    "entrypoint",      "env_file",        "environment",
    "expose",          "extends",         "external_links",
    "extra_hosts",     "gpus",            "group_add",
    "healthcheck",     "hostname",        "image",
    "init",            "ipc",             "isolation",
    "label_file",      "labels",          "links",
    "logging",         "mac_address",     "mem_limit",
    "mem_reservation", "mem_swappiness",  "memswap_limit",
    "models",          "network_mode",    "networks",
    "oom_kill_disable", "oom_score_adj",  "pid",
    "pids_limit",      "platform",        "ports",
    "post_start",      "pre_stop",        "privileged",
    "profiles",        "provider",        "pull_policy",
    "read_only",       "restart",         "runtime",
    "scale",           "secrets",         "security_opt",
    "shm_size",        "stdin_open",      "stop_grace_period",
    "stop_signal",     "storage_opt",     "sysctls",
    "tmpfs",           "tty",             "ulimits",
    "use_api_socket",  "user",            "userns_mode",
    "uts",             "volume_driver",   "volumes",
    "volumes_from",    "working_dir",
};

constexpr std::string_view kTopLevelKeys[] = {
    "configs", "name", "networks", "secrets", "services", "version", "volumes",
};

constexpr std::string_view kConditions[] = {
    "service_started",
    "service_healthy",
    "service_completed_successfully",
};

template <size_t N>
bool Contains(const std::string_view (&list)[N], std::string_view key) {
  return std::find(std::begin(list), std::end(list), key) != std::end(list);
}

bool IsExtension(std::string_view key) { return key.starts_with("x-"); }

// One key of a map, after merge keys ("<<") were applied.
struct Entry {
  std::string key;
  YAML::Node value;
  std::string path;
};

struct Dependency {
  std::string name;
  std::string path;
  bool required = true;  // depends_on's `required: false` makes it optional
};

struct ParsedService {
  ServiceSpec spec;
  std::string path;
  std::vector<std::string> profiles;
  bool active = true;
  std::vector<Dependency> dependencies;
  std::string container_name;
  // The networks the file attaches it to; {"default"} when it lists none;
  // empty with network_mode (it shares another's network).
  std::vector<std::string> networks = {"default"};
};

class Importer {
 public:
  Importer(std::string label, const ComposeImportOptions& options)
      : label_(std::move(label)), options_(options) {}

  ImportedCompose Import(const YAML::Node& root, const fs::path& file) {
    ImportedCompose result;
    result.file = fs::absolute(file).lexically_normal();
    const fs::path dir = result.file.parent_path();
    std::optional<YAML::Node> services;
    std::string name;
    for (const Entry& entry :
         Entries(root, "", "a map with \"services\"")) {
      if (entry.key == "services") {
        services = entry.value;
      } else if (entry.key == "name") {
        if (!entry.value.IsScalar() || !IsProjectName(entry.value.Scalar())) {
          Expected(entry.path,
                   "a project name of lower-case letters, digits, '_' and "
                   "'-' that starts with a letter or digit",
                   entry.value);
        }
        name = entry.value.Scalar();
      } else if (entry.key == "include") {
        Note(entry.path,
             "not followed: the services of included files are not read");
      } else if (!Contains(kTopLevelKeys, entry.key) &&
                 !IsExtension(entry.key)) {
        Warn(entry.path, entry.key);
      }
    }
    if (!services) Fail("", "missing required key \"services\"");
    result.project = ProjectName(name, dir);

    std::vector<ParsedService> parsed;
    const std::vector<Entry> entries =
        Entries(*services, "services", "a non-empty map of services");
    if (entries.empty()) {
      Expected("services", "a non-empty map of services", *services);
    }
    for (const Entry& entry : entries) {
      parsed.push_back(
          ParseService(entry.key, entry.value, entry.path, result.project));
    }

    std::map<std::string, const ParsedService*> by_name;
    for (const ParsedService& service : parsed) {
      by_name[service.spec.name] = &service;
    }
    for (const ParsedService& service : parsed) {
      for (const Dependency& dependency : service.dependencies) {
        if (by_name.count(dependency.name) == 0) {
          Fail(dependency.path, "unknown service " + Quote(dependency.name));
        }
      }
    }
    result.spec.name = result.project;
    result.spec.dir = dir;
    for (const ParsedService& service : parsed) {
      if (!service.active || service.spec.replicas == 0) continue;
      ServiceSpec spec = service.spec;
      for (const Dependency& dependency : service.dependencies) {
        const ParsedService& target = *by_name.at(dependency.name);
        if (!target.active) {
          if (!dependency.required) continue;
          std::string profiles;
          for (const std::string& profile : target.profiles) {
            profiles += (profiles.empty() ? "" : ", ") + profile;
          }
          Fail(dependency.path,
               "service " + Quote(service.spec.name) + " depends on " +
                   Quote(dependency.name) + ", whose profiles (" + profiles +
                   ") are not active");
        }
        // Compose does not wait for a service scaled to 0.
        if (target.spec.replicas == 0) continue;
        if (std::find(spec.depends_on.begin(), spec.depends_on.end(),
                      dependency.name) == spec.depends_on.end()) {
          spec.depends_on.push_back(dependency.name);
        }
      }
      if (!service.container_name.empty()) {
        result.container_names[spec.name] = service.container_name;
      }
      result.networks[spec.name] = service.networks;
      result.spec.services.push_back(std::move(spec));
    }
    if (result.spec.services.empty()) {
      Fail("services",
           "no service to run: each one has 0 replicas or only inactive "
           "profiles");
    }
    result.spec.warnings = std::move(warnings_);
    return result;
  }

 private:
  [[noreturn]] void Fail(const std::string& path,
                         const std::string& message) const {
    throw Error(label_ + ": " + (path.empty() ? "" : path + ": ") + message);
  }

  [[noreturn]] void Expected(const std::string& path, std::string_view what,
                             const YAML::Node& got) const {
    Fail(path, "expected " + std::string(what) + ", got " + ValueText(got));
  }

  void Warn(const std::string& path, std::string_view key) {
    warnings_.push_back(label_ + ": " + path + ": unknown key " + Quote(key) +
                        " ignored");
  }

  void Note(const std::string& path, const std::string& message) {
    warnings_.push_back(label_ + ": " + path + ": " + message);
  }

  // The keys of the map at `path` (anything else is "expected <what>"), in
  // order, with YAML merge keys applied: "<<: *defaults" or
  // "<<: [*a, *b]" adds the keys the map does not set itself (the first
  // merged map wins). A key repeated in one map is an error.
  std::vector<Entry> Entries(const YAML::Node& map, const std::string& path,
                             std::string_view what) const {
    if (!map.IsMap()) Expected(path, what, map);
    std::vector<Entry> entries;
    std::set<std::string> seen;
    Collect(map, path, 0, entries, seen);
    return entries;
  }

  void Collect(const YAML::Node& map, const std::string& path, int depth,
               std::vector<Entry>& entries,
               std::set<std::string>& seen) const {
    std::vector<YAML::Node> merges;
    std::set<std::string> own;
    for (const auto& member : map) {
      if (!member.first.IsScalar()) {
        Expected(path, "string keys", member.first);
      }
      const std::string& key = member.first.Scalar();
      const std::string key_path = Join(path, key);
      if (key == "<<" && member.first.Tag() == "?") {
        merges.push_back(member.second);
        continue;
      }
      if (!own.insert(key).second) Fail(key_path, "duplicate key " + Quote(key));
      if (seen.insert(key).second) {
        entries.push_back({key, member.second, key_path});
      }
    }
    const std::string merge_path = Join(path, "<<");
    constexpr char kMerge[] = "a map or a list of maps to merge";
    for (const YAML::Node& merge : merges) {
      // An alias can merge a map into itself.
      if (depth >= kMaxDepth) {
        Fail(merge_path, "merges nested deeper than " +
                             std::to_string(kMaxDepth) + " levels");
      }
      if (merge.IsMap()) {
        Collect(merge, path, depth + 1, entries, seen);
      } else if (merge.IsSequence()) {
        for (const auto& item : merge) {
          if (!item.IsMap()) Expected(merge_path, kMerge, merge);
          Collect(item, path, depth + 1, entries, seen);
        }
      } else {
        Expected(merge_path, kMerge, merge);
      }
    }
  }

  // A scalar's text (numbers and booleans as written); null, lists and
  // maps are "expected <what>".
  std::string Text(const YAML::Node& value, const std::string& path,
                   std::string_view what) const {
    if (!value.IsScalar()) Expected(path, what, value);
    return value.Scalar();
  }

  std::string NonEmptyText(const YAML::Node& value,
                           const std::string& path) const {
    if (!value.IsScalar() || value.Scalar().empty()) {
      Expected(path, "a non-empty string", value);
    }
    return value.Scalar();
  }

  int NonNegativeInt(const YAML::Node& value, const std::string& path) const {
    if (value.IsScalar()) {
      const std::string& text = value.Scalar();
      int number = 0;
      const char* end = text.data() + text.size();
      const auto [last, error] = std::from_chars(text.data(), end, number);
      if (!text.empty() && error == std::errc() && last == end && number >= 0) {
        return number;
      }
    }
    Expected(path, "a non-negative integer", value);
  }

  bool Bool(const YAML::Node& value, const std::string& path) const {
    bool result = false;
    if (!value.IsScalar() || !YAML::convert<bool>::decode(value, result)) {
      Expected(path, "true or false", value);
    }
    return result;
  }

  double Duration(const YAML::Node& value, const std::string& path) const {
    std::optional<double> seconds;
    if (value.IsScalar()) seconds = ParseDuration(value.Scalar());
    if (!seconds) {
      Expected(path, "a duration such as \"10s\", \"1m30s\" or \"500ms\"",
               value);
    }
    return *seconds;
  }

  // Names in a list; null is none.
  std::vector<std::string> Names(const YAML::Node& value,
                                 const std::string& path,
                                 std::string_view what,
                                 std::string_view item_what) const {
    std::vector<std::string> names;
    if (value.IsNull()) return names;
    if (!value.IsSequence()) Expected(path, what, value);
    size_t i = 0;
    for (const auto& item : value) {
      const std::string item_path = Join(path, i++);
      if (!item.IsScalar() || item.Scalar().empty()) {
        Expected(item_path, item_what, item);
      }
      names.push_back(item.Scalar());
    }
    return names;
  }

  std::string ProjectName(const std::string& name, const fs::path& dir) const {
    if (!options_.project.empty()) {
      if (!IsProjectName(options_.project)) {
        Fail("", "project name " + Quote(options_.project) +
                     ": expected lower-case letters, digits, '_' and '-' "
                     "that start with a letter or digit");
      }
      return options_.project;
    }
    if (!name.empty()) return name;
    const std::string project = ProjectFromDirectory(dir.filename().string());
    if (project.empty()) {
      Fail("", "cannot make a project name of the directory " +
                   Quote(dir.string()) + ": give one (\"name\")");
    }
    return project;
  }

  bool Active(const std::vector<std::string>& profiles) const {
    if (profiles.empty()) return true;
    for (const std::string& active : options_.profiles) {
      if (active == "*") return true;
      if (std::find(profiles.begin(), profiles.end(), active) !=
          profiles.end()) {
        return true;
      }
    }
    return false;
  }

  ParsedService ParseService(const std::string& name, const YAML::Node& value,
                             const std::string& path,
                             const std::string& project) {
    ParsedService service;
    service.path = path;
    service.spec.name = name;
    service.spec.role = RoleFromName(name);
    if (!IsServiceName(name)) {
      Fail(path,
           "expected a service name of letters, digits, '_', '.' and '-', "
           "got " +
               Quote(name));
    }
    std::optional<int> deploy_replicas;
    std::optional<int> scale;
    bool image = false;
    bool build = false;
    bool extends = false;
    std::string container_name_path;
    for (const Entry& entry :
         Entries(value, path, "a map of service keys")) {
      const std::string& key = entry.key;
      const YAML::Node& v = entry.value;
      if (key == "image") {
        service.spec.image = NonEmptyText(v, entry.path);
        image = true;
      } else if (key == "build") {
        if (!v.IsScalar() && !v.IsMap()) {
          Expected(entry.path, "a build context or a map", v);
        }
        build = true;
      } else if (key == "container_name") {
        service.container_name = NonEmptyText(v, entry.path);
        container_name_path = entry.path;
      } else if (key == "deploy") {
        if (v.IsNull()) continue;
        for (const Entry& deploy : Entries(v, entry.path, "a map")) {
          if (deploy.key == "replicas") {
            deploy_replicas = NonNegativeInt(deploy.value, deploy.path);
          }
        }
      } else if (key == "scale") {
        scale = NonNegativeInt(v, entry.path);
      } else if (key == "networks") {
        service.networks = ParseNetworks(v, entry.path);
      } else if (key == "network_mode") {
        service.networks.clear();
      } else if (key == "depends_on") {
        service.dependencies = ParseDependsOn(v, entry.path);
      } else if (key == "healthcheck") {
        service.spec.readiness = ParseHealthcheck(v, entry.path);
      } else if (key == "environment") {
        service.spec.environment = ParseEnvironment(v, entry.path);
      } else if (key == "profiles") {
        service.profiles = Names(v, entry.path, "a list of profile names",
                                 "a profile name");
      } else if (key == "labels") {
        if (std::optional<std::string> role = ParseLabels(v, entry.path)) {
          service.spec.role = *role;
        }
      } else if (key == "extends") {
        extends = true;
        Note(entry.path,
             "not followed: the keys of the extended service are not read");
      } else if (!Contains(kComposeServiceKeys, key) && !IsExtension(key)) {
        Warn(entry.path, key);
      }
      // command and entrypoint: compose runs the container with the file's
      // or the image's own, so ServiceSpec::command stays empty.
    }
    service.spec.replicas =
        deploy_replicas ? *deploy_replicas : scale ? *scale : 1;
    if (!image && build) {
      // docker-compose v1's name for the image it builds; compose v2 names
      // it "<project>-<service>".
      service.spec.image = project + "_" + name;
    } else if (!image && !extends) {
      Fail(path, "missing required key \"image\" (or \"build\")");
    }
    if (!service.container_name.empty() && service.spec.replicas > 1) {
      Fail(container_name_path,
           "names one container, but service " + Quote(name) + " has " +
               std::to_string(service.spec.replicas) + " replicas");
    }
    // One container of that name: Chancho refuses to scale it, as compose.
    service.spec.single_instance = !service.container_name.empty();
    service.active = Active(service.profiles);
    return service;
  }

  // The names of a service's `networks`: a list, or a map of name ->
  // settings (null or a map).
  std::vector<std::string> ParseNetworks(const YAML::Node& value,
                                         const std::string& path) {
    if (value.IsSequence()) {
      return Names(value, path, "a list or map of networks", "a network name");
    }
    std::vector<std::string> names;
    for (const Entry& network : Entries(value, path, "a list or map of networks")) {
      names.push_back(network.key);
    }
    return names;
  }

  std::vector<Dependency> ParseDependsOn(const YAML::Node& value,
                                         const std::string& path) {
    std::vector<Dependency> dependencies;
    if (value.IsNull()) return dependencies;
    if (value.IsSequence()) {
      size_t i = 0;
      for (const auto& item : value) {
        const std::string item_path = Join(path, i++);
        if (!item.IsScalar() || item.Scalar().empty()) {
          Expected(item_path, "a service name", item);
        }
        dependencies.push_back({item.Scalar(), item_path});
      }
      return dependencies;
    }
    for (const Entry& entry :
         Entries(value, path, "a list of service names or a map of them")) {
      Dependency dependency{entry.key, entry.path};
      if (!entry.value.IsNull()) {
        for (const Entry& field :
             Entries(entry.value, entry.path, "a map with \"condition\"")) {
          if (field.key == "condition") {
            const std::string condition =
                Text(field.value, field.path, "a condition");
            if (!Contains(kConditions, condition)) {
              Expected(field.path,
                       "service_started, service_healthy or "
                       "service_completed_successfully",
                       field.value);
            }
          } else if (field.key == "required") {
            dependency.required = Bool(field.value, field.path);
          } else if (field.key == "restart") {
            Bool(field.value, field.path);
          } else if (!IsExtension(field.key)) {
            Warn(field.path, field.key);
          }
        }
      }
      dependencies.push_back(std::move(dependency));
    }
    return dependencies;
  }

  Readiness ParseHealthcheck(const YAML::Node& value,
                             const std::string& path) {
    Readiness none;
    if (value.IsNull()) return none;
    std::optional<Entry> test;
    bool disable = false;
    double interval = 0;
    double timeout = 0;
    double start_period = 0;
    int retries = 0;
    for (const Entry& entry : Entries(value, path, "a map")) {
      if (entry.key == "test") {
        test = entry;
      } else if (entry.key == "interval") {
        interval = Duration(entry.value, entry.path);
      } else if (entry.key == "timeout") {
        timeout = Duration(entry.value, entry.path);
      } else if (entry.key == "start_period") {
        start_period = Duration(entry.value, entry.path);
      } else if (entry.key == "start_interval") {
        Duration(entry.value, entry.path);
      } else if (entry.key == "retries") {
        retries = NonNegativeInt(entry.value, entry.path);
      } else if (entry.key == "disable") {
        disable = Bool(entry.value, entry.path);
      } else if (!IsExtension(entry.key)) {
        Warn(entry.path, entry.key);
      }
    }
    // Without a test, the image's own HEALTHCHECK applies: not seen here.
    if (disable || !test) return none;
    std::vector<std::string> command = ParseTest(test->value, test->path);
    if (command.empty()) return none;
    Readiness readiness;
    readiness.kind = Readiness::Kind::kExec;
    readiness.command = std::move(command);
    // Docker reads 0 as "inherit": the defaults.
    if (interval == 0) interval = kDefaultIntervalS;
    if (timeout == 0) timeout = kDefaultTimeoutS;
    if (retries == 0) retries = kDefaultRetries;
    readiness.timeout_s = start_period + retries * (interval + timeout);
    return readiness;
  }

  // The healthcheck's command; empty for ["NONE"].
  std::vector<std::string> ParseTest(const YAML::Node& value,
                                     const std::string& path) const {
    constexpr char kTest[] =
        "a command line or a list [\"CMD\", ...], [\"CMD-SHELL\", \"...\"] "
        "or [\"NONE\"]";
    if (value.IsScalar()) {
      if (value.Scalar().empty()) Expected(path, kTest, value);
      return {"sh", "-c", value.Scalar()};
    }
    if (!value.IsSequence() || value.size() == 0) {
      Expected(path, kTest, value);
    }
    std::vector<std::string> items;
    YAML::Node first;
    size_t i = 0;
    for (const auto& item : value) {
      if (i == 0) first.reset(item);
      items.push_back(Text(item, Join(path, i++), "a string"));
    }
    const std::string& form = items.front();
    if (form == "NONE") return {};
    if (form == "CMD") {
      if (items.size() < 2 || items[1].empty()) {
        Expected(path, "[\"CMD\", program, arguments...]", value);
      }
      return {items.begin() + 1, items.end()};
    }
    if (form == "CMD-SHELL") {
      if (items.size() != 2 || items[1].empty()) {
        Expected(path, "[\"CMD-SHELL\", \"command line\"]", value);
      }
      return {"sh", "-c", items[1]};
    }
    Expected(Join(path, size_t{0}), "\"CMD\", \"CMD-SHELL\" or \"NONE\"",
             first);
  }

  std::map<std::string, std::string> ParseEnvironment(
      const YAML::Node& value, const std::string& path) const {
    std::map<std::string, std::string> environment;
    if (value.IsNull()) return environment;
    if (value.IsSequence()) {
      size_t i = 0;
      for (const auto& item : value) {
        const std::string item_path = Join(path, i++);
        constexpr char kItem[] = "a \"KEY=VALUE\" or \"KEY\" string";
        const std::string text = Text(item, item_path, kItem);
        const size_t equals = text.find('=');
        const std::string key = text.substr(0, equals);
        if (key.empty()) Expected(item_path, kItem, item);
        if (equals != std::string::npos) {
          environment[key] = text.substr(equals + 1);
        } else if (std::optional<std::string> inherited =
                       FromEnvironment(key)) {
          environment[key] = *inherited;
        }
      }
      return environment;
    }
    for (const Entry& entry :
         Entries(value, path,
                 "a list of \"KEY=VALUE\" strings or a map of variables")) {
      if (entry.key.empty() || entry.key.find('=') != std::string::npos) {
        Fail(entry.path, "expected a variable name, got " + Quote(entry.key));
      }
      if (entry.value.IsNull()) {
        if (std::optional<std::string> inherited = FromEnvironment(entry.key)) {
          environment[entry.key] = *inherited;
        }
      } else {
        environment[entry.key] = Text(entry.value, entry.path,
                                      "a string, number, boolean or null");
      }
    }
    return environment;
  }

  // The role the labels give, if any.
  std::optional<std::string> ParseLabels(const YAML::Node& value,
                                         const std::string& path) const {
    std::optional<std::string> role;
    if (value.IsNull()) return role;
    auto check = [this](const std::string& text, const std::string& where) {
      if (!IsRole(text)) {
        Fail(where,
             "expected a role: lower-case letters, digits and '-' (worker, "
             "server, client, broker, ...), got " +
                 Quote(text));
      }
      return text;
    };
    if (value.IsSequence()) {
      size_t i = 0;
      for (const auto& item : value) {
        const std::string item_path = Join(path, i++);
        const std::string text =
            Text(item, item_path, "a \"KEY=VALUE\" string");
        const size_t equals = text.find('=');
        if (text.substr(0, equals) == kRoleLabel) {
          role = check(equals == std::string::npos ? ""
                                                   : text.substr(equals + 1),
                       item_path);
        }
      }
      return role;
    }
    for (const Entry& entry :
         Entries(value, path, "a list of \"KEY=VALUE\" strings or a map")) {
      const std::string text =
          entry.value.IsNull()
              ? ""
              : Text(entry.value, entry.path,
                     "a string, number, boolean or null");
      if (entry.key == kRoleLabel) role = check(text, entry.path);
    }
    return role;
  }

  std::string label_;
  const ComposeImportOptions& options_;
  std::vector<std::string> warnings_;
};

}  // namespace

ImportedCompose ImportComposeText(std::string_view yaml,
                                  const std::filesystem::path& file,
                                  const ComposeImportOptions& options) {
  const std::string label = file.string();
  const YAML::Node root = ParseYaml(yaml, label);
  try {
    return Importer(label, options).Import(root, file);
  } catch (const YAML::Exception& e) {
    // Not expected (the walk converts nothing that throws), but never let
    // one escape as anything but a one-line Error.
    throw Error(label + ": " + Where(e.mark) + e.msg);
  }
}

ImportedCompose ImportCompose(const std::filesystem::path& file,
                              const ComposeImportOptions& options) {
  const std::string text = ReadText(file);
  return ImportComposeText(text, file, options);
}

Deployment PlanImported(const ImportedCompose& imported) {
  Deployment deployment = Plan(imported.spec);
  deployment.compose_file = imported.file;
  // The network Chancho adds for its link proxies, when there are links.
  deployment.network = "chancho_links";
  for (ReplicaPlan& replica : deployment.replicas) {
    const auto fixed = imported.container_names.find(replica.service);
    if (fixed != imported.container_names.end()) {
      replica.container_name = fixed->second;
    }
    if (const auto networks = imported.networks.find(replica.service);
        networks != imported.networks.end()) {
      replica.compose_networks = networks->second;
    }
  }
  return deployment;
}

}  // namespace chancho
