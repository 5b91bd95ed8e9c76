// ScenarioWithEvents (scenario.h): a scenario file rewritten with explicit
// events.

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "common/error.h"
#include "harness/faults/scenario.h"
#include "harness/runtime/control/control_commands.h"

namespace chancho {
namespace {

namespace fs = std::filesystem;
using rapidjson::Document;
using rapidjson::Value;

std::string JsonEscaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

double Seconds(std::chrono::milliseconds ms) { return ms.count() / 1000.0; }

Value Text(const std::string& text, Document::AllocatorType& a) {
  return Value(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), a);
}

Value EventJson(const FaultEvent& e, const std::string& target, Document::AllocatorType& a) {
  Value out(rapidjson::kObjectType);
  if (e.trigger) {
    Document trigger(&a);
    trigger.Parse(TriggerToJson(*e.trigger).c_str());
    Value on(trigger, a);
    on.AddMember("after", Seconds(e.at), a);
    out.AddMember("on", on, a);
  } else {
    out.AddMember("at", Seconds(e.at), a);
  }
  std::string action(ToString(e.kind));
  // A stack of toxics has no fields of its own: the text form carries it.
  const bool as_text = e.kind == FaultKind::kLink &&
                       (!e.link.fault.stacked.empty() ||
                        !NetworkActionName(e.link.fault.kind));
  if (e.kind == FaultKind::kLink) {
    action = as_text ? "link" : std::string(*NetworkActionName(e.link.fault.kind));
  }
  out.AddMember("action", Text(action, a), a);
  out.AddMember("target", Text(target, a), a);
  if (as_text) {
    out.AddMember("fault", Text(FormatLinkFault(e.link), a), a);
    return out;
  }
  if (e.kind == FaultKind::kKill && e.signal != SIGKILL) {
    out.AddMember("signal", Text(SignalName(e.signal), a), a);
  }
  if (e.kind == FaultKind::kStop || e.kind == FaultKind::kRestart) {
    out.AddMember("grace", Seconds(e.grace), a);
  }
  if (e.kind == FaultKind::kLink) {
    const LinkFault& f = e.link.fault;
    if (f.duration.count() > 0) out.AddMember("duration", Seconds(f.duration), a);
    if (f.kind == LinkFaultKind::kDelay) {
      out.AddMember("delay_ms", static_cast<std::int64_t>(f.delay.count()), a);
      out.AddMember("jitter_ms", static_cast<std::int64_t>(f.jitter.count()), a);
    }
    if (f.kind == LinkFaultKind::kBandwidth) {
      out.AddMember("rate", static_cast<std::uint64_t>(f.bytes_per_second), a);
    }
    const auto count = [&](const char* key, std::uint64_t n) {
      out.AddMember(rapidjson::StringRef(key), n, a);
    };
    if (f.kind == LinkFaultKind::kSlowClose) count("delay_ms", f.delay.count());
    if (f.kind == LinkFaultKind::kTimeout) count("timeout_ms", f.timeout.count());
    if (f.kind == LinkFaultKind::kSlicer) {
      count("size", f.average_size);
      count("variation", f.size_variation);
      count("delay_us", f.slice_delay.count());
    }
    if (f.kind == LinkFaultKind::kLimitData) count("bytes", f.bytes);
    if (f.toxicity != 1.0) out.AddMember("toxicity", f.toxicity, a);
    if (!e.link.upstream.empty()) {
      out.AddMember("upstream", Text(e.link.upstream, a), a);
    }
    out.AddMember("direction", Text(std::string(DirectionWord(e.link.direction)), a), a);
  }
  return out;
}

void SetPath(Document& doc, const char* key, const fs::path& path) {
  if (!doc.HasMember(key)) return;
  doc[key] = Text(fs::absolute(path).lexically_normal().string(), doc.GetAllocator());
}

}  // namespace

std::string ScenarioWithEvents(const Scenario& scenario,
                               const std::vector<FaultEvent>& events,
                               std::uint64_t seed) {
  // {scenario_dir} is the original file's directory wherever this one goes.
  std::string text = scenario.text;
  const std::string dir =
      JsonEscaped(fs::absolute(scenario.file).parent_path().lexically_normal().string());
  for (std::size_t at = 0; (at = text.find("{scenario_dir}", at)) != std::string::npos;
       at += dir.size()) {
    text.replace(at, 14, dir);
  }
  Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    throw Error(scenario.file.string() + ": the scenario no longer parses");
  }
  auto& a = doc.GetAllocator();
  SetPath(doc, "spec", scenario.spec);
  SetPath(doc, "compose", scenario.compose);
  SetPath(doc, "defaults", scenario.defaults);
  SetPath(doc, "known_good", scenario.known_good);
  Value faults(rapidjson::kObjectType);
  faults.AddMember("seed", static_cast<std::uint64_t>(seed), a);
  Value list(rapidjson::kArrayType);
  for (const FaultEvent& e : events) {
    for (const std::string& target : e.targets) list.PushBack(EventJson(e, target, a), a);
  }
  faults.AddMember("events", list, a);
  if (doc.HasMember("faults")) {
    doc["faults"] = faults;
  } else {
    doc.AddMember("faults", faults, a);
  }
  rapidjson::StringBuffer out;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(out);
  writer.SetIndent(' ', 2);
  doc.Accept(writer);
  return std::string(out.GetString(), out.GetSize()) + "\n";
}

}  // namespace chancho
