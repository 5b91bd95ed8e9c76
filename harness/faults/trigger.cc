#include "harness/faults/trigger.h"

#include <cmath>
#include <regex>
#include <sstream>

#include "common/user_regex.h"
#include "common/error.h"
#include "common/log_line.h"
#include "harness/spec/json_checker.h"

namespace chancho {
namespace {

using rapidjson::Value;

// The kinds' keys, in the order a trigger object is checked for them.
constexpr std::pair<const char*, Trigger::Kind> kKinds[] = {
    {"log", Trigger::Kind::kLog},
    {"progress", Trigger::Kind::kProgress},
    {"fault", Trigger::Kind::kFault},
    {"exited", Trigger::Kind::kExited}};

Selector TriggerSelector(JsonChecker& check, const Value& v,
                         const std::string& pointer) {
  Selector s;
  try {
    s = ParseSelector(check.String(v, pointer));
  } catch (const Error& e) {
    check.Fail(pointer, e.what());
  }
  if (s.kind == Selector::Kind::kRandom) {
    check.Fail(pointer,
               "a trigger watches named replicas: use a name, prefix:, "
               "regex: or role:, not random:");
  }
  return s;
}

std::optional<std::int64_t> Number(const std::optional<std::string>& text) {
  if (!text || text->empty() || text->size() > 18 ||
      text->find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(*text);
}

}  // namespace

std::string Describe(const Trigger& t) {
  std::ostringstream out;
  switch (t.kind) {
    case Trigger::Kind::kLog:
      out << "log " << ToString(t.replicas) << " /" << t.regex << "/ #" << t.nth;
      break;
    case Trigger::Kind::kProgress:
      out << "progress " << ToString(t.replicas);
      if (!t.file.empty()) out << " " << t.file;
      if (t.fraction > 0) out << " " << t.fraction * 100 << "%";
      if (t.count > 0) out << " " << t.count << " done";
      break;
    case Trigger::Kind::kFault:
      out << "fault " << t.fault << (t.ready ? " ready" : " revived");
      break;
    case Trigger::Kind::kExited:
      out << "exited " << (t.any ? "any of " : "all of ") << ToString(t.replicas);
      break;
  }
  return out.str();
}

std::string TriggerToJson(const Trigger& t) {
  std::string out = "{";
  switch (t.kind) {
    case Trigger::Kind::kLog:
      out += "\"log\":" + JsonQuote(t.regex) +
             ",\"replica\":" + JsonQuote(ToString(t.replicas)) +
             ",\"nth\":" + std::to_string(t.nth);
      break;
    case Trigger::Kind::kProgress: {
      out += "\"progress\":" + JsonQuote(ToString(t.replicas));
      if (!t.file.empty()) out += ",\"file\":" + JsonQuote(t.file);
      if (t.fraction > 0) {
        std::ostringstream f;
        f.precision(17);
        f << t.fraction;
        out += ",\"fraction\":" + f.str();
      }
      if (t.count > 0) out += ",\"count\":" + std::to_string(t.count);
      break;
    }
    case Trigger::Kind::kFault:
      out += "\"fault\":" + JsonQuote(t.fault) + ",\"when\":" +
             (t.ready ? "\"ready\"" : "\"revived\"");
      break;
    case Trigger::Kind::kExited:
      out += "\"exited\":" + JsonQuote(ToString(t.replicas)) +
             ",\"any\":" + (t.any ? "true" : "false");
      break;
  }
  return out + "}";
}

Trigger ParseTrigger(JsonChecker& check, const Value& v,
                     const std::string& pointer) {
  check.ExpectObject(v, pointer);
  Trigger t;
  const char* kind_key = nullptr;
  for (const auto& [key, kind] : kKinds) {
    if (!v.HasMember(key)) continue;
    if (kind_key) {
      check.Fail(pointer, std::string("a trigger has one kind; both \"") +
                              kind_key + "\" and \"" + key + "\" given");
    }
    kind_key = key;
    t.kind = kind;
  }
  if (!kind_key) {
    check.Fail(pointer,
               "a trigger needs one of \"log\", \"progress\", \"fault\" or "
               "\"exited\"");
  }
  for (const auto& m : v.GetObject()) {
    const std::string key = JsonString(m.name);
    const std::string p = JsonPointerChild(pointer, key);
    const Value& value = m.value;
    if (key == "after") continue;  // the caller's
    if (key == "log" && t.kind == Trigger::Kind::kLog) {
      t.regex = check.NonEmptyString(value, p);
      try {
        CompileUserRegex(t.regex);
      } catch (const std::regex_error& e) {
        check.Fail(p, std::string("invalid regex: ") + e.what());
      }
    } else if (key == "replica" && t.kind == Trigger::Kind::kLog) {
      t.replicas = TriggerSelector(check, value, p);
    } else if (key == "nth" && t.kind == Trigger::Kind::kLog) {
      t.nth = check.PositiveInt(value, p);
    } else if ((key == "progress" && t.kind == Trigger::Kind::kProgress) ||
               (key == "exited" && t.kind == Trigger::Kind::kExited)) {
      t.replicas = TriggerSelector(check, value, p);
    } else if (key == "file" && t.kind == Trigger::Kind::kProgress) {
      t.file = check.NonEmptyString(value, p);
    } else if (key == "fraction" && t.kind == Trigger::Kind::kProgress) {
      if (!value.IsNumber() || !(value.GetDouble() > 0) ||
          value.GetDouble() > 1) {
        check.Expected(p, "a fraction above 0 and at most 1", value);
      }
      t.fraction = value.GetDouble();
    } else if (key == "count" && t.kind == Trigger::Kind::kProgress) {
      if (!value.IsInt64() || value.GetInt64() < 1) {
        check.Expected(p, "a positive integer", value);
      }
      t.count = value.GetInt64();
    } else if (key == "fault" && t.kind == Trigger::Kind::kFault) {
      if (value.IsUint()) {
        t.fault = "events/" + std::to_string(value.GetUint());
      } else {
        t.fault = check.NonEmptyString(value, p);
      }
    } else if (key == "when" && t.kind == Trigger::Kind::kFault) {
      const std::string when = check.String(value, p);
      if (when != "revived" && when != "ready") {
        check.Expected(p, "\"revived\" or \"ready\"", value);
      }
      t.ready = when == "ready";
    } else if (key == "any" && t.kind == Trigger::Kind::kExited) {
      t.any = check.Bool(value, p);
    } else {
      check.Fail(p, "unknown key \"" + key + "\" in a " + kind_key + " trigger");
    }
  }
  if (t.kind == Trigger::Kind::kLog && !v.HasMember("replica")) {
    check.Fail(pointer, "a log trigger needs \"replica\": the replicas whose lines count");
  }
  if (t.kind == Trigger::Kind::kProgress && (t.fraction > 0) == (t.count > 0)) {
    check.Fail(pointer, "a progress trigger needs one of \"fraction\" or \"count\"");
  }
  return t;
}

std::optional<Progress> ParseProgress(std::string_view line) {
  const auto event = common::ParseLogLine(line);
  if (!event || event->action != "progress") return std::nullopt;
  const auto done = Number(event->Get("done"));
  if (!done) return std::nullopt;
  Progress p;
  p.done = *done;
  p.total = Number(event->Get("total")).value_or(0);
  p.file = event->Get("file").value_or("");
  return p;
}

bool Reaches(const Trigger& t, const Progress& p) {
  if (t.kind != Trigger::Kind::kProgress) return false;
  if (!t.file.empty() && t.file != p.file) return false;
  if (t.count > 0) return p.done >= t.count;
  // done/total >= fraction, without the rounding of a division: a fraction
  // of 0.3 of 10 is reached at 3.
  return p.total > 0 && static_cast<double>(p.done) >=
                            t.fraction * static_cast<double>(p.total) - 1e-9;
}

}  // namespace chancho
