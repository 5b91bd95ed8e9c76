#include "harness/record/report_model.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "common/error.h"
#include "harness/spec/json_parse.h"

namespace chancho {
namespace {

using Value = rapidjson::Value;

std::string Str(const Value& v, const char* key) {
  if (!v.IsObject()) return "";
  const auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

double Num(const Value& v, const char* key, double otherwise = 0) {
  if (!v.IsObject()) return otherwise;
  const auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsNumber() ? it->value.GetDouble()
                                                     : otherwise;
}

// A count or id as an int: what does not fit is clamped, never converted
// out of range.
int IntOf(const Value& v, const char* key) {
  const double n = Num(v, key);
  if (!(n > -2e9)) return n != n ? 0 : -2'000'000'000;  // NaN is 0
  if (n > 2e9) return 2'000'000'000;
  return static_cast<int>(n);
}

bool Bool(const Value& v, const char* key) {
  if (!v.IsObject()) return false;
  const auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

// The members of an array field; none when it is absent or not an array.
std::vector<const Value*> Items(const Value& v, const char* key) {
  std::vector<const Value*> items;
  if (!v.IsObject()) return items;
  const auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsArray()) return items;
  for (const auto& item : it->value.GetArray()) items.push_back(&item);
  return items;
}

// "filter-spain-2000-2" -> "filter-spain-2000"; "server" stays.
std::string ServiceOf(const std::string& replica) {
  const auto dash = replica.rfind('-');
  if (dash == std::string::npos || dash + 1 == replica.size()) return replica;
  for (std::size_t i = dash + 1; i < replica.size(); ++i) {
    if (replica[i] < '0' || replica[i] > '9') return replica;
  }
  return replica.substr(0, dash);
}

// The `for=MS` of a link fault's text; 0 when it has none (until healed).
double LinkDuration(const std::string& text) {
  const auto at = text.find("for=");
  if (at == std::string::npos) return 0;
  return std::atof(text.c_str() + at + 4);
}

struct Change {
  double at;
  std::string state;
  int starts;
  bool ready;
  int pid;
};

std::string SpanKind(const Change& c) {
  if (c.state == "running" && c.ready) return "ready";
  return c.state;
}

void AddStates(ReportLane& lane, const std::vector<Change>& changes, double end) {
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const Change& c = changes[i];
    const double to = i + 1 < changes.size() ? changes[i + 1].at : end;
    const std::string kind = SpanKind(c);
    if (!lane.spans.empty() && lane.spans.back().kind == kind) {
      lane.spans.back().to_ms = to;  // a pid seen later, nothing new to draw
    } else {
      lane.spans.push_back({c.at, to, kind,
                            kind + " from " + Seconds(c.at) + " (pid " +
                                std::to_string(c.pid) + ", start " +
                                std::to_string(c.starts) + ")"});
    }
    if (i == 0) continue;
    const Change& prev = changes[i - 1];
    if (c.ready && !prev.ready) {
      lane.marks.push_back({c.at, "ready", true, std::nullopt, -1, "ready",
                            lane.replica + " ready at " + Seconds(c.at)});
    }
    if (prev.starts >= 1 && c.starts > prev.starts) {
      lane.marks.push_back({c.at, "revival", true, std::nullopt, -1, "revived",
                            lane.replica + " started again (start " +
                                std::to_string(c.starts) + ") at " + Seconds(c.at)});
    }
  }
}

// Kill/stop/restart to the replica's next start, and to its readiness
// after that.
std::optional<ReportRecovery> Recovery(const std::string& event, const std::string& kind,
                                       const std::string& target, double at,
                                       const std::vector<Change>& changes) {
  if (kind != "kill" && kind != "stop" && kind != "restart") return std::nullopt;
  ReportRecovery r{event, kind, target, at, std::nullopt, std::nullopt};
  int starts_before = 0;
  for (const Change& c : changes) {
    if (c.at > at) break;
    starts_before = c.starts;
  }
  for (const Change& c : changes) {
    if (c.at < at) continue;
    if (!r.to_running && c.state == "running" && c.starts > starts_before) {
      r.to_running = c.at - at;
    }
    if (r.to_running && c.ready && c.starts > starts_before) {
      r.to_ready = c.at - at;
      break;
    }
  }
  return r;
}

void AddProgress(ReportLane& lane, const std::vector<const Value*>& samples) {
  for (const Value* s : samples) {
    if (Str(*s, "client") != lane.replica) continue;
    const std::string file = Str(*s, "file");
    const double done = Num(*s, "done");
    const double total = Num(*s, "total");
    if (lane.progress.empty() || lane.progress.back().file != file) {
      lane.progress.push_back({file, {}, ""});
    }
    auto& line = lane.progress.back();
    if (total > 0) line.points.push_back({Num(*s, "at_ms"), std::min(1.0, done / total)});
    char last[64];
    std::snprintf(last, sizeof last, " %.0f/%.0f", done, total);
    line.last = file + last;
  }
}

}  // namespace

std::string Seconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f s", ms / 1000.0);
  return text;
}

