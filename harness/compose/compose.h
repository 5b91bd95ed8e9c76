#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "harness/deploy/deployment.h"

namespace chancho {

struct ComposeOptions {
  // Directory the compose file is written to. Host paths of volumes are
  // made relative to it ("./server/config.ini", "../shared/x.ini"); storage
  // mounts become "./storage/<replica>". A relative directory starts at the
  // current directory; an empty one keeps config paths absolute.
  std::filesystem::path output_dir;
  bool internal_network = false;  // no route out of the network
  std::string subnet = "172.25.125.0/24";
  // Put before every container_name, so that runs side by side do not
  // collide; service names (the names DNS resolves) stay the replica names.
  std::string container_name_prefix;
  // More labels for every service and for the network, after the
  // com.chancho.* labels above, in key order (DockerRuntime: run and owner).
  std::map<std::string, std::string> labels;
  // When set, replicas of role "health-checker" get this host path (the
  // engine's socket) mounted at /var/run/docker.sock, so that they revive
  // the others with `docker start`, and CONTAINER_PREFIX =
  // container_name_prefix (without a prefix: REVIVE_COMMAND "docker start
  // {name}"), unless their environment sets CONTAINER_PREFIX or
  // REVIVE_COMMAND itself.
  std::filesystem::path docker_socket;
  // When set, replicas of role "client" get this host directory mounted at
  // /chancho-run/results and CHANCHO_RUN_DIR=/chancho-run: what they write
  // under $CHANCHO_RUN_DIR/results lands there, as under ProcessRuntime. A
  // relative path starts at output_dir.
  std::filesystem::path results_dir;
  // When set, the engine hands out addresses only from this range of the
  // subnet (ipam `ip_range`), so that the rest can be given out by hand.
  std::string ip_range;
  // Replica -> its fixed address in the network (`ipv4_address`).
  std::map<std::string, std::string> addresses;
  // Replica -> {host name -> address}: lines of its /etc/hosts
  // (`extra_hosts`), which win over the names the network resolves.
  std::map<std::string, std::map<std::string, std::string>> extra_hosts;
  // When set, the file is for `docker stack deploy` as this stack (Swarm):
  // `version: "3.8"`; each service gets `deploy` with 0 replicas (the
  // runtime scales each to 1 when it starts it), restart_policy `none` (a
  // crash stays visible; reviving is the health-checkers' job) and the
  // labels again (service labels); the network is an attachable overlay.
  // No container_name, depends_on or ipv4_address, which Swarm ignores or
  // refuses, and the health-checkers' REVIVE_COMMAND is `docker service
  // update --force` of the stack's service (a task's container cannot be
  // started again).
  std::string swarm_stack;
};

// The docker-compose file of `deployment`, byte-for-byte the same for the
// same input. One compose service per replica, in Deployment order, named
// and container_name'd like the replica, with: image; entrypoint = the
// command (the image's own entrypoint and command are replaced); environment
// = the replica's environment plus each mount's `env=target`, as KEY=VALUE
// lines sorted by key; the project network; volumes `<host>:<target>`;
// depends_on (replica names); and the labels com.chancho.project, .service
// and .role (then options.labels). The network gets `internal`, the
// options.labels and an IPAM subnet. container_name is the replica name
// after options.container_name_prefix.
//
// There is no top-level `name:` because docker-compose 1.29 rejects it: the
// project name is passed with `-p <project>` (a comment at the top says so).
// Every "$" in a value is written "$$" so that compose does not interpolate
// it, and strings that YAML would read as numbers, booleans or null are
// quoted. Pure: no I/O.
std::string RenderCompose(const Deployment& deployment,
                          const ComposeOptions& options);

// The override file that goes with a compose file of the user's
// (Deployment::compose_file) when Chancho runs it: for each service of the
// deployment, the labels com.chancho.project, .service and .role, then
// options.labels; for services of role client, options.results_dir mounted
// at /chancho-run/results and CHANCHO_RUN_DIR=/chancho-run, as in a file
// Chancho writes; for linked replicas, options.extra_hosts. Nothing else:
// the user's file decides the rest. Pure.
std::string RenderComposeOverride(const Deployment& deployment,
                                  const ComposeOptions& options);

// Renders and writes `file`, creating its parent directories. Throws
// chancho::Error naming the path and the cause on failure.
void WriteCompose(const Deployment& deployment, const ComposeOptions& options,
                  const std::filesystem::path& file);

// Writes `text` to `file`, creating its parent directories; the same errors.
void WriteComposeText(const std::string& text, const std::filesystem::path& file);

}  // namespace chancho
