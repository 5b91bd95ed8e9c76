#include "harness/toxiproxy/toxiproxy_api.h"

#include <arpa/inet.h>

#include <charconv>
#include <set>

#include "common/error.h"
#include "common/version.h"
#include "harness/spec/json_parse.h"
#include "harness/toxiproxy/toxiproxy_json.h"

namespace chancho {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

[[noreturn]] void Fail(int status, const std::string& message) {
  throw ApiError{status, message};
}

ApiResponse ErrorResponse(const ApiError& error) {
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  out.StartObject();
  out.Key("error");
  out.String(error.message.c_str());
  out.Key("status");
  out.Int(error.status);
  out.EndObject();
  return {error.status, "application/json", buffer.GetString()};
}

ApiResponse NoContent() { return {204, "application/json", ""}; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The path's segments, percent-decoded; the query is dropped.
std::vector<std::string> SplitPath(std::string_view target) {
  target = target.substr(0, target.find_first_of("?#"));
  std::vector<std::string> segments;
  std::string segment;
  const auto flush = [&] {
    if (!segment.empty()) segments.push_back(std::move(segment));
    segment.clear();
  };
  for (std::size_t i = 0; i < target.size(); ++i) {
    const char c = target[i];
    if (c == '/') {
      flush();
    } else if (c == '%' && i + 2 < target.size() &&
               HexDigit(target[i + 1]) >= 0 && HexDigit(target[i + 2]) >= 0) {
      segment.push_back(
          static_cast<char>(HexDigit(target[i + 1]) * 16 + HexDigit(target[i + 2])));
      i += 2;
    } else {
      segment.push_back(c);
    }
  }
  flush();
  return segments;
}

rapidjson::Document ParseBody(const std::string& body) {
  rapidjson::Document doc;
  try {
    ParseJson(doc, body.empty() ? std::string_view("{}") : body, "request body");
  } catch (const Error& e) {
    Fail(400, e.what());
  }
  return doc;
}

std::string Str(const rapidjson::Value& body, const char* key,
                const std::string& fallback) {
  if (!body.HasMember(key) || body[key].IsNull()) return fallback;
  if (!body[key].IsString()) Fail(400, std::string(key) + " must be a string");
  return body[key].GetString();
}

void CheckProxyFields(const rapidjson::Value& body) {
  if (!body.IsObject()) Fail(400, "a proxy must be a JSON object");
  static const std::set<std::string_view> known = {"name", "listen", "upstream",
                                                   "enabled"};
  for (auto it = body.MemberBegin(); it != body.MemberEnd(); ++it) {
    const std::string key(it->name.GetString(), it->name.GetStringLength());
    if (!known.contains(key)) Fail(400, "a proxy has no field \"" + key + "\"");
  }
  if (body.HasMember("enabled") && !body["enabled"].IsBool()) {
    Fail(400, "enabled must be true or false");
  }
}

// "host:port" -> host and port; the port must be a number up to 65535.
std::pair<std::string, std::uint16_t> HostPort(const std::string& text,
                                               const char* what) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    Fail(400, std::string(what) + " \"" + text + "\" is not HOST:PORT");
  }
  unsigned port = 0;
  const char* begin = text.data() + colon + 1;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(begin, end, port);
  if (ec != std::errc() || ptr != end || begin == end || port > 65535) {
    Fail(400, std::string(what) + " \"" + text + "\": bad port");
  }
  std::string host = text.substr(0, colon);
  if (host.starts_with('[')) {
    Fail(400, std::string(what) + " \"" + text +
                  "\": IPv6 addresses are not supported");
  }
  return {host, static_cast<std::uint16_t>(port)};
}

bool IsLoopback(const std::string& ip) {
  in_addr address{};
  return ::inet_pton(AF_INET, ip.c_str(), &address) == 1 &&
         (ntohl(address.s_addr) >> 24) == 127;
}

ApiResponse Json(int status, std::string body) {
  return {status, "application/json", std::move(body)};
}

}  // namespace

