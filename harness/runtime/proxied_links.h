#pragma once

// The TCP fault proxies of a runtime's links (RuntimeOptions::links,
// RuntimeOptions::links).
//
// Each link's proxy listens at an address the runtime places it on, at the
// upstream's port, and forwards to the upstream's address. The linked
// replica resolves the upstream's name to the proxy (a hosts file of its
// own, or the container's extra hosts), so it reaches its upstream through
// the proxy with no change to its configuration.
// - ProcessRuntime: the proxy listens on the replica's own loopback
//   address; the replica must not itself listen on that port.
// - DockerRuntime: the proxy listens on an address of the run network's
//   bridge on the host; the upstream has a fixed address in the network.
//   On a Swarm, the host is not on the overlay: the proxy lives in the
//   network namespace of a container of its own at a fixed address on it,
//   and asks for the upstream task's address at each connection.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "harness/deploy/deployment.h"
#include "harness/proxy/link_fault_text.h"
#include "harness/runtime/replica_status.h"

namespace chancho {

struct ProxiedLink {
  std::string replica;   // the replica whose link is proxied
  std::string upstream;  // a replica name, or a service with one replica
  int port = 0;          // the upstream's port
  bool operator==(const ProxiedLink&) const = default;
};

// The upstream replica of each of `links`, in order. Throws chancho::Error
// naming the link for an unknown replica or upstream, an upstream that is
// not exactly one replica, a link to itself, a bad port, or a second link
// of a replica on the same port.
std::vector<std::string> LinkUpstreams(const std::vector<ProxiedLink>& links,
                                       const Deployment& deployment);

// Where a link's proxy listens, and the upstream's address it forwards to.
struct ProxyPlacement {
  std::string listen_ip;
  std::string upstream_ip;  // "" with upstream_lookup
  // The upstream's address at each connection, for one that changes
  // (TcpProxyOptions::upstream_lookup).
  std::function<std::string()> upstream_lookup;
  // Makes the proxy where it must live: a caller that runs its argument in
  // another network namespace puts the proxy's socket and thread there
  // (the threads a thread starts share its namespaces). Empty: here.
  std::function<void(const std::function<void()>&)> make_in;
};

class ProxiedLinks {
 public:
  // `place(link, upstream replica, index in links)` says where each proxy
  // goes. Throws chancho::Error naming the link for what LinkUpstreams
  // rejects, or for a proxy that cannot listen.
  ProxiedLinks(const std::vector<ProxiedLink>& links,
               const Deployment& deployment,
               const std::function<ProxyPlacement(const ProxiedLink&,
                                                  const std::string& upstream,
                                                  std::size_t index)>& place,
               std::uint64_t seed);
  ~ProxiedLinks();

  bool empty() const { return links_.empty(); }
  // Upstream replica name -> the address `replica` must use for it; empty
  // for a replica with no proxied link.
  std::map<std::string, std::string> Overrides(std::string_view replica) const;

  std::vector<LinkStatus> Status() const;

  // A link's proxy by a name of its own, for the Toxiproxy-compatible API:
  // "<replica>:<upstream>", with ":<port>" added when the replica has
  // another link to the same upstream. The pointers live as long as this.
  struct NamedProxy {
    std::string name;
    std::string upstream;  // the address the proxy forwards to, "ip:port"
    TcpProxy* proxy = nullptr;
  };
  std::vector<NamedProxy> Proxies() const;
  // Acts on every link of `replica`, or on those to fault.upstream when it
  // is set. Throws chancho::Error when `replica` has no proxied link (to
  // that upstream).
  LinkFaultOutcome Set(std::string_view replica, const DirectedLinkFault& fault);

 private:
  struct Link {
    ProxiedLink spec;
    std::string upstream_replica;
    std::string upstream_ip;
    std::unique_ptr<TcpProxy> proxy;
    std::string fault = "none";
  };
  mutable std::mutex mu_;  // guards Link::fault
  std::vector<Link> links_;
};

}  // namespace chancho
