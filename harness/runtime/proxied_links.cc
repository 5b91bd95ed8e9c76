#include "harness/runtime/proxied_links.h"

#include "common/error.h"
#include "harness/runtime/driver.h"

namespace chancho {

namespace {

std::string Describe(const ProxiedLink& spec) {
  return "link " + spec.replica + " -> " + spec.upstream + ":" +
         std::to_string(spec.port);
}

}  // namespace

std::vector<std::string> LinkUpstreams(const std::vector<ProxiedLink>& links,
                                       const Deployment& deployment) {
  std::vector<std::string> upstreams;
  for (std::size_t i = 0; i < links.size(); ++i) {
    const ProxiedLink& spec = links[i];
    const std::string what = Describe(spec);
    if (!deployment.Find(spec.replica)) {
      throw Error(what + ": " + UnknownReplica(spec.replica, deployment).what());
    }
    const auto upstream = deployment.Match(spec.upstream);
    if (upstream.size() != 1) {
      throw Error(what + ": the upstream must name exactly one replica, \"" +
                  spec.upstream + "\" names " + std::to_string(upstream.size()));
    }
    if (upstream[0]->name == spec.replica) {
      throw Error(what + ": a replica cannot be its own upstream");
    }
    if (spec.port < 1 || spec.port > 65535) {
      throw Error(what + ": port must be 1..65535");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (links[j].replica == spec.replica && links[j].port == spec.port) {
        throw Error(what + ": the replica already has a proxied link on port " +
                    std::to_string(spec.port));
      }
    }
    upstreams.push_back(upstream[0]->name);
  }
  return upstreams;
}

ProxiedLinks::ProxiedLinks(
    const std::vector<ProxiedLink>& links, const Deployment& deployment,
    const std::function<ProxyPlacement(const ProxiedLink&, const std::string&,
                                       std::size_t)>& place,
    std::uint64_t seed) {
  const std::vector<std::string> upstreams = LinkUpstreams(links, deployment);
  for (std::size_t i = 0; i < links.size(); ++i) {
    const ProxiedLink& spec = links[i];
    const ProxyPlacement placement = place(spec, upstreams[i], i);
    TcpProxyOptions options;
    options.listen_ip = placement.listen_ip;
    options.listen_port = static_cast<std::uint16_t>(spec.port);
    options.upstream_host = placement.upstream_ip;
    options.upstream_port = static_cast<std::uint16_t>(spec.port);
    options.upstream_lookup = placement.upstream_lookup;
    options.seed = seed + i;
    Link link;
    link.spec = spec;
    link.upstream_replica = upstreams[i];
    link.upstream_ip = placement.upstream_ip;
    try {
      const auto make = [&] { link.proxy = std::make_unique<TcpProxy>(options); };
      if (placement.make_in) {
        placement.make_in(make);
      } else {
        make();
      }
    } catch (const std::exception& e) {
      throw Error(Describe(spec) + ": " + e.what());
    }
    links_.push_back(std::move(link));
  }
}

ProxiedLinks::~ProxiedLinks() = default;

std::map<std::string, std::string> ProxiedLinks::Overrides(
    std::string_view replica) const {
  std::map<std::string, std::string> out;
  for (const Link& link : links_) {
    if (link.spec.replica == replica) {
      out[link.upstream_replica] = link.proxy->listen_ip();
    }
  }
  return out;
}

std::vector<LinkStatus> ProxiedLinks::Status() const {
  std::vector<LinkStatus> out;
  std::lock_guard lock(mu_);
  for (const Link& link : links_) {
    LinkStatus s;
    s.replica = link.spec.replica;
    s.upstream = link.upstream_replica;
    s.port = link.spec.port;
    s.proxy_address =
        link.proxy->listen_ip() + ":" + std::to_string(link.proxy->port());
    s.fault = link.fault;
    s.stats = link.proxy->Stats();
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ProxiedLinks::NamedProxy> ProxiedLinks::Proxies() const {
  std::vector<NamedProxy> out;
  for (const Link& link : links_) {
    std::string name = link.spec.replica + ":" + link.upstream_replica;
    for (const Link& other : links_) {
      if (&other != &link && other.spec.replica == link.spec.replica &&
          other.upstream_replica == link.upstream_replica) {
        name += ":" + std::to_string(link.spec.port);
        break;
      }
    }
    // An upstream looked up at each connection is shown by its name.
    const std::string& upstream =
        link.upstream_ip.empty() ? link.upstream_replica : link.upstream_ip;
    out.push_back({std::move(name),
                   upstream + ":" + std::to_string(link.spec.port),
                   link.proxy.get()});
  }
  return out;
}

LinkFaultOutcome ProxiedLinks::Set(std::string_view replica,
                                   const DirectedLinkFault& fault) {
  LinkFaultOutcome out;
  bool found = false;
  out.took_effect = true;
  // upstream= names a replica or the service of one, as ProxiedLink does.
  const auto leads_to_upstream = [&fault](const Link& link) {
    return fault.upstream.empty() || link.spec.upstream == fault.upstream ||
           link.upstream_replica == fault.upstream;
  };
  bool other_upstreams = false;
  for (Link& link : links_) {
    if (link.spec.replica != replica) continue;
    if (!leads_to_upstream(link)) {
      other_upstreams = true;
      continue;
    }
    found = true;
    const LinkFaultOutcome one =
        link.proxy->SetFault(fault.direction, fault.fault);
    out.took_effect = out.took_effect && one.took_effect;
    out.connections_reset += one.connections_reset;
    out.detail += (out.detail.empty() ? "" : "; ") + link.upstream_replica +
                  ":" + std::to_string(link.spec.port) + ": " + one.detail;
    std::lock_guard lock(mu_);
    link.fault = FormatLinkFault(fault);
  }
  if (!found && other_upstreams) {
    throw Error("replica " + std::string(replica) + " has no proxied link to " +
                fault.upstream);
  }
  if (!found) {
    throw Error("replica " + std::string(replica) +
                " has no proxied link (proxied: " +
                [&] {
                  std::string names;
                  for (const Link& l : links_) {
                    names += (names.empty() ? "" : ", ") + l.spec.replica;
                  }
                  return names.empty() ? std::string("none") : names;
                }() +
                ")");
  }
  return out;
}

}  // namespace chancho