ToxiproxyApi::ToxiproxyApi(std::vector<ServedProxy> served,
                           ToxiproxyApiOptions options)
    : options_(options) {
  for (ServedProxy& s : served) {
    Entry entry;
    entry.name = s.name;
    entry.listen = s.proxy->listen_ip() + ":" + std::to_string(s.proxy->port());
    entry.upstream = s.upstream;
    entry.proxy = s.proxy;
    proxies_.emplace(s.name, std::move(entry));
  }
}

ToxiproxyApi::~ToxiproxyApi() = default;

ApiResponse ToxiproxyApi::Handle(const ApiRequest& request) {
  try {
    std::lock_guard lock(mu_);
    return Route(request.method, SplitPath(request.target), request.body);
  } catch (const ApiError& error) {
    return ErrorResponse(error);
  } catch (const Error& error) {
    return ErrorResponse({400, error.what()});
  } catch (const std::exception& error) {
    return ErrorResponse({500, error.what()});
  }
}

ApiResponse ToxiproxyApi::Route(const std::string& method,
                                const std::vector<std::string>& path,
                                const std::string& body) {
  const bool get = method == "GET";
  const bool post = method == "POST";
  const bool update = post || method == "PATCH";
  const bool del = method == "DELETE";
  const auto wrong_method = [&]() -> ApiResponse {
    Fail(405, method + " is not allowed on this endpoint");
  };
  const std::size_t n = path.size();
  if (n == 1 && path[0] == "version") {
    if (!get) wrong_method();
    return {200, "text/plain", std::string(kVersion) + " (chancho)"};
  }
  if (n == 1 && path[0] == "reset") return post ? Reset() : wrong_method();
  if (n == 1 && path[0] == "populate") return post ? Populate(body) : wrong_method();
  if (n == 0 || path[0] != "proxies" || n > 4 || (n >= 3 && path[2] != "toxics")) {
    Fail(404, "no such endpoint (see Toxiproxy's API: /proxies, /populate, "
              "/reset, /version)");
  }
  if (n == 1) {
    if (get) return ListProxies();
    return post ? CreateProxy(body) : wrong_method();
  }
  if (n == 2 && del) return DeleteProxy(path[1]);
  Entry& entry = Find(path[1]);
  if (n == 2) {
    if (get) return Json(200, ProxyJson(entry));
    return update ? UpdateProxy(entry, body) : wrong_method();
  }
  if (n == 3) {
    if (post) return AddToxic(entry, body);
    if (!get) wrong_method();
    rapidjson::StringBuffer buffer;
    Writer out(buffer);
    out.StartArray();
    for (const Toxic& toxic : entry.proxy->Toxics()) WriteToxic(out, toxic);
    out.EndArray();
    return Json(200, buffer.GetString());
  }
  if (del) return RemoveToxic(entry, path[3]);
  if (update) return UpdateToxic(entry, path[3], body);
  if (!get) wrong_method();
  for (const Toxic& toxic : entry.proxy->Toxics()) {
    if (toxic.name != path[3]) continue;
    rapidjson::StringBuffer buffer;
    Writer out(buffer);
    WriteToxic(out, toxic);
    return Json(200, buffer.GetString());
  }
  Fail(404, "toxic not found: " + path[3]);
}

ToxiproxyApi::Entry& ToxiproxyApi::Find(const std::string& name) {
  const auto it = proxies_.find(name);
  if (it == proxies_.end()) Fail(404, "proxy not found: " + name);
  return it->second;
}

void ToxiproxyApi::WriteProxy(Writer& out, const Entry& entry) const {
  out.StartObject();
  out.Key("name");
  out.String(entry.name.c_str());
  out.Key("listen");
  out.String(entry.listen.c_str());
  out.Key("upstream");
  out.String(entry.upstream.c_str());
  out.Key("enabled");
  out.Bool(entry.enabled);
  out.Key("toxics");
  out.StartArray();
  for (const Toxic& toxic : entry.proxy->Toxics()) WriteToxic(out, toxic);
  out.EndArray();
  out.EndObject();
}

std::string ToxiproxyApi::ProxyJson(const Entry& entry) const {
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  WriteProxy(out, entry);
  return buffer.GetString();
}

