#include "harness/toxiproxy/toxiproxy_json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>

namespace chancho {
namespace {

struct TypeInfo {
  const char* name;
  LinkFaultKind kind;
  std::set<std::string_view> attributes;
};

const std::vector<TypeInfo>& Types() {
  static const std::vector<TypeInfo> types = {
      {"latency", LinkFaultKind::kDelay, {"latency", "jitter"}},
      {"bandwidth", LinkFaultKind::kBandwidth, {"rate"}},
      {"slow_close", LinkFaultKind::kSlowClose, {"delay"}},
      {"timeout", LinkFaultKind::kTimeout, {"timeout"}},
      {"slicer",
       LinkFaultKind::kSlicer,
       {"average_size", "size_variation", "delay"}},
      {"limit_data", LinkFaultKind::kLimitData, {"bytes"}},
      {"blackhole", LinkFaultKind::kBlackhole, {}},
  };
  return types;
}

[[noreturn]] void Fail(const std::string& message) {
  throw ApiError{400, message};
}

const TypeInfo& TypeByName(std::string_view name) {
  for (const TypeInfo& type : Types()) {
    if (name == type.name) return type;
  }
  if (name == "reset_peer") {
    Fail("toxic type reset_peer is not supported (Chancho's proxy resets "
         "whole links: chancho ctl link NAME reset)");
  }
  Fail("unknown toxic type \"" + std::string(name) +
       "\" (latency, bandwidth, slow_close, timeout, slicer, limit_data, "
       "blackhole)");
}

const TypeInfo& TypeByKind(LinkFaultKind kind) {
  for (const TypeInfo& type : Types()) {
    if (type.kind == kind) return type;
  }
  Fail("a " + std::string(ToString(kind)) + " is no toxic");
}

std::string Key(const rapidjson::Value::ConstMemberIterator& it) {
  return {it->name.GetString(), it->name.GetStringLength()};
}

// A whole number of at least 0 (Toxiproxy's attributes are integers).
std::uint64_t Count(const rapidjson::Value& value, const std::string& what) {
  if (value.IsUint64()) return value.GetUint64();
  if (value.IsDouble()) {
    const double d = value.GetDouble();
    if (d >= 0 && d < 9.0e15 && std::floor(d) == d) {
      return static_cast<std::uint64_t>(d);
    }
  }
  Fail(what + " must be a whole number of at least 0");
}

Direction ParseStream(const rapidjson::Value& value) {
  if (value.IsString()) {
    const std::string_view text(value.GetString(), value.GetStringLength());
    if (text == "upstream") return Direction::kClientToServer;
    if (text == "downstream") return Direction::kServerToClient;
  }
  Fail("stream must be \"upstream\" or \"downstream\"");
}

void SetAttribute(LinkFault& fault, std::string_view name,
                  const rapidjson::Value& value) {
  const std::string what = "attribute " + std::string(name);
  const std::uint64_t n = Count(value, what);
  using std::chrono::microseconds;
  using std::chrono::milliseconds;
  const auto ms = [&] {
    if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
      Fail(what + " is too large");
    }
    return milliseconds(static_cast<std::int64_t>(n));
  };
  switch (fault.kind) {
    case LinkFaultKind::kDelay:
      (name == "latency" ? fault.delay : fault.jitter) = ms();
      return;
    case LinkFaultKind::kBandwidth:
      if (n > std::numeric_limits<std::uint64_t>::max() / 1000) {
        Fail(what + " is too large");
      }
      fault.bytes_per_second = n * 1000;
      return;
    case LinkFaultKind::kSlowClose:
      fault.delay = ms();
      return;
    case LinkFaultKind::kTimeout:
      fault.timeout = ms();
      return;
    case LinkFaultKind::kSlicer:
      if (name == "average_size") {
        fault.average_size = n;
      } else if (name == "size_variation") {
        fault.size_variation = n;
      } else {
        fault.slice_delay = microseconds(ms().count());
      }
      return;
    case LinkFaultKind::kLimitData:
      fault.bytes = n;
      return;
    default:
      return;
  }
}

void ApplyAttributes(const rapidjson::Value& body, const TypeInfo& type,
                     LinkFault& fault) {
  if (!body.HasMember("attributes")) return;
  const rapidjson::Value& attributes = body["attributes"];
  if (attributes.IsNull()) return;
  if (!attributes.IsObject()) Fail("attributes must be an object");
  for (auto it = attributes.MemberBegin(); it != attributes.MemberEnd(); ++it) {
    const std::string name = Key(it);
    if (!type.attributes.contains(name)) {
      Fail("a " + std::string(type.name) + " toxic has no attribute \"" + name +
           "\"");
    }
    SetAttribute(fault, name, it->value);
  }
}

double ParseToxicity(const rapidjson::Value& value) {
  if (!value.IsNumber() || !(value.GetDouble() >= 0 && value.GetDouble() <= 1)) {
    Fail("toxicity must be a number from 0 to 1");
  }
  return value.GetDouble();
}

void CheckFields(const rapidjson::Value& body) {
  if (!body.IsObject()) Fail("the body must be a JSON object (a toxic)");
  static const std::set<std::string_view> known = {
      "name", "type", "stream", "toxicity", "attributes"};
  for (auto it = body.MemberBegin(); it != body.MemberEnd(); ++it) {
    if (!known.contains(Key(it))) {
      Fail("a toxic has no field \"" + Key(it) + "\"");
    }
  }
}

}  // namespace

