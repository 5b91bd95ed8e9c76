#include "system/common/resolve.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "system/common/text.h"

namespace chancho::common {
namespace {

// Literal or hosts-file answers, which need no DNS round trip.
std::vector<asio::ip::address> ResolveLocally(std::string_view host,
                                              const EnvLookup& env) {
  boost::system::error_code ec;
  const asio::ip::address literal =
      asio::ip::make_address(std::string(host), ec);
  if (!ec) return {literal};
  if (const std::optional<std::string> path = env(kHostsFileEnv)) {
    return LookupHostsFile(*path, host);
  }
  return {};
}

}  // namespace

std::vector<asio::ip::address> LookupHostsFile(const std::string& path,
                                               std::string_view name) {
  std::vector<asio::ip::address> found;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    line.erase(std::min(line.find('#'), line.size()));
    std::istringstream fields(line);
    std::string ip;
    if (!(fields >> ip)) continue;
    boost::system::error_code ec;
    const asio::ip::address address = asio::ip::make_address(ip, ec);
    if (ec) continue;
    std::string alias;
    while (fields >> alias) {
      if (EqualsIgnoreCase(alias, name)) {
        found.push_back(address);
        break;
      }
    }
  }
  return found;
}

std::vector<asio::ip::address> ResolveHost(std::string_view host,
                                           boost::system::error_code& ec,
                                           const EnvLookup& env) {
  ec.clear();
  std::vector<asio::ip::address> addresses = ResolveLocally(host, env);
  if (!addresses.empty()) return addresses;
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  const auto results = resolver.resolve(std::string(host), "", ec);
  if (ec) return {};
  for (const auto& entry : results) {
    addresses.push_back(entry.endpoint().address());
  }
  if (addresses.empty()) ec = asio::error::host_not_found;
  return addresses;
}

std::string ResolveAddress(std::string_view host, const EnvLookup& env) {
  boost::system::error_code ec;
  const std::vector<asio::ip::address> addresses = ResolveHost(host, ec, env);
  if (ec) {
    throw std::runtime_error("cannot resolve '" + std::string(host) +
                             "': " + ec.message());
  }
  return addresses.front().to_string();
}

TcpResolver::TcpResolver(const asio::any_io_executor& executor, EnvLookup env)
    : executor_(executor), resolver_(executor), env_(std::move(env)) {}

void TcpResolver::AsyncResolve(const std::string& host, uint16_t port,
                               Handler handler) {
  const std::vector<asio::ip::address> local = ResolveLocally(host, env_);
  if (!local.empty()) {
    std::vector<asio::ip::tcp::endpoint> endpoints;
    for (const asio::ip::address& address : local) {
      endpoints.emplace_back(address, port);
    }
    asio::post(executor_, [handler = std::move(handler),
                           endpoints = std::move(endpoints)]() mutable {
      handler(boost::system::error_code(), std::move(endpoints));
    });
    return;
  }
  resolver_.async_resolve(
      host, std::to_string(port), asio::ip::tcp::resolver::numeric_service,
      [handler = std::move(handler)](
          const boost::system::error_code& ec,
          const asio::ip::tcp::resolver::results_type& results) {
        std::vector<asio::ip::tcp::endpoint> endpoints;
        if (!ec) {
          for (const auto& entry : results) {
            endpoints.push_back(entry.endpoint());
          }
        }
        boost::system::error_code result = ec;
        if (!result && endpoints.empty()) {
          result = asio::error::host_not_found;
        }
        handler(result, std::move(endpoints));
      });
}

void TcpResolver::Cancel() { resolver_.cancel(); }

}  // namespace chancho::common
