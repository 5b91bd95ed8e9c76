#pragma once

// The TCP fault proxies of a ProcessRuntime (ProcessRuntimeOptions::links).
//
// Each link's proxy listens on the linked replica's own loopback address,
// at the upstream's port, and forwards to the upstream's address. The
// replica gets a hosts file of its own in which the upstream's names point
// at that address, so it reaches its upstream through the proxy with no
// change to its configuration. The replica must not itself listen on that
// port.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "harness/deploy/deployment.h"
#include "harness/runtime/runtime.h"

namespace chancho {

struct ProxiedLink {
  std::string replica;   // the replica whose link is proxied
  std::string upstream;  // a replica name, or a service with one replica
  int port = 0;          // the upstream's port
  bool operator==(const ProxiedLink&) const = default;
};

class ProxiedLinks {
 public:
  // `address_of` gives each replica's address. Throws chancho::Error naming
  // the link for an unknown replica or upstream, a bad port, a link to
  // itself, or a proxy that cannot listen.
  ProxiedLinks(const std::vector<ProxiedLink>& links,
               const Deployment& deployment,
               const std::map<std::string, std::string>& address_of,
               std::uint64_t seed);
  ~ProxiedLinks();

  bool empty() const { return links_.empty(); }
  // Upstream replica name -> the address `replica` must use for it; empty
  // for a replica with no proxied link.
  std::map<std::string, std::string> Overrides(std::string_view replica) const;

  std::vector<LinkStatus> Status() const;
  // Throws chancho::Error when `replica` has no proxied link.
  LinkFaultOutcome Set(std::string_view replica, const DirectedLinkFault& fault);

 private:
  struct Link {
    ProxiedLink spec;
    std::string upstream_replica;
    std::unique_ptr<TcpProxy> proxy;
    std::string fault = "none";
  };
  mutable std::mutex mu_;  // guards Link::fault
  std::vector<Link> links_;
};

}  // namespace chancho
