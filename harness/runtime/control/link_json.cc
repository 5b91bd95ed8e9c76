#include "harness/runtime/control/link_json.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "common/error.h"
#include "harness/spec/json_parse.h"

namespace chancho {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// The counters of TcpProxyStats, by their JSON names.
constexpr std::pair<const char*, std::uint64_t TcpProxyStats::*> kCounters[] = {
    {"connections_accepted", &TcpProxyStats::connections_accepted},
    {"connections_active", &TcpProxyStats::connections_active},
    {"connections_reset", &TcpProxyStats::connections_reset},
    {"connections_refused", &TcpProxyStats::connections_refused},
    {"upstream_failures", &TcpProxyStats::upstream_failures},
    {"bytes_client_to_server", &TcpProxyStats::bytes_client_to_server},
    {"bytes_server_to_client", &TcpProxyStats::bytes_server_to_client},
    {"bytes_dropped", &TcpProxyStats::bytes_dropped},
};

rapidjson::Document Parse(const std::string& json, const char* what) {
  rapidjson::Document doc;
  ParseJson(doc, json, std::string("control socket ") + what);
  return doc;
}

std::string Text(const rapidjson::Value& v, const char* key) {
  return v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "";
}

std::uint64_t Count(const rapidjson::Value& v, const char* key) {
  return v.HasMember(key) && v[key].IsUint64() ? v[key].GetUint64() : 0;
}

}  // namespace

std::string LinksToJson(const std::vector<LinkStatus>& links) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartArray();
  for (const LinkStatus& l : links) {
    w.StartObject();
    w.Key("replica");
    w.String(l.replica.c_str());
    w.Key("upstream");
    w.String(l.upstream.c_str());
    w.Key("port");
    w.Int(l.port);
    w.Key("proxy");
    w.String(l.proxy_address.c_str());
    w.Key("fault");
    w.String(l.fault.c_str());
    for (const auto& [name, member] : kCounters) {
      w.Key(name);
      w.Uint64(l.stats.*member);
    }
    w.EndObject();
  }
  w.EndArray();
  return buffer.GetString();
}

std::vector<LinkStatus> LinksFromJson(const std::string& json) {
  const rapidjson::Document doc = Parse(json, "link list");
  if (!doc.IsArray()) throw Error("malformed link list from the control socket");
  std::vector<LinkStatus> out;
  for (const auto& v : doc.GetArray()) {
    if (!v.IsObject()) continue;
    LinkStatus l;
    l.replica = Text(v, "replica");
    l.upstream = Text(v, "upstream");
    l.port = static_cast<int>(Count(v, "port"));
    l.proxy_address = Text(v, "proxy");
    l.fault = Text(v, "fault");
    for (const auto& [name, member] : kCounters) l.stats.*member = Count(v, name);
    out.push_back(std::move(l));
  }
  return out;
}

std::string LinkOutcomeToJson(const LinkFaultOutcome& outcome) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("took_effect");
  w.Bool(outcome.took_effect);
  w.Key("connections_reset");
  w.Int(outcome.connections_reset);
  w.Key("detail");
  w.String(outcome.detail.c_str());
  w.EndObject();
  return buffer.GetString();
}

LinkFaultOutcome LinkOutcomeFromJson(const std::string& json) {
  const rapidjson::Document doc = Parse(json, "link fault outcome");
  if (!doc.IsObject()) {
    throw Error("malformed link fault outcome from the control socket");
  }
  LinkFaultOutcome out;
  out.took_effect = doc.HasMember("took_effect") && doc["took_effect"].IsBool() &&
                    doc["took_effect"].GetBool();
  out.connections_reset = static_cast<int>(Count(doc, "connections_reset"));
  out.detail = Text(doc, "detail");
  return out;
}

std::string FormatLinkTable(const std::vector<LinkStatus>& links) {
  if (links.empty()) return "no proxied links\n";
  std::size_t width = 7;
  for (const auto& l : links) width = std::max(width, l.replica.size());
  std::string out =
      fmt::format("{:<{}}  {:<22} {:<21} {:<24} {:>6} {:>6} {:>12}\n", "REPLICA",
                  width, "UPSTREAM", "PROXY", "FAULT", "RESETS", "REFUSED",
                  "BYTES");
  for (const auto& l : links) {
    out += fmt::format(
        "{:<{}}  {:<22} {:<21} {:<24} {:>6} {:>6} {:>12}\n", l.replica, width,
        l.upstream + ":" + std::to_string(l.port), l.proxy_address, l.fault,
        l.stats.connections_reset, l.stats.connections_refused,
        l.stats.bytes_client_to_server + l.stats.bytes_server_to_client);
  }
  return out;
}

}  // namespace chancho
