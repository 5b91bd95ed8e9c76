#pragma once

// Where DockerRuntime puts the TCP fault proxies of its links
// (RuntimeOptions::links), in the run network's /24 a.b.c.0/24:
// - the engine hands out addresses from a.b.c.0/25 only (its gateway is
//   a.b.c.1, on the host's bridge);
// - each upstream of a link gets the fixed address a.b.c.128, .129, ...,
//   so that a proxy can reach it whenever it is started again;
// - link i's proxy listens on a.b.c.(254 - i), an address added to the
//   bridge on the host, and the linked replica's /etc/hosts points the
//   upstream's name there.
// Containers of an internal network still reach the host's bridge
// addresses: the engine's isolation is on forwarded traffic only.

#include <map>
#include <string>
#include <vector>

#include "harness/runtime/proxied_links.h"

namespace chancho {

struct DockerLinkLayout {
  std::string gateway;   // a.b.c.1
  std::string ip_range;  // a.b.c.0/25
  std::map<std::string, std::string> upstream_addresses;  // replica -> ip
  std::vector<std::string> proxy_addresses;               // per link
  // Linked replica -> {upstream's name -> its proxy's address}.
  std::map<std::string, std::map<std::string, std::string>> extra_hosts;
};

// The layout of `links` (whose upstream replicas are `upstreams`, as
// LinkUpstreams gives them) in `subnet`. Throws chancho::Error when the
// subnet is not an IPv4 /24, or for more than 60 links or upstreams. Pure.
DockerLinkLayout PlanDockerLinks(const std::vector<ProxiedLink>& links,
                                 const std::vector<std::string>& upstreams,
                                 const std::string& subnet);

// The name of the host's network interface that holds IPv4 address `ip`;
// "" when none does.
std::string InterfaceWithAddress(const std::string& ip);

// Adds `ip`/32 to interface `device` with iproute2's `ip`; an address it
// already has is fine. Throws chancho::Error saying why otherwise (it needs
// root, or CAP_NET_ADMIN).
void AddInterfaceAddress(const std::string& device, const std::string& ip);

}  // namespace chancho