ApiResponse ToxiproxyApi::ListProxies() {
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  out.StartObject();
  for (const auto& [name, entry] : proxies_) {
    out.Key(name.c_str());
    WriteProxy(out, entry);
  }
  out.EndObject();
  return Json(200, buffer.GetString());
}

ToxiproxyApi::Entry ToxiproxyApi::Make(const rapidjson::Value& body) {
  Entry entry;
  entry.name = Str(body, "name", "");
  if (entry.name.empty()) Fail(400, "a proxy needs a name");
  if (entry.name.find('/') != std::string::npos) {
    Fail(400, "a proxy's name cannot hold '/'");
  }
  entry.listen = Str(body, "listen", "");
  entry.upstream = Str(body, "upstream", "");
  if (entry.listen.empty()) Fail(400, "proxy " + entry.name + " needs listen");
  if (entry.upstream.empty()) {
    Fail(400, "proxy " + entry.name + " needs upstream");
  }
  auto [listen_host, listen_port] = HostPort(entry.listen, "listen");
  if (listen_host.empty() || listen_host == "localhost") listen_host = "127.0.0.1";
  if (!options_.allow_any_listen && !IsLoopback(listen_host)) {
    Fail(403, "listen " + entry.listen +
                  ": this API makes proxies on loopback addresses only "
                  "(127.0.0.0/8; see chancho up --api-any-listen)");
  }
  const auto [upstream_host, upstream_port] = HostPort(entry.upstream, "upstream");
  TcpProxyOptions options;
  options.listen_ip = listen_host;
  options.listen_port = listen_port;
  options.upstream_host = upstream_host == "localhost" ? "127.0.0.1" : upstream_host;
  options.upstream_port = upstream_port;
  options.seed = options_.seed + ++created_;
  entry.owned = std::make_unique<TcpProxy>(options);  // Error -> 400
  entry.proxy = entry.owned.get();
  entry.listen = listen_host + ":" + std::to_string(entry.proxy->port());
  if (body.HasMember("enabled") && !body["enabled"].GetBool()) {
    SetEnabled(entry, false);
  }
  return entry;
}

ApiResponse ToxiproxyApi::CreateProxy(const std::string& body) {
  const rapidjson::Document doc = ParseBody(body);
  CheckProxyFields(doc);
  const std::string name = Str(doc, "name", "");
  if (proxies_.contains(name)) Fail(409, "proxy already exists: " + name);
  Entry entry = Make(doc);
  const std::string json = ProxyJson(entry);
  proxies_.emplace(entry.name, std::move(entry));
  return Json(201, json);
}

ApiResponse ToxiproxyApi::Populate(const std::string& body) {
  const rapidjson::Document doc = ParseBody(body);
  if (!doc.IsArray()) Fail(400, "populate takes a JSON array of proxies");
  for (const rapidjson::Value& proxy : doc.GetArray()) CheckProxyFields(proxy);
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  out.StartObject();
  out.Key("proxies");
  out.StartArray();
  for (const rapidjson::Value& proxy : doc.GetArray()) {
    const std::string name = Str(proxy, "name", "");
    auto it = proxies_.find(name);
    if (it != proxies_.end()) {
      Entry& existing = it->second;
      const bool same =
          Str(proxy, "listen", existing.listen) == existing.listen &&
          Str(proxy, "upstream", existing.upstream) == existing.upstream;
      if (!same && !existing.owned) {
        Fail(403, "proxy " + name + " is a link of the run; it stays " +
                      existing.listen + " -> " + existing.upstream);
      }
      if (same) {
        if (proxy.HasMember("enabled")) {
          SetEnabled(existing, proxy["enabled"].GetBool());
        }
        WriteProxy(out, existing);
        continue;
      }
      proxies_.erase(it);  // replaced by the new one, as Toxiproxy does
    }
    Entry entry = Make(proxy);
    WriteProxy(out, entry);
    proxies_.emplace(entry.name, std::move(entry));
  }
  out.EndArray();
  out.EndObject();
  return Json(201, buffer.GetString());
}

