#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "system/common/config.h"

namespace chancho::common {

namespace asio = boost::asio;

// Names the hosts file that the process runtime writes for a run. Under
// Docker it is unset and compose DNS does the resolving.
inline constexpr char kHostsFileEnv[] = "CHANCHO_HOSTS_FILE";

// The addresses that the hosts file at `path` (the /etc/hosts format:
// "IP name [aliases...]", '#' starts a comment) gives `name`, compared
// case-insensitively, in file order. Empty if there is none or the file
// cannot be read; malformed lines are skipped.
std::vector<asio::ip::address> LookupHostsFile(const std::string& path,
                                               std::string_view name);

// Resolves `host`: an IP literal passes through; otherwise the hosts file
// named by CHANCHO_HOSTS_FILE (if set) is asked first, then DNS. Returns at
// least one address, or an empty vector with `ec` set. Blocks while DNS
// answers; use TcpResolver where that matters.
std::vector<asio::ip::address> ResolveHost(std::string_view host,
                                           boost::system::error_code& ec,
                                           const EnvLookup& env = ProcessEnv());

// The first address of ResolveHost as a string. Throws std::runtime_error
// "cannot resolve '<host>': <cause>".
std::string ResolveAddress(std::string_view host,
                           const EnvLookup& env = ProcessEnv());

// Asynchronous form of ResolveHost producing TCP endpoints.
//
// Not thread-safe; use it from the executor's thread. The handler is called
// exactly once, always through the executor (never from inside
// AsyncResolve). Cancel() makes a DNS lookup in flight complete with
// asio::error::operation_aborted.
class TcpResolver {
 public:
  using Handler = std::function<void(const boost::system::error_code&,
                                     std::vector<asio::ip::tcp::endpoint>)>;

  explicit TcpResolver(const asio::any_io_executor& executor,
                       EnvLookup env = ProcessEnv());

  void AsyncResolve(const std::string& host, uint16_t port, Handler handler);
  void Cancel();

 private:
  asio::any_io_executor executor_;
  asio::ip::tcp::resolver resolver_;
  EnvLookup env_;
};

}  // namespace chancho::common
