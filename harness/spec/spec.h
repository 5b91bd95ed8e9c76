#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace chancho {

// How the harness decides that a replica is ready: one strategy, or all of
// several. Each has its own timeout.
struct Readiness {
  enum class Kind {
    kNone,       // ready as soon as the process runs
    kTcp,        // a TCP connect to `port` on the replica's address succeeds
    kLogLine,    // `count` log lines of the run match the regex `pattern`
    kHeartbeat,  // UDP "PING\0" to the heartbeat port is answered "PONG\0"
    kHttp,       // GET `path` on `port` answers `status`
    kExec,       // `command`, run in the replica's environment, exits 0
    kAll,        // every one of `all`
  };
  Kind kind = Kind::kNone;
  int port = 0;
  std::string pattern;
  int count = 1;
  std::string path = "/";
  int status = 200;
  std::vector<std::string> command;
  std::vector<Readiness> all;
  double timeout_s = 10.0;
};

// A file or directory of the host made visible to a service. Under Docker it
// is the volume `source:target`; under ProcessRuntime the service sees the
// host path. Either way the environment variable `env` names the path the
// service must use, so one binary works in both.
struct ConfigFile {
  std::string source;  // host path, relative to the spec's directory
  std::string target;  // path inside the container
  std::string env;     // environment variable that carries the path
};

// A seed key of the original generator's compose-spec.json that becomes
// one environment variable of each replica ("output_nodes" and "storage"
// have rules of their own). Adding a key is one line of kSeedKeys.
struct SeedKey {
  enum class Type {
    kString,
    kStrings,  // a string, or an array of strings (joined with ",")
    kPort,
    kPositiveInt,
    kNonNegativeInt,
    kSeconds,  // a non-negative number
  };
  std::string_view key;
  Type type;
  std::string_view variable;
};

inline constexpr SeedKey kSeedKeys[] = {
    {"log_level", SeedKey::Type::kString, "LOG_LEVEL"},
    {"heartbeat_port", SeedKey::Type::kPort, "HEARTBEAT_PORT"},
    {"messages_per_commit", SeedKey::Type::kPositiveInt,
     "MESSAGES_PER_COMMIT"},
    {"input_routing_key", SeedKey::Type::kStrings, "INPUT_ROUTING_KEY"},
    {"output_routing_key", SeedKey::Type::kStrings, "OUTPUT_ROUTING_KEY"},
    {"listen_backlog", SeedKey::Type::kPositiveInt, "LISTEN_BACKLOG"},
    {"ping_interval", SeedKey::Type::kSeconds, "PING_INTERVAL"},
    {"grace_period", SeedKey::Type::kSeconds, "GRACE_PERIOD"},
    {"max_retries", SeedKey::Type::kNonNegativeInt, "MAX_RETRIES"},
    {"max_concurrent_health_checks", SeedKey::Type::kPositiveInt,
     "MAX_CONCURRENT_HEALTH_CHECKS"},
};

// A number as the shortest text that reads back the same ("0.5", "3").
std::string NumberText(double value);

// One service of compose-spec.json. Seed keys keep their seed names.
struct ServiceSpec {
  std::string name;
  int replicas = 1;
  // How its replicas are named: "{index}" stands for 1..replicas
  // ("client{index}": client1, client2, ...). Empty: the service's name for
  // one replica, "<name>-<index>" for more.
  std::string replica_name;
  // What Chancho adds to the seed format.
  // A name of letters, digits and '-' that selectors (role:X) and the
  // spec's "spare" and "keep_one" refer to. The harness gives one role a
  // meaning of its own: "client" replicas are the workload that a scenario
  // starts with its fault clock and waits for, and they get a results
  // directory.
  std::string role = "worker";
  std::vector<std::string> command;  // program name (looked up in the
                                     // binary directories) and arguments
  std::string image;                 // Docker image; empty: project default
  // "{index}" in a value stands for the replica's index (1-based).
  std::map<std::string, std::string> environment;
  std::vector<ConfigFile> config_files;
  std::vector<std::string> depends_on;  // service names
  Readiness readiness;
  // It may run as one instance only ("replicas" above 1 is an error).
  bool single_instance = false;
  // It starts other replicas (a health-checker reviving the dead): it gets
  // the means to (the engine's socket under Docker, the control socket
  // under processes) and is stopped first.
  bool revives = false;
  // Seed keys (kSeedKeys): the variable each became -> its value text.
  std::map<std::string, std::string> seed_variables;
  std::optional<int> heartbeat_port;  // also HEARTBEAT_PORT above
  // "storage": true, or the host directory under which each replica's
  // storage is (relative: to the run directory; true: "storage").
  bool storage = false;
  std::filesystem::path storage_dir = "storage";
  // "output_nodes" and every "<x>_output_nodes": key -> service names.
  std::map<std::string, std::vector<std::string>> output_nodes;
};

struct Spec {
  std::string name;
  std::filesystem::path dir;  // directory the relative paths start from
  std::vector<ServiceSpec> services;
  // Roles whose replicas faults spare unless named exactly (random, prefix,
  // regex and role selections, auto loops and bombs); unset: {"client"}.
  std::optional<std::vector<std::string>> spare;
  // Roles of which faults always leave one replica (the first by name).
  std::vector<std::string> keep_one;
  // On the process runtime, every replica starts with Chancho's address
  // shim preloaded (LD_PRELOAD; harness/runtime/process/address_shim.cc):
  // a service that binds 0.0.0.0 and finds its peers by name then runs
  // unmodified. Without it, a service binds CHANCHO_BIND_IP and resolves
  // names through CHANCHO_HOSTS_FILE itself. Containers ignore it.
  bool address_shim = false;
  std::vector<std::string> warnings;  // unknown keys, one line each

  const ServiceSpec* Find(std::string_view service) const;
};

// Parses and validates a spec. `file_label` prefixes every error message,
// e.g. "compose-spec.json: /services/3/replicas: expected a positive integer,
// got \"three\"". Throws chancho::Error on the first problem found.
// `defaults`: a service-defaults file (service_defaults.h) applied first;
// empty: the one the spec's "defaults" key names (relative to `dir`), if
// any.
Spec ParseSpec(std::string_view json, const std::string& file_label,
               const std::filesystem::path& dir,
               const std::filesystem::path& defaults = {});

// Reads and parses the file at `path`; relative paths start at its directory.
Spec LoadSpec(const std::filesystem::path& path,
              const std::filesystem::path& defaults = {});

// Sets the replicas of every service of `role` to `replicas`, and removes
// those services when it is 0 (with what depends on them). Throws
// chancho::Error when `replicas` is negative, or when a service that stays
// depends on a removed one.
void ScaleRole(Spec& spec, std::string_view role, int replicas);

}  // namespace chancho