ApiResponse ToxiproxyApi::UpdateProxy(Entry& entry, const std::string& body) {
  const rapidjson::Document doc = ParseBody(body);
  CheckProxyFields(doc);
  if (Str(doc, "name", entry.name) != entry.name) {
    Fail(400, "proxy " + entry.name + "'s name does not change");
  }
  const std::string listen = Str(doc, "listen", entry.listen);
  if (listen != entry.listen) {
    Fail(400, "proxy " + entry.name + " listens on " + entry.listen +
                  "; a listen address does not change (delete the proxy and "
                  "create it again)");
  }
  if (Str(doc, "upstream", entry.upstream) != entry.upstream) {
    Fail(400, "proxy " + entry.name + " forwards to " + entry.upstream +
                  "; an upstream does not change (delete the proxy and "
                  "create it again)");
  }
  if (doc.HasMember("enabled")) {
    SetEnabled(entry, doc["enabled"].GetBool());
  }
  return Json(200, ProxyJson(entry));
}

void ToxiproxyApi::SetEnabled(Entry& entry, bool enabled) {
  const LinkFaultOutcome outcome = entry.proxy->SetEnabled(enabled);
  if (!outcome.took_effect) Fail(500, outcome.detail);
  entry.enabled = enabled;
}

ApiResponse ToxiproxyApi::DeleteProxy(const std::string& name) {
  Entry& entry = Find(name);
  if (!entry.owned) {
    Fail(403, "proxy " + name + " is a link of the run and stays (POST "
              "/reset or removing its toxics heals it)");
  }
  proxies_.erase(name);
  return NoContent();
}

ApiResponse ToxiproxyApi::AddToxic(Entry& entry, const std::string& body) {
  const rapidjson::Document doc = ParseBody(body);
  Toxic toxic = ParseNewToxic(doc);
  if (toxic.name.empty()) {
    toxic.name = std::string(ToxicTypeName(toxic.fault.kind)) + "_" +
                 (toxic.stream == Direction::kClientToServer ? "upstream"
                                                              : "downstream");
  }
  for (const Toxic& existing : entry.proxy->Toxics()) {
    if (existing.name == toxic.name) {
      Fail(409, "toxic already exists: " + toxic.name);
    }
  }
  const LinkFaultOutcome outcome = entry.proxy->AddToxic(toxic);  // Error: 400
  if (!outcome.took_effect) Fail(500, outcome.detail);
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  WriteToxic(out, toxic);
  return Json(200, buffer.GetString());
}

ApiResponse ToxiproxyApi::UpdateToxic(Entry& entry, const std::string& name,
                                      const std::string& body) {
  for (const Toxic& existing : entry.proxy->Toxics()) {
    if (existing.name != name) continue;
    const rapidjson::Document doc = ParseBody(body);
    const Toxic updated = ParseToxicUpdate(doc, existing);
    const LinkFaultOutcome outcome = entry.proxy->UpdateToxic(updated);
    if (!outcome.took_effect) Fail(500, outcome.detail);
    rapidjson::StringBuffer buffer;
    Writer out(buffer);
    WriteToxic(out, updated);
    return Json(200, buffer.GetString());
  }
  Fail(404, "toxic not found: " + name);
}

ApiResponse ToxiproxyApi::RemoveToxic(Entry& entry, const std::string& name) {
  for (const Toxic& existing : entry.proxy->Toxics()) {
    if (existing.name != name) continue;
    const LinkFaultOutcome outcome = entry.proxy->RemoveToxic(name);
    if (!outcome.took_effect) Fail(500, outcome.detail);
    return NoContent();
  }
  Fail(404, "toxic not found: " + name);
}

ApiResponse ToxiproxyApi::Reset() {
  for (auto& [name, entry] : proxies_) {
    const LinkFaultOutcome outcome = entry.proxy->Heal();
    if (!outcome.took_effect) Fail(500, "proxy " + name + ": " + outcome.detail);
    entry.enabled = true;
  }
  return NoContent();
}

}  // namespace chancho
