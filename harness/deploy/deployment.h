#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/spec/spec.h"

namespace chancho {

// A host path made visible to one replica (see ConfigFile). For config files
// `host` is absolute. Storage directories are mounts too, with `storage` set
// and the relative `host` "storage/<replica name>", which each runtime
// resolves against its own directory (run directory, compose directory).
// `env` is not in ReplicaPlan::environment: each runtime adds it, with the
// target under Docker and the host path under ProcessRuntime.
struct Mount {
  std::filesystem::path host;
  std::string target;
  std::string env;
  bool storage = false;
};

// One process or container: a service's replica, with everything resolved.
struct ReplicaPlan {
  std::string name;     // "server", "client3", "filter-argentina-2"
  std::string service;  // the ServiceSpec name
  int index = 1;        // 1-based replica index
  std::string role;
  std::vector<std::string> command;
  std::string image;
  // Environment with seed keys already turned into variables; ordered, so
  // every output made from it is deterministic. It holds the service's
  // "environment" plus the generated SERVICE_NAME, REPLICA_NAME, REPLICA_ID,
  // REPLICAS, the seed keys in upper case (LOG_LEVEL, HEARTBEAT_PORT, ...),
  // and for each output_nodes key K: K in upper case (comma-joined service
  // names) and K_REPLICAS (their replica counts, same order). A generated
  // variable wins over a service variable of the same name.
  std::map<std::string, std::string> environment;
  std::vector<Mount> mounts;
  std::vector<std::string> depends_on;  // replica names
  Readiness readiness;
  int heartbeat_port = 0;  // 0: none
  // It starts other replicas (a health-checker reviving the dead): it gets
  // the means to (the engine's socket under Docker) and is stopped first.
  bool revives_others = false;
  // The container's name when a compose file of the user's fixes it
  // (container_name); empty otherwise.
  std::string container_name;
  // With a compose file of the user's: the networks it attaches the
  // service to ({"default"} when it lists none; empty with network_mode).
  std::vector<std::string> compose_networks;
};

// The single intermediate model: the compose file and both runtimes are
// produced from it. Replicas appear in start order (dependencies first).
struct Deployment {
  std::string project;
  std::string network = "testing_net";
  std::filesystem::path spec_dir;
  std::vector<ReplicaPlan> replicas;
  // Roles that faults spare unless named exactly, and roles of which they
  // leave one replica (Spec::spare, Spec::keep_one).
  std::vector<std::string> spare_roles = {"client"};
  std::vector<std::string> keep_one_roles;
  bool address_shim = false;  // Spec::address_shim
  // A compose file of the user's that the Docker runtime runs as it is
  // (chancho up -f), with Chancho's labels in an override file beside it;
  // empty: the Docker runtime writes the compose file from this plan.
  std::filesystem::path compose_file;

  const ReplicaPlan* Find(std::string_view replica) const;
  // Replicas whose name equals `name` or whose service is `name`.
  std::vector<const ReplicaPlan*> Match(std::string_view name) const;
};

// Spec -> Deployment. Pure: no I/O (a relative spec.dir is made absolute
// against the current directory). A service with replicas == 1 gives one
// replica named like the service; otherwise "<service>-1".."<service>-<n>".
// Services are ordered so that dependencies come first; among the services
// whose dependencies are placed, the earliest in the spec goes next, so an
// unconstrained spec keeps its order. Throws chancho::Error on a dependency
// cycle ("<project>: dependency cycle: a -> b -> a") and on names that do not
// exist (possible in specs built in code rather than parsed).
Deployment Plan(const Spec& spec);

// deployment.json for the run directory (deterministic, pretty-printed).
std::string DeploymentToJson(const Deployment& deployment);

}  // namespace chancho