ReportStats Stats(std::vector<double> values) {
  ReportStats s;
  s.count = static_cast<int>(values.size());
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const auto rank = [&](double p) {
    const auto n = static_cast<std::size_t>(std::ceil(p * values.size()));
    return values[std::clamp<std::size_t>(n, 1, values.size()) - 1];
  };
  s.p50 = rank(0.50);
  s.p99 = rank(0.99);
  s.max = values.back();
  return s;
}

ReportModel BuildReportModel(const std::string& record_json,
                             const std::string& source) {
  rapidjson::Document doc;
  ParseJson(doc, record_json, source);
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("plan")) {
    throw Error(source + ": not a run record (no \"plan\")");
  }
  ReportModel m;
  m.scenario = Str(doc, "scenario");
  m.scenario_file = Str(doc, "scenario_file");
  if (doc.HasMember("seed") && doc["seed"].IsUint64()) {
    m.seed = std::to_string(doc["seed"].GetUint64());
  }
  m.runtime = Str(doc, "runtime");
  m.spec = Str(doc, "spec");
  m.verdict = Str(doc, "verdict");
  m.exit_code = doc.HasMember("exit_code") ? IntOf(doc, "exit_code") : 1;
  m.started_at = Str(doc, "started_at");
  m.up_ms = Num(doc, "up_ms");
  m.duration_ms = Num(doc, "duration_ms");
  m.run_dir = Str(doc, "run_dir");
  m.replay_command = "chancho run --replay " +
                     (m.run_dir.empty() ? std::string("record.json")
                                        : m.run_dir + "/record.json");
  m.revivals = IntOf(doc, "revivals");
  m.unapplied = static_cast<int>(Items(doc, "unapplied").size());

  // The replicas: the record's list, then any other name its changes or
  // faults mention (older records have no list).
  std::vector<std::pair<std::string, std::pair<std::string, bool>>> replicas;
  std::map<std::string, std::size_t> index;
  const auto add_replica = [&](const std::string& name, std::string service,
                               bool client) {
    if (name.empty() || index.count(name)) return;
    if (service.empty()) service = ServiceOf(name);
    index[name] = replicas.size();
    replicas.push_back({name, {service, client}});
  };
  for (const Value* r : Items(doc, "replicas")) {
    add_replica(Str(*r, "name"), Str(*r, "service"), Bool(*r, "client"));
  }
  for (const Value* c : Items(doc, "clients")) add_replica(Str(*c, "name"), "", true);
  std::map<std::string, std::vector<Change>> changes;
  for (const Value* c : Items(doc, "state_changes")) {
    const std::string name = Str(*c, "replica");
    add_replica(name, "", false);
    changes[name].push_back({Num(*c, "at_ms"), Str(*c, "state"),
                             IntOf(*c, "starts"), Bool(*c, "ready"), IntOf(*c, "pid")});
  }
  const auto faults = Items(doc, "faults");
  for (const Value* f : faults) add_replica(Str(*f, "target"), "", false);

  // The time axis: from the first thing seen (bring-up is before zero) to
  // the last.
  m.t0 = std::min(0.0, -m.up_ms);
  m.t1 = std::max(m.duration_ms, 1.0);
  for (const auto& [name, list] : changes) {
    for (const Change& c : list) {
      m.t0 = std::min(m.t0, c.at);
      m.t1 = std::max(m.t1, c.at);
    }
  }
  for (const Value* f : faults) {
    m.t1 = std::max({m.t1, Num(*f, "actual_ms"), Num(*f, "planned_ms")});
  }
  for (const Value* c : Items(doc, "clients")) m.t1 = std::max(m.t1, Num(*c, "completed_ms"));

  std::map<std::string, std::string> link_text;  // event id -> fault text
  for (const Value* e : Items(doc, "plan")) {
    if (Str(*e, "kind") == "link") link_text[Str(*e, "id")] = Str(*e, "link");
  }

  std::vector<ReportLane> lanes;
  for (const auto& [name, what] : replicas) {
    ReportLane lane{name, what.first, what.second, {}, {}, {}, {}};
    AddStates(lane, changes[name], m.t1);
    lanes.push_back(std::move(lane));
  }
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const Value& f = *faults[i];
    const std::string target = Str(f, "target");
    const std::string kind = Str(f, "kind");
    const std::string event = Str(f, "event");
    const double actual = Num(f, "actual_ms");
    const bool ok = Bool(f, "took_effect");
    ++m.faults;
    m.faults_effective += ok ? 1 : 0;
    const auto at = index.find(target);
    if (at == index.end()) continue;  // no target named: nothing to draw it on
    ReportLane& lane = lanes[at->second];
    std::string detail = kind + " " + target + " (" + event + "): " +
                         (ok ? "took effect" : "did not take effect") +
                         "; planned " + Seconds(Num(f, "planned_ms")) + ", applied " +
                         Seconds(actual) + "; trigger: " + Str(f, "trigger");
    if (!Str(f, "detail").empty()) detail += "; " + Str(f, "detail");
    lane.marks.push_back({actual, "fault", ok, Num(f, "planned_ms"),
                          static_cast<int>(i), kind, detail});
    if (kind == "link") {
      const std::string text = link_text[event];
      const double length = LinkDuration(text);
      if (text.rfind("none", 0) != 0) {
        lane.links.push_back({actual, length > 0 ? actual + length : m.t1, "link",
                              "network fault on " + target + ": " + text});
      }
    }
    if (ok) {
      if (auto r = Recovery(event, kind, target, actual, changes[target])) {
        m.recoveries.push_back(*r);
      }
    }
  }
  const auto progress = Items(doc, "progress");
  for (const Value* c : Items(doc, "clients")) {
    const auto at = index.find(Str(*c, "name"));
    if (at == index.end()) continue;
    ReportLane& lane = lanes[at->second];
    const auto it = c->FindMember("exit_code");
    const bool exited = it != c->MemberEnd() && it->value.IsInt();
    const int code = exited ? it->value.GetInt() : -1;
    const std::string label = exited ? "exit " + std::to_string(code) : "no exit";
    lane.marks.push_back({Num(*c, "completed_ms"), "done", exited && code == 0,
                          std::nullopt, -1, label,
                          lane.replica + ": " +
                              (exited ? "exited " + std::to_string(code)
                                      : "did not finish in time") +
                              " at " + Seconds(Num(*c, "completed_ms"))});
  }
  for (ReportLane& lane : lanes) {
    if (lane.client) AddProgress(lane, progress);
  }

  // Groups in the order services first appear; clients last.
  for (bool clients : {false, true}) {
    for (ReportLane& lane : lanes) {
      if (lane.client != clients) continue;
      auto group = std::find_if(m.groups.begin(), m.groups.end(), [&](const auto& g) {
        return g.service == lane.service;
      });
      if (group == m.groups.end()) {
        m.groups.push_back({lane.service, {}});
        group = std::prev(m.groups.end());
      }
      group->lanes.push_back(std::move(lane));
      ++m.lanes;
    }
  }

  std::vector<double> running, ready;
  for (const auto& r : m.recoveries) {
    if (r.to_running) running.push_back(*r.to_running);
    if (r.to_ready) ready.push_back(*r.to_ready);
  }
  m.to_running = Stats(running);
  m.to_ready = Stats(ready);

  for (const Value* t : Items(doc, "triggers")) {
    const auto it = t->FindMember("fired_ms");
    const bool fired = it != t->MemberEnd() && it->value.IsNumber();
    m.triggers.push_back(Str(*t, "description") +
                         (fired ? ": fired at " + Seconds(it->value.GetDouble())
                                : ": never fired"));
  }
  if (doc.HasMember("comparison") && doc["comparison"].IsObject()) {
    for (const Value* f : Items(doc["comparison"], "files")) {
      ReportComparison c{Str(*f, "client"), Str(*f, "query"), Str(*f, "status"), {},
                         Bool(*f, "diff_truncated")};
      for (const Value* line : Items(*f, "diff")) {
        if (line->IsString()) c.diff.push_back(line->GetString());
      }
      m.comparison.push_back(std::move(c));
    }
  }
  return m;
}

}  // namespace chancho
