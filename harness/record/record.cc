#include "harness/record/record.h"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <fstream>
#include <map>
#include <sstream>

#include "common/error.h"
#include "harness/runtime/control/control_commands.h"
#include "harness/runtime/control/link_json.h"
#include "harness/spec/json_checker.h"
#include "harness/spec/json_parse.h"

namespace chancho {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void Key(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void Key(Writer& w, const char* key, std::int64_t value) {
  w.Key(key);
  w.Int64(value);
}

void WriteEvent(Writer& w, const FaultEvent& e) {
  w.StartObject();
  Key(w, "at_ms", e.at.count());
  Key(w, "kind", std::string(ToString(e.kind)));
  w.Key("targets");
  w.StartArray();
  for (const auto& t : e.targets) w.String(t.c_str());
  w.EndArray();
  Key(w, "signal", e.signal);
  Key(w, "grace_ms", e.grace.count());
  if (e.kind == FaultKind::kLink) Key(w, "link", FormatLinkFault(e.link));
  Key(w, "origin", e.origin);
  Key(w, "id", e.id);
  const auto trigger = [&](const char* key, const std::optional<Trigger>& t) {
    if (!t) return;
    const std::string json = TriggerToJson(*t);
    w.Key(key);
    w.RawValue(json.c_str(), json.size(), rapidjson::kObjectType);
  };
  trigger("on", e.trigger);
  trigger("until", e.until);
  w.EndObject();
}

const char* ToString(UnappliedEvent::Why why) {
  switch (why) {
    case UnappliedEvent::Why::kNotDue:
      return "not_due";
    case UnappliedEvent::Why::kTriggerNeverFired:
      return "trigger_never_fired";
    case UnappliedEvent::Why::kCancelled:
      return "cancelled";
  }
  return "";
}

}  // namespace

int RunRecord::revivals() const {
  // A start after the first: the start count grew since the replica's
  // previous change, from one or more (a held client's first start is not
  // a revival).
  std::map<std::string, int> starts;
  int n = 0;
  for (const auto& c : changes) {
    auto [it, first] = starts.emplace(c.replica, c.starts);
    if (!first && it->second >= 1 && c.starts > it->second) ++n;
    it->second = c.starts;
  }
  return n;
}

std::string RecordToJson(const RunRecord& r) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Key(w, "scenario_file", r.scenario_file);
  Key(w, "scenario", r.scenario_name);
  Key(w, "runtime", r.runtime);
  w.Key("seed");
  w.Uint64(r.seed);
  Key(w, "run_dir", r.run_dir);
  Key(w, "spec", r.spec);
  Key(w, "started_at", r.started_at);
  Key(w, "up_ms", r.up_duration.count());
  Key(w, "duration_ms", r.duration.count());
  w.Key("replicas");
  w.StartArray();
  for (const auto& replica : r.replicas) {
    w.StartObject();
    Key(w, "name", replica.name);
    Key(w, "service", replica.service);
    w.Key("client");
    w.Bool(replica.client);
    w.EndObject();
  }
  w.EndArray();
  w.Key("plan");
  w.StartArray();
  for (const auto& e : r.plan) WriteEvent(w, e);
  w.EndArray();
  w.Key("faults");
  w.StartArray();
  for (const auto& f : r.faults) {
    w.StartObject();
    Key(w, "target", f.target);
    Key(w, "kind", std::string(ToString(f.kind)));
    Key(w, "origin", f.origin);
    Key(w, "event", f.event);
    Key(w, "trigger", f.trigger);
    Key(w, "triggered_ms", f.triggered.count());
    Key(w, "planned_ms", f.planned.count());
    Key(w, "actual_ms", f.actual.count());
    w.Key("took_effect");
    w.Bool(f.took_effect);
    Key(w, "detail", f.detail);
    w.EndObject();
  }
  w.EndArray();
  w.Key("triggers");
  w.StartArray();
  for (const auto& t : r.triggers) {
    w.StartObject();
    const std::string json = TriggerToJson(t.trigger);
    w.Key("trigger");
    w.RawValue(json.c_str(), json.size(), rapidjson::kObjectType);
    Key(w, "description", Describe(t.trigger));
    w.Key("fired_ms");
    if (t.fired) {
      w.Int64(t.fired->count());
    } else {
      w.Null();
    }
    Key(w, "what", t.what);
    w.EndObject();
  }
  w.EndArray();
  w.Key("unapplied");
  w.StartArray();
  for (const auto& u : r.unapplied) {
    w.StartObject();
    Key(w, "event", u.event);
    Key(w, "why", ToString(u.why));
    Key(w, "detail", u.detail);
    w.EndObject();
  }
  w.EndArray();
  w.Key("state_changes");
  w.StartArray();
  for (const auto& c : r.changes) {
    w.StartObject();
    Key(w, "at_ms", c.at.count());
    Key(w, "replica", c.replica);
    Key(w, "state", std::string(ToString(c.state)));
    Key(w, "pid", c.pid);
    Key(w, "starts", c.starts);
    w.Key("ready");
    w.Bool(c.ready);
    w.EndObject();
  }
  w.EndArray();
  Key(w, "revivals", r.revivals());
  w.Key("clients");
  w.StartArray();
  for (const auto& c : r.clients) {
    w.StartObject();
    Key(w, "name", c.name);
    w.Key("exit_code");
    if (c.exit_code) {
      w.Int(*c.exit_code);
    } else {
      w.Null();
    }
    Key(w, "completed_ms", c.at.count());
    w.EndObject();
  }
  w.EndArray();
  w.Key("progress");
  w.StartArray();
  for (const auto& p : r.progress) {
    w.StartObject();
    Key(w, "at_ms", p.at.count());
    Key(w, "client", p.client);
    Key(w, "file", p.file);
    Key(w, "done", p.done);
    Key(w, "total", p.total);
    w.EndObject();
  }
  w.EndArray();
  w.Key("links");
  const std::string links = LinksToJson(r.links);
  w.RawValue(links.c_str(), links.size(), rapidjson::kArrayType);
  w.Key("comparison");
  if (r.comparison_json.empty()) {
    w.Null();
  } else {
    w.RawValue(r.comparison_json.c_str(), r.comparison_json.size(),
               rapidjson::kObjectType);
  }
  Key(w, "verdict", r.verdict);
  Key(w, "exit_code", r.exit_code);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

RunRecord LoadRecord(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseRecord(text.str(), path.string());
}

RunRecord ParseRecord(const std::string& text, const std::string& source) {
  rapidjson::Document doc;
  ParseJson(doc, text, source);
  const auto bad = [&](const std::string& what) {
    return Error(source + ": not a run record: " + what);
  };
  if (doc.HasParseError() || !doc.IsObject()) throw bad("invalid JSON");
  RunRecord r;
  if (!doc.HasMember("scenario_file") || !doc["scenario_file"].IsString() ||
      !doc.HasMember("seed") || !doc["seed"].IsUint64() ||
      !doc.HasMember("plan") || !doc["plan"].IsArray()) {
    throw bad("scenario_file, seed and plan are required");
  }
  r.scenario_file = doc["scenario_file"].GetString();
  r.seed = doc["seed"].GetUint64();
  if (doc.HasMember("runtime") && doc["runtime"].IsString()) {
    r.runtime = doc["runtime"].GetString();
    if (r.runtime != "process" && r.runtime != "docker") {
      throw bad("unknown runtime \"" + r.runtime + "\"");
    }
  }
  for (const auto& e : doc["plan"].GetArray()) {
    if (!e.IsObject() || !e.HasMember("at_ms") || !e["at_ms"].IsInt64() ||
        !e.HasMember("kind") || !e["kind"].IsString() ||
        !e.HasMember("targets") || !e["targets"].IsArray()) {
      throw bad("a plan entry needs at_ms, kind and targets");
    }
    FaultEvent f;
    f.at = std::chrono::milliseconds(e["at_ms"].GetInt64());
    const auto kind = ParseFaultKind(e["kind"].GetString());
    if (!kind) throw bad(std::string("unknown fault kind ") + e["kind"].GetString());
    f.kind = *kind;
    for (const auto& t : e["targets"].GetArray()) {
      if (!t.IsString()) throw bad("a target is not a string");
      f.targets.push_back(t.GetString());
    }
    if (e.HasMember("signal") && e["signal"].IsInt()) f.signal = e["signal"].GetInt();
    if (e.HasMember("grace_ms") && e["grace_ms"].IsInt64()) {
      f.grace = std::chrono::milliseconds(e["grace_ms"].GetInt64());
    }
    if (e.HasMember("origin") && e["origin"].IsString()) f.origin = e["origin"].GetString();
    if (e.HasMember("id") && e["id"].IsString()) f.id = e["id"].GetString();
    JsonChecker check(source);
    for (const char* key : {"on", "until"}) {
      if (!e.HasMember(key)) continue;
      const std::string pointer = "/plan/" + std::to_string(r.plan.size()) + "/" + key;
      (std::string(key) == "on" ? f.trigger : f.until) =
          ParseTrigger(check, e[key], pointer);
    }
    if (f.kind == FaultKind::kLink) {
      if (!e.HasMember("link") || !e["link"].IsString()) {
        throw bad("a link entry needs its fault in \"link\"");
      }
      try {
        f.link = ParseLinkFault(e["link"].GetString());
      } catch (const Error& error) {
        throw bad(error.what());
      }
    }
    r.plan.push_back(std::move(f));
  }
  // What the run did with it, as far as the record says (older records
  // may lack any of it): the faults applied, the verdict, the exit code.
  const auto str = [](const rapidjson::Value& o, const char* key) {
    return o.HasMember(key) && o[key].IsString() ? std::string(o[key].GetString())
                                                 : std::string();
  };
  const auto ms = [](const rapidjson::Value& o, const char* key) {
    return std::chrono::milliseconds(
        o.HasMember(key) && o[key].IsInt64() ? o[key].GetInt64() : 0);
  };
  if (doc.HasMember("faults") && doc["faults"].IsArray()) {
    for (const auto& o : doc["faults"].GetArray()) {
      if (!o.IsObject()) throw bad("a fault entry is not an object");
      FaultOutcome f;
      f.target = str(o, "target");
      const auto kind = ParseFaultKind(str(o, "kind"));
      if (!kind) throw bad("unknown fault kind \"" + str(o, "kind") + "\"");
      f.kind = *kind;
      f.origin = str(o, "origin");
      f.event = str(o, "event");
      f.trigger = str(o, "trigger");
      f.detail = str(o, "detail");
      f.triggered = ms(o, "triggered_ms");
      f.planned = ms(o, "planned_ms");
      f.actual = ms(o, "actual_ms");
      f.took_effect = o.HasMember("took_effect") && o["took_effect"].IsBool() &&
                      o["took_effect"].GetBool();
      r.faults.push_back(std::move(f));
    }
  }
  r.verdict = str(doc, "verdict");
  if (doc.HasMember("exit_code") && doc["exit_code"].IsInt()) {
    r.exit_code = doc["exit_code"].GetInt();
  }
  r.run_dir = str(doc, "run_dir");
  return r;
}

}  // namespace chancho
