// libchancho_address_shim.so: preloaded (LD_PRELOAD) into the replicas of a
// spec with "address_shim": true on the process runtime, so that a service
// written for a network of its own (it binds 0.0.0.0 and finds its peers by
// name, as in a container) runs unmodified beside its siblings on one
// loopback:
// - bind() to the wildcard address binds the replica's own address
//   (CHANCHO_BIND_IP) instead, so that two replicas can listen on the same
//   port;
// - getaddrinfo() and gethostbyname() answer a name of the replica's hosts
//   file (CHANCHO_HOSTS_FILE: "ADDRESS NAME..." lines) with its address, so
//   that peers (and the fault proxy standing for one) are found by name.
// Everything else goes to the C library. It covers programs that call the
// C library (C, C++, Python, Java, Node); a statically linked program (Go)
// must read CHANCHO_BIND_IP and the hosts file itself.
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

namespace {

using BindFn = int (*)(int, const struct sockaddr*, socklen_t);
using GetAddrInfoFn = int (*)(const char*, const char*, const struct addrinfo*,
                              struct addrinfo**);
using GetHostByNameFn = struct hostent* (*)(const char*);

template <typename Fn>
Fn Next(const char* name) {
  return reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, name));
}

// Copies the address that the hosts file gives `name` into `out` (at least
// INET6_ADDRSTRLEN bytes). The file is read on every call: the runtime
// rewrites it when a link is proxied.
bool LookUp(const char* name, char* out) {
  const char* path = ::getenv("CHANCHO_HOSTS_FILE");
  if (name == nullptr || path == nullptr || *path == '\0') return false;
  FILE* file = ::fopen(path, "re");
  if (file == nullptr) return false;
  char line[1024];
  bool found = false;
  while (!found && ::fgets(line, sizeof line, file) != nullptr) {
    char* save = nullptr;
    char* address = ::strtok_r(line, " \t\r\n", &save);
    if (address == nullptr || *address == '#') continue;
    for (char* alias = ::strtok_r(nullptr, " \t\r\n", &save); alias != nullptr;
         alias = ::strtok_r(nullptr, " \t\r\n", &save)) {
      if (::strcasecmp(alias, name) == 0) {
        ::snprintf(out, INET6_ADDRSTRLEN, "%s", address);
        found = true;
        break;
      }
    }
  }
  ::fclose(file);
  return found;
}

}  // namespace

extern "C" {

int bind(int fd, const struct sockaddr* addr, socklen_t len) {
  static const BindFn next = Next<BindFn>("bind");
  const char* own = ::getenv("CHANCHO_BIND_IP");
  struct in_addr ip {};
  if (addr == nullptr || own == nullptr || ::inet_pton(AF_INET, own, &ip) != 1) {
    return next(fd, addr, len);
  }
  if (addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    sockaddr_in in;
    ::memcpy(&in, addr, sizeof in);
    if (in.sin_addr.s_addr == htonl(INADDR_ANY)) {
      in.sin_addr = ip;
      return next(fd, reinterpret_cast<const sockaddr*>(&in), sizeof in);
    }
  } else if (addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6;
    ::memcpy(&in6, addr, sizeof in6);
    int v6only = 0;
    socklen_t size = sizeof v6only;
    // "::" on a dual-stack socket: the replica's address, v4-mapped.
    if (IN6_IS_ADDR_UNSPECIFIED(&in6.sin6_addr) &&
        ::getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &size) == 0 &&
        v6only == 0) {
      unsigned char* bytes = in6.sin6_addr.s6_addr;
      ::memset(bytes, 0, 10);
      bytes[10] = 0xff;
      bytes[11] = 0xff;
      ::memcpy(bytes + 12, &ip, 4);
      return next(fd, reinterpret_cast<const sockaddr*>(&in6), sizeof in6);
    }
  }
  return next(fd, addr, len);
}

int getaddrinfo(const char* node, const char* service,
                const struct addrinfo* hints, struct addrinfo** res) {
  static const GetAddrInfoFn next = Next<GetAddrInfoFn>("getaddrinfo");
  char address[INET6_ADDRSTRLEN];
  if (!LookUp(node, address)) return next(node, service, hints, res);
  struct addrinfo numeric {};
  if (hints != nullptr) numeric = *hints;
  numeric.ai_flags |= AI_NUMERICHOST;
  numeric.ai_flags &= ~AI_CANONNAME;
  return next(address, service, &numeric, res);
}

struct hostent* gethostbyname(const char* name) {
  static const GetHostByNameFn next = Next<GetHostByNameFn>("gethostbyname");
  char address[INET6_ADDRSTRLEN];
  if (!LookUp(name, address)) return next(name);
  return next(address);
}

}  // extern "C"
