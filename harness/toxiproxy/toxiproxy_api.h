#pragma once

// A Toxiproxy-compatible HTTP API over Chancho's TCP fault proxies: the
// endpoints the official clients use, with Toxiproxy's JSON shapes
// (toxiproxy_json.h). This is the request handler; HttpApiServer
// (http_api_server.h) serves it.
//
//   GET    /version                       the version, as text
//   GET    /proxies                       {name: proxy, ...}
//   POST   /proxies                       create a proxy (201)
//   POST   /populate                      create or update several (201)
//   GET    /proxies/{p}                   the proxy, with its toxics
//   POST   /proxies/{p} (or PATCH)        enable or disable it
//   DELETE /proxies/{p}                   remove a proxy made here (204)
//   GET    /proxies/{p}/toxics            its toxics, in order
//   POST   /proxies/{p}/toxics            add a toxic
//   GET    /proxies/{p}/toxics/{t}        one toxic
//   POST   /proxies/{p}/toxics/{t} (or PATCH)  update its attributes
//   DELETE /proxies/{p}/toxics/{t}        remove it (204)
//   POST   /reset                         every proxy enabled, no toxics (204)
//
// Two kinds of proxies are served: the run's links (ServedProxy), which the
// runtime owns and which stay (DELETE answers 403), and proxies created
// through the API, which it owns. A run's link keeps its listen and
// upstream addresses; a proxy's listen and upstream do not change once
// made (an update that changes them answers 400: delete and create it).
// A created proxy listens on an IPv4 address of the loopback network
// (127.0.0.0/8, "localhost" is 127.0.0.1) unless `allow_any_listen`.
//
// Errors answer {"error": "<one line>", "status": N}, as Toxiproxy does:
// 400 for a malformed body or an unknown field, type or attribute, 403, 404
// for an unknown proxy, toxic or endpoint, 405 for a method an endpoint
// does not take, 409 for a name in use, 500 when the proxy did not apply a
// change (its detail says why). Nothing a request holds can crash it.
//
// Thread-safe: Handle() may be called from any thread.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "harness/proxy/tcp_proxy.h"

namespace chancho {

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // "/proxies/redis/toxics?x=1": the query is ignored
  std::string body;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// A proxy the API serves but does not own: a link of the run.
struct ServedProxy {
  std::string name;
  std::string upstream;  // "address:port"
  TcpProxy* proxy = nullptr;  // outlives the ToxiproxyApi
};

struct ToxiproxyApiOptions {
  // Seeds the proxies created through the API (each its own, in order).
  std::uint64_t seed = 0;
  bool allow_any_listen = false;
};

class ToxiproxyApi {
 public:
  explicit ToxiproxyApi(std::vector<ServedProxy> served = {},
                        ToxiproxyApiOptions options = {});
  ~ToxiproxyApi();
  ToxiproxyApi(const ToxiproxyApi&) = delete;
  ToxiproxyApi& operator=(const ToxiproxyApi&) = delete;

  ApiResponse Handle(const ApiRequest& request);

 private:
  struct Entry {
    std::string name;
    std::string listen;
    std::string upstream;
    bool enabled = true;
    TcpProxy* proxy = nullptr;
    std::unique_ptr<TcpProxy> owned;  // null for a run's link
  };

  ApiResponse Route(const std::string& method,
                    const std::vector<std::string>& path,
                    const std::string& body);
  ApiResponse ListProxies();
  ApiResponse CreateProxy(const std::string& body);
  ApiResponse Populate(const std::string& body);
  ApiResponse UpdateProxy(Entry& entry, const std::string& body);
  void SetEnabled(Entry& entry, bool enabled);
  ApiResponse DeleteProxy(const std::string& name);
  ApiResponse AddToxic(Entry& entry, const std::string& body);
  ApiResponse UpdateToxic(Entry& entry, const std::string& toxic,
                          const std::string& body);
  ApiResponse RemoveToxic(Entry& entry, const std::string& toxic);
  ApiResponse Reset();
  Entry& Find(const std::string& name);
  // Makes a proxy from a create body (already checked to be an object).
  Entry Make(const rapidjson::Value& body);
  // Writes the proxy object, toxics included.
  void WriteProxy(rapidjson::Writer<rapidjson::StringBuffer>& out,
                  const Entry& entry) const;
  std::string ProxyJson(const Entry& entry) const;

  ToxiproxyApiOptions options_;
  std::uint64_t created_ = 0;
  std::mutex mu_;
  std::map<std::string, Entry> proxies_;
};

}  // namespace chancho
