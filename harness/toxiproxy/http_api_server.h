#pragma once

// A small HTTP/1.1 server (Boost.Beast) that hands every request to one
// handler: what serves the Toxiproxy-compatible API (toxiproxy_api.h).
//
// It runs on its own thread. Connections are kept alive between requests;
// a body above 1 MiB, a malformed request, or a connection silent for 30 s
// ends the connection (a malformed request gets a 400 first). At most 64
// connections are served at once; more are closed at accept. The handler
// runs on the server's thread, one request at a time; what it throws is
// answered 500 with its message.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "harness/toxiproxy/toxiproxy_api.h"

namespace chancho {

class HttpApiServer {
 public:
  using Handler = std::function<ApiResponse(const ApiRequest&)>;

  // Listens on ip:port (IPv4; port 0: an ephemeral one). Throws
  // chancho::Error when it cannot.
  HttpApiServer(const std::string& ip, std::uint16_t port, Handler handler);
  // Closes the listener and every connection, and joins the thread.
  ~HttpApiServer();
  HttpApiServer(const HttpApiServer&) = delete;
  HttpApiServer& operator=(const HttpApiServer&) = delete;

  std::uint16_t port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chancho
