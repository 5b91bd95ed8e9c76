#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "harness/runtime/docker/docker_leftovers.h"
#include "harness/runtime/runtime.h"

namespace chancho {

class DockerDriver;

// What a probe run inside the compose network saw.
struct NetworkProbeResult {
  bool success = false;
  std::string reply;  // the first line that came back
  std::string error;  // why it failed, on one line; empty on success
};

// The Runtime over a DockerDriver (docker_driver.h): every replica a
// container of a compose project made for the run.
class DockerRuntime final : public Runtime {
 public:
  // Reaps leftovers, makes the run directory and writes the compose file.
  // Throws chancho::Error when docker or compose is not usable.
  DockerRuntime(Deployment deployment, RuntimeOptions options);

  // Runs the echo probe (options.docker.probe_image) in a throwaway
  // container in the compose network: sends `message` to host:port, where
  // `host` is resolved by the network's DNS (a replica name). Never throws
  // for a failed probe; throws chancho::Error when the container cannot
  // run.
  NetworkProbeResult EchoProbe(const std::string& host, int port,
                               const std::string& message, Duration timeout);

  const std::string& compose_project() const;
  const std::string& network() const;  // the docker network's name
  std::string container(std::string_view replica) const;

  // Removes the containers and networks labelled by a DockerRuntime whose
  // owning process on this host is gone: how many it removed, and what the
  // engine refused to remove.
  static ReapResult ReapLeftovers(const std::string& docker = "docker");

 private:
  DockerRuntime(std::unique_ptr<DockerDriver> driver,
                const RuntimeOptions& options);

  DockerDriver* docker_;  // owned by Runtime
};

}  // namespace chancho
