#include "harness/runtime/docker/docker_runtime.h"

#include <iomanip>
#include <sstream>

#include "common/subprocess.h"
#include "harness/runtime/docker/docker_cli.h"
#include "harness/runtime/docker/docker_driver.h"

namespace chancho {

DockerRuntime::DockerRuntime(Deployment deployment, RuntimeOptions options)
    : DockerRuntime(
          std::make_unique<DockerDriver>(std::move(deployment), options),
          options) {}

DockerRuntime::DockerRuntime(std::unique_ptr<DockerDriver> driver,
                             const RuntimeOptions& options)
    : Runtime(std::move(driver), options),
      docker_(static_cast<DockerDriver*>(&this->driver())) {}

const std::string& DockerRuntime::compose_project() const {
  return docker_->compose_project();
}

const std::string& DockerRuntime::network() const {
  return docker_->network();
}

std::string DockerRuntime::container(std::string_view replica) const {
  return docker_->container(replica);
}

ReapResult DockerRuntime::ReapLeftovers(const std::string& docker) {
  return ReapDockerLeftovers(docker);
}

NetworkProbeResult DockerRuntime::EchoProbe(const std::string& host, int port,
                                            const std::string& message,
                                            Duration timeout) {
  if (!docker_->created()) {
    throw Error(compose_project() + ": echo probe: the system is not up");
  }
  std::ostringstream suffix;
  suffix << std::hex << std::setw(6) << std::setfill('0')
         << (docker_->NextRandom() & 0xffffff);
  const std::string name = compose_project() + "-probe-" + suffix.str();
  std::vector<std::string> labels = {"com.chancho.role=probe"};
  for (const auto& [key, value] : docker_->labels()) {
    labels.push_back(key + "=" + value);
  }
  const auto args =
      ProbeRunArgs(docker_->docker_options().docker, name, network(), labels,
                   docker_->docker_options().probe_image, host, port, message, timeout);
  const CommandOptions options =
      CommandOptions{timeout + docker_->docker_options().command_timeout};
  const CommandResult result = RunCommand(args, options);
  NetworkProbeResult probe;
  if (result.timed_out) {
    RunCommand({docker_->docker_options().docker, "rm", "-f", name}, CommandOptions{docker_->docker_options().command_timeout});
    probe.error = DescribeFailure(args, result, options);
    return probe;
  }
  // 125-127: docker run itself failed (no image, no network).
  if (result.exit_code >= 125 || result.exit_code < 0) {
    throw Error(DescribeFailure(args, result, options));
  }
  probe.reply = result.out.substr(0, result.out.find('\n'));
  probe.success = result.exit_code == 0;
  if (!probe.success) {
    probe.error = "sent \"" + message + "\" to " + host + ":" +
                  std::to_string(port) + ", got \"" + probe.reply + "\"";
    if (const std::string err = OneLine(result.err); !err.empty()) {
      probe.error += ": " + err;
    }
  }
  return probe;
}

}  // namespace chancho
