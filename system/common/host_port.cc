#include "system/common/host_port.h"

#include <stdexcept>

#include "system/common/config.h"

namespace chancho::common {
namespace {

[[noreturn]] void Fail(std::string_view text, std::string_view cause) {
  throw std::invalid_argument("invalid address '" + std::string(text) +
                              "': " + std::string(cause));
}

}  // namespace

HostPort ParseHostPort(std::string_view text) {
  // The last colon separates the port, so that bracketed IPv6 works; an
  // unbracketed IPv6 literal is ambiguous and rejected by the host check.
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) Fail(text, "expected host:port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    Fail(text, "write IPv6 addresses as [address]:port");
  }
  if (host.empty()) Fail(text, "empty host");
  HostPort result;
  result.host = std::string(host);
  try {
    result.port = ParsePort(port, "port");
  } catch (const std::invalid_argument& e) {
    Fail(text, e.what());
  }
  return result;
}

}  // namespace chancho::common
