#pragma once

#include <filesystem>
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
};

// The docker-compose file of `deployment`, byte-for-byte the same for the
// same input. One compose service per replica, in Deployment order, named
// and container_name'd like the replica, with: image; entrypoint = the
// command (the image's own entrypoint and command are replaced); environment
// = the replica's environment plus each mount's `env=target`, as KEY=VALUE
// lines sorted by key; the project network; volumes `<host>:<target>`;
// depends_on (replica names); and the labels com.chancho.project, .service
// and .role. The network gets `internal` and an IPAM subnet.
//
// There is no top-level `name:` because docker-compose 1.29 rejects it: the
// project name is passed with `-p <project>` (a comment at the top says so).
// Every "$" in a value is written "$$" so that compose does not interpolate
// it, and strings that YAML would read as numbers, booleans or null are
// quoted. Pure: no I/O.
std::string RenderCompose(const Deployment& deployment,
                          const ComposeOptions& options);

// Renders and writes `file`, creating its parent directories. Throws
// chancho::Error naming the path and the cause on failure.
void WriteCompose(const Deployment& deployment, const ComposeOptions& options,
                  const std::filesystem::path& file);

}  // namespace chancho
