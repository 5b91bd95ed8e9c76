#include "harness/faults/scenario_faults.h"

// The "faults" object of a scenario file: events, their triggers and
// times, the auto-kill loop and bombs.

#include <string_view>

#include "common/error.h"
#include "harness/faults/trigger_watch.h"
#include "harness/runtime/control/control_commands.h"
#include "harness/spec/json_parse.h"

namespace chancho {
namespace {

using rapidjson::Value;
using std::chrono::milliseconds;

milliseconds Seconds(const JsonChecker& check, const Value& v,
                     const std::string& pointer) {
  return milliseconds(
      static_cast<long long>(check.NonNegativeSeconds(v, pointer) * 1000 + 0.5));
}


// A time: seconds from the start of the plan, or a trigger object with an
// optional "after" (seconds after it fired).
struct When {
  milliseconds at{0};
  std::optional<Trigger> on;
};

When TriggerWhen(JsonChecker& check, const Value& v, const std::string& pointer) {
  When w;
  w.on = ParseTrigger(check, v, pointer);
  if (v.HasMember("after")) {
    w.at = Seconds(check, v["after"], JsonPointerChild(pointer, "after"));
  }
  return w;
}

When ParseWhen(JsonChecker& check, const Value& v, const std::string& pointer) {
  if (v.IsObject()) return TriggerWhen(check, v, pointer);
  return When{Seconds(check, v, pointer), std::nullopt};
}

// The scenario's names for network actions.
constexpr std::pair<std::string_view, LinkFaultKind> kNetworkActions[] = {
    {"partition", LinkFaultKind::kPartition}, {"delay", LinkFaultKind::kDelay},
    {"bandwidth", LinkFaultKind::kBandwidth}, {"blackhole", LinkFaultKind::kBlackhole},
    {"link-reset", LinkFaultKind::kReset},    {"heal", LinkFaultKind::kNone},
    {"slow_close", LinkFaultKind::kSlowClose}, {"timeout", LinkFaultKind::kTimeout},
    {"slicer", LinkFaultKind::kSlicer},       {"limit_data", LinkFaultKind::kLimitData},
    {"latency", LinkFaultKind::kDelay}};

std::optional<LinkFaultKind> NetworkAction(std::string_view action) {
  for (const auto& [name, kind] : kNetworkActions) {
    if (action == name) return kind;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> NetworkActionName(LinkFaultKind kind) {
  for (const auto& [name, k] : kNetworkActions) {
    if (k == kind) return name;
  }
  return std::nullopt;
}

namespace {

ScenarioEvent ParseEvent(JsonChecker& check, const Value& v,
                         const std::string& pointer) {
  check.ExpectObject(v, pointer);
  if (v.HasMember("at") == v.HasMember("on")) {
    check.Fail(pointer,
               "an event needs one of \"at\" (seconds) or \"on\" (a trigger)");
  }
  check.Require(v, pointer, "target");
  ScenarioEvent e;
  bool link_action = false;
  std::optional<std::string> link_text;  // "fault", for the action "link"
  std::string field_given;  // a network field, which "link" does not take
  for (const auto& m : v.GetObject()) {
    const std::string key = JsonString(m.name);
    const std::string p = JsonPointerChild(pointer, key);
    static const std::set<std::string_view> kLinkFields = {
        "duration", "delay_ms", "jitter_ms", "rate", "timeout_ms", "size",
        "variation", "delay_us", "bytes", "toxicity", "direction"};
    if (kLinkFields.contains(key)) field_given = key;
    if (key == "at") {
      e.at = Seconds(check, m.value, p);
    } else if (key == "on") {
      const When when = TriggerWhen(check, m.value, p);
      e.at = when.at;
      e.on = when.on;
    } else if (key == "action") {
      const std::string action = check.String(m.value, p);
      const auto kind = ParseFaultKind(action);
      const auto network = NetworkAction(action);
      if (action == "link") {
        e.kind = FaultKind::kLink;
        link_action = true;
      } else if (network) {
        e.kind = FaultKind::kLink;
        e.link.fault.kind = *network;
      } else if (kind && *kind != FaultKind::kLink) {
        e.kind = *kind;
      } else {
        check.Expected(p,
                       "kill, stop, pause, resume, start, restart, partition, "
                       "delay, latency, bandwidth, blackhole, link-reset, heal, "
                       "slow_close, timeout, slicer, limit_data or link",
                       m.value);
      }
    } else if (key == "target") {
      try {
        e.target = ParseSelector(check.String(m.value, p));
      } catch (const Error& error) {
        check.Fail(p, error.what());
      }
    } else if (key == "signal") {
      try {
        e.signal = ParseSignal(check.ScalarText(m.value, p));
      } catch (const Error& error) {
        check.Fail(p, error.what());
      }
    } else if (key == "grace") {
      e.grace = Seconds(check, m.value, p);
    } else if (key == "duration") {
      e.link.fault.duration = Seconds(check, m.value, p);
    } else if (key == "delay_ms" || key == "jitter_ms") {
      (key == "delay_ms" ? e.link.fault.delay : e.link.fault.jitter) =
          milliseconds(check.NonNegativeInt(m.value, p));
    } else if (key == "rate") {
      e.link.fault.bytes_per_second =
          static_cast<std::uint64_t>(check.PositiveInt(m.value, p));
    } else if (key == "direction") {
      try {
        e.link.direction = ParseDirection(check.String(m.value, p));
      } catch (const Error& error) {
        check.Fail(p, error.what());
      }
    } else if (key == "timeout_ms") {
      e.link.fault.timeout = milliseconds(check.NonNegativeInt(m.value, p));
    } else if (key == "delay_us") {
      e.link.fault.slice_delay =
          std::chrono::microseconds(check.NonNegativeInt(m.value, p));
    } else if (key == "size" || key == "variation" || key == "bytes") {
      const auto n = static_cast<std::uint64_t>(check.NonNegativeInt(m.value, p));
      (key == "size" ? e.link.fault.average_size
                     : key == "variation" ? e.link.fault.size_variation
                                          : e.link.fault.bytes) = n;
    } else if (key == "toxicity") {
      if (!m.value.IsNumber() || m.value.GetDouble() < 0 || m.value.GetDouble() > 1) {
        check.Expected(p, "a number from 0 to 1", m.value);
      }
      e.link.fault.toxicity = m.value.GetDouble();
    } else if (key == "upstream") {
      e.link.upstream = check.NonEmptyString(m.value, p);
    } else if (key == "fault") {
      link_text = check.NonEmptyString(m.value, p);
    } else {
      check.Warn(p, key);
    }
  }
  if (link_text && !link_action) {
    check.Fail(JsonPointerChild(pointer, "fault"),
               "\"fault\" goes with the action \"link\"");
  }
  if (link_action && !link_text) {
    check.Fail(pointer, "the action \"link\" needs \"fault\": a fault in "
                        "the text form, e.g. \"delay delay=100 + slicer size=64\"");
  }
  if (link_text) {
    if (!field_given.empty()) {
      check.Fail(JsonPointerChild(pointer, field_given),
                 "the action \"link\" takes its fields in \"fault\"");
    }
    const std::string upstream = e.link.upstream;
    try {
      e.link = ParseLinkFault(*link_text);
    } catch (const Error& error) {
      check.Fail(JsonPointerChild(pointer, "fault"), error.what());
    }
    if (!upstream.empty() && !e.link.upstream.empty() &&
        upstream != e.link.upstream) {
      check.Fail(JsonPointerChild(pointer, "upstream"),
                 "differs from the fault's upstream=" + e.link.upstream);
    }
    if (e.link.upstream.empty()) e.link.upstream = upstream;
  }
  if (e.kind == FaultKind::kLink) {
    // The same checks as the text form: a bandwidth needs its rate.
    try {
      e.link = ParseLinkFault(FormatLinkFault(e.link));
    } catch (const Error& error) {
      check.Fail(pointer, error.what());
    }
  }
  return e;
}

}  // namespace

void ParseScenarioFaults(JsonChecker& check, const Value& v,
                         const std::string& pointer, Scenario& s) {
  check.ExpectObject(v, pointer);
  for (const auto& m : v.GetObject()) {
    const std::string key = JsonString(m.name);
    const std::string p = JsonPointerChild(pointer, key);
    if (key == "seed") {
      if (!m.value.IsUint64()) check.Expected(p, "a non-negative integer", m.value);
      s.seed = m.value.GetUint64();
    } else if (key == "events") {
      if (!m.value.IsArray()) check.Expected(p, "an array of events", m.value);
      for (rapidjson::SizeType i = 0; i < m.value.Size(); ++i) {
        s.events.push_back(ParseEvent(check, m.value[i], JsonPointerChild(p, i)));
      }
    } else if (key == "auto") {
      check.ExpectObject(m.value, p);
      check.Require(m.value, p, "every");
      check.Require(m.value, p, "kill");
      AutoKill a;
      bool until_trigger = false;
      for (const auto& f : m.value.GetObject()) {
        const std::string k = JsonString(f.name);
        const std::string fp = JsonPointerChild(p, k);
        if (k == "every") {
          a.every = milliseconds(static_cast<long long>(
              check.PositiveSeconds(f.value, fp) * 1000 + 0.5));
        } else if (k == "kill") {
          a.count = check.PositiveInt(f.value, fp);
        } else if (k == "from") {
          const When when = ParseWhen(check, f.value, fp);
          a.start = when.at;
          a.start_on = when.on;
        } else if (k == "until") {
          if (f.value.IsObject()) {
            a.until_on = ParseTrigger(check, f.value, fp);
            if (f.value.HasMember("after")) {
              check.Fail(JsonPointerChild(fp, "after"),
                         "\"until\" stops the loop when its trigger fires");
            }
            until_trigger = true;
          } else {
            a.until = Seconds(check, f.value, fp);
          }
        } else {
          check.Warn(fp, k);
        }
      }
      // Bounded by the clients' timeout when a trigger ends it (read
      // later, as "timeouts" may follow).
      if (until_trigger) a.until = milliseconds(-1);
      s.auto_kill = a;
    } else if (key == "bomb") {
      if (!m.value.IsArray()) {
        check.Expected(p, "an array of times in seconds or triggers", m.value);
      }
      for (rapidjson::SizeType i = 0; i < m.value.Size(); ++i) {
        const When when = ParseWhen(check, m.value[i], JsonPointerChild(p, i));
        s.bombs.push_back({when.at, when.on});
      }
    } else {
      check.Warn(p, key);
    }
  }
}

std::vector<std::string> ScenarioStrings(const JsonChecker& check,
                                         const rapidjson::Value& v,
                                         const std::string& pointer) {
  if (!v.IsArray()) check.Expected(pointer, "an array of strings", v);
  std::vector<std::string> out;
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    out.push_back(check.String(v[i], JsonPointerChild(pointer, i)));
  }
  return out;
}

}  // namespace chancho
