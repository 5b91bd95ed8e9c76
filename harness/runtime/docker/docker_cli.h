#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace chancho {

// Command lines of the docker CLI and of compose, and the names DockerRuntime
// gives things. Pure: no I/O.

// A compose project name that both compose v1 and v2 accept (lower case
// letters, digits, "-" and "_", starting with a letter or digit), made of
// the project and the run id: "tp0" + "20261124T040512Z-3fa9c1" ->
// "tp0-20261124t040512z-3fa9c1".
std::string ComposeProjectName(std::string_view project,
                               std::string_view run_id);

// The network compose creates for `network` in `compose_project`; both
// compose versions name it "<compose project>_<network>".
std::string ComposeNetworkName(std::string_view compose_project,
                               std::string_view network);

// `compose` (e.g. {"docker", "compose"} or {"docker-compose"}) with the
// project, the files (each later one overriding the earlier) and then
// `args`.
std::vector<std::string> ComposeArgs(const std::vector<std::string>& compose,
                                     const std::string& project,
                                     const std::vector<std::string>& files,
                                     const std::vector<std::string>& args);

// The name compose gives replica `index` of `service` in `project` when the
// file names none: "<project>-<service>-<index>" for compose v2 (`docker
// compose`), "<project>_<service>_<index>" for docker-compose v1.
std::string ComposeContainerName(const std::vector<std::string>& compose,
                                 std::string_view project,
                                 std::string_view service, int index);

// `docker stop -t` takes whole seconds: the grace rounded up, at least 0.
int StopSeconds(std::chrono::milliseconds grace);

// docker run of the probe image in `network`: "<image> HOST PORT MESSAGE
// TIMEOUT_S" (ci/images/probe/echo-probe), removed when it ends.
std::vector<std::string> ProbeRunArgs(
    const std::string& docker, const std::string& container,
    const std::string& network, const std::vector<std::string>& labels,
    const std::string& image, const std::string& host, int port,
    const std::string& message, std::chrono::milliseconds timeout);

// True if the IPv4 CIDR blocks `a` and `b` share an address; false when one
// is not an IPv4 CIDR (IPv6 subnets never collide with ours).
bool SubnetsOverlap(std::string_view a, std::string_view b);

// A /24 in 172.25.0.0/16..172.26.0.0/16 that overlaps none of `used`,
// picked at random; nullopt when all are taken.
std::optional<std::string> ChooseSubnet(const std::vector<std::string>& used,
                                        std::mt19937_64& random);

}  // namespace chancho
