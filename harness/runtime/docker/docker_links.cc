#include "harness/runtime/docker/docker_links.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <chrono>

#include "common/error.h"
#include "common/subprocess.h"

namespace chancho {
namespace {

constexpr int kMaxLinks = 60;

}  // namespace

DockerLinkLayout PlanDockerLinks(const std::vector<ProxiedLink>& links,
                                 const std::vector<std::string>& upstreams,
                                 const std::string& subnet) {
  const auto slash = subnet.find('/');
  in_addr network{};
  if (slash == std::string::npos || subnet.substr(slash) != "/24" ||
      ::inet_pton(AF_INET, subnet.substr(0, slash).c_str(), &network) != 1 ||
      (ntohl(network.s_addr) & 0xff) != 0) {
    throw Error("network faults under Docker need an IPv4 /24 subnet, not \"" +
                subnet + "\"");
  }
  const std::string base = subnet.substr(0, subnet.rfind('.', slash) + 1);
  if (links.size() > kMaxLinks) {
    throw Error("at most " + std::to_string(kMaxLinks) +
                " proxied links under Docker, not " +
                std::to_string(links.size()));
  }
  DockerLinkLayout layout;
  layout.gateway = base + "1";
  layout.ip_range = base + "0/25";
  for (std::size_t i = 0; i < links.size(); ++i) {
    const std::string& upstream = upstreams.at(i);
    if (!layout.upstream_addresses.contains(upstream)) {
      const std::size_t n = layout.upstream_addresses.size();
      layout.upstream_addresses[upstream] = base + std::to_string(128 + n);
    }
    layout.proxy_addresses.push_back(base + std::to_string(254 - i));
    layout.extra_hosts[links[i].replica][upstream] =
        layout.proxy_addresses.back();
  }
  return layout;
}

std::string InterfaceWithAddress(const std::string& ip) {
  in_addr wanted{};
  if (::inet_pton(AF_INET, ip.c_str(), &wanted) != 1) return "";
  ifaddrs* all = nullptr;
  if (::getifaddrs(&all) != 0) return "";
  std::string found;
  for (const ifaddrs* i = all; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    const auto* address = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
    if (address->sin_addr.s_addr == wanted.s_addr) {
      found = i->ifa_name;
      break;
    }
  }
  ::freeifaddrs(all);
  return found;
}

void AddInterfaceAddress(const std::string& device, const std::string& ip) {
  const std::vector<std::string> argv = {"ip", "-4",  "addr", "add",
                                         ip + "/32", "dev", device};
  const CommandOptions options{std::chrono::seconds(10)};
  CommandResult result;
  try {
    result = RunCommand(argv, options);
  } catch (const std::exception& e) {
    throw Error("cannot add " + ip + " to " + device +
                ": no `ip` command (Debian package iproute2): " + e.what());
  }
  if (!result.timed_out && result.exit_code == 0) return;
  if (result.err.find("File exists") != std::string::npos) return;
  throw Error("cannot add " + ip + " to " + device +
              " for a fault proxy (needs root or CAP_NET_ADMIN): " +
              DescribeFailure(argv, result, options));
}

}  // namespace chancho