std::string_view ToxicTypeName(LinkFaultKind kind) {
  for (const TypeInfo& type : Types()) {
    if (type.kind == kind) return type.name;
  }
  return {};
}

Toxic ParseNewToxic(const rapidjson::Value& body) {
  CheckFields(body);
  if (!body.HasMember("type") || !body["type"].IsString()) {
    Fail("a toxic needs a type (a string)");
  }
  const TypeInfo& type = TypeByName(body["type"].GetString());
  Toxic toxic;
  toxic.stream = Direction::kServerToClient;
  toxic.fault.kind = type.kind;
  if (body.HasMember("name") && !body["name"].IsNull()) {
    if (!body["name"].IsString()) Fail("name must be a string");
    toxic.name = body["name"].GetString();
  }
  if (body.HasMember("stream")) toxic.stream = ParseStream(body["stream"]);
  if (body.HasMember("toxicity")) {
    toxic.fault.toxicity = ParseToxicity(body["toxicity"]);
  }
  ApplyAttributes(body, type, toxic.fault);
  return toxic;
}

Toxic ParseToxicUpdate(const rapidjson::Value& body, Toxic toxic) {
  CheckFields(body);
  const TypeInfo& type = TypeByKind(toxic.fault.kind);
  if (body.HasMember("type") &&
      !(body["type"].IsString() &&
        std::string_view(body["type"].GetString()) == type.name)) {
    Fail("toxic " + toxic.name + " is a " + type.name +
         " toxic; its type does not change (remove it and add another)");
  }
  if (body.HasMember("stream") && ParseStream(body["stream"]) != toxic.stream) {
    Fail("toxic " + toxic.name + "'s stream does not change (remove it and "
         "add another)");
  }
  if (body.HasMember("name") &&
      !(body["name"].IsString() && body["name"].GetString() == toxic.name)) {
    Fail("toxic " + toxic.name + "'s name does not change");
  }
  if (body.HasMember("toxicity")) {
    toxic.fault.toxicity = ParseToxicity(body["toxicity"]);
  }
  ApplyAttributes(body, type, toxic.fault);
  return toxic;
}

void WriteToxic(rapidjson::Writer<rapidjson::StringBuffer>& out,
                const Toxic& toxic) {
  const LinkFault& f = toxic.fault;
  out.StartObject();
  out.Key("name");
  out.String(toxic.name.c_str());
  out.Key("type");
  const std::string type(ToxicTypeName(f.kind));
  out.String(type.c_str());
  out.Key("stream");
  out.String(toxic.stream == Direction::kClientToServer ? "upstream"
                                                         : "downstream");
  out.Key("toxicity");
  out.Double(f.toxicity);
  out.Key("attributes");
  out.StartObject();
  const auto put = [&out](const char* key, std::uint64_t value) {
    out.Key(key);
    out.Uint64(value);
  };
  switch (f.kind) {
    case LinkFaultKind::kDelay:
      put("latency", f.delay.count());
      put("jitter", f.jitter.count());
      break;
    case LinkFaultKind::kBandwidth:
      put("rate", f.bytes_per_second / 1000);
      break;
    case LinkFaultKind::kSlowClose:
      put("delay", f.delay.count());
      break;
    case LinkFaultKind::kTimeout:
      put("timeout", f.timeout.count());
      break;
    case LinkFaultKind::kSlicer:
      put("average_size", f.average_size);
      put("size_variation", f.size_variation);
      put("delay", f.slice_delay.count());
      break;
    case LinkFaultKind::kLimitData:
      put("bytes", f.bytes);
      break;
    default:
      break;
  }
  out.EndObject();
  out.EndObject();
}

}  // namespace chancho
