// libFuzzer target: the Toxiproxy-compatible API's request bodies. Each
// input is a toxic as a client would POST it: parsed on its own (what reads
// back from its JSON must be the same toxic), then sent through the API's
// handler to a link's proxy, added, updated with itself and reset, so that
// no body can crash the handler or leave a toxic behind.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/error.h"
#include "harness/spec/json_parse.h"
#include "harness/toxiproxy/toxiproxy_api.h"
#include "harness/toxiproxy/toxiproxy_json.h"

namespace {

chancho::ToxiproxyApi& Api() {
  static chancho::TcpProxy* proxy = [] {
    chancho::TcpProxyOptions options;
    options.upstream_host = "127.0.0.1";
    options.upstream_port = 1;
    return new chancho::TcpProxy(options);
  }();
  static chancho::ToxiproxyApi* api =
      new chancho::ToxiproxyApi({{"link", "127.0.0.1:1", proxy}});
  return *api;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  try {
    rapidjson::Document doc;
    chancho::ParseJson(doc, body, "fuzz");
    const chancho::Toxic toxic = chancho::ParseNewToxic(doc);
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> out(buffer);
    chancho::WriteToxic(out, toxic);
    rapidjson::Document again;
    chancho::ParseJson(again, buffer.GetString(), "fuzz");
    chancho::Toxic back = chancho::ParseNewToxic(again);
    back.name = toxic.name;
    if (!(back == toxic)) __builtin_trap();
  } catch (const chancho::Error&) {
  } catch (const chancho::ApiError&) {
  }
  chancho::ToxiproxyApi& api = Api();
  const chancho::ApiResponse added = api.Handle({"POST", "/proxies/link/toxics", body});
  if (added.status == 200) {
    rapidjson::Document doc;
    chancho::ParseJson(doc, added.body, "fuzz");
    const std::string name = doc["name"].GetString();
    (void)api.Handle({"POST", "/proxies/link/toxics/" + name, added.body});
  }
  (void)api.Handle({"PATCH", "/proxies/link", body});
  if (api.Handle({"POST", "/reset", ""}).status != 204) __builtin_trap();
  return 0;
}
