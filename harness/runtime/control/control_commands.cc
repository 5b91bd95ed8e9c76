#include "harness/runtime/control/control_commands.h"

#include <chrono>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "common/duration.h"
#include "common/error.h"
#include "harness/runtime/control/link_json.h"
#include "harness/spec/json_parse.h"

namespace chancho {
namespace {

constexpr std::pair<const char*, int> kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"CONT", SIGCONT},
    {"STOP", SIGSTOP}, {"ABRT", SIGABRT}, {"SEGV", SIGSEGV}, {"PIPE", SIGPIPE},
};

// A grace period: a duration (2s, 500ms) or a bare number of milliseconds.
long ParseMillis(const std::string& text, const std::string& what) {
  try {
    return static_cast<long>(
        common::ParseDurationOr(text, std::chrono::milliseconds(1)).count());
  } catch (const std::invalid_argument&) {
  }
  throw Error(what + ": expected a duration (2s, 500ms) or milliseconds, got \"" +
              text + "\"");
}

}  // namespace

int ParseSignal(const std::string& text) {
  std::string name;
  for (char c : text) name += static_cast<char>(std::toupper(c));
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  for (const auto& [known, number] : kSignals) {
    if (name == known) return number;
  }
  try {
    std::size_t used = 0;
    const int number = std::stoi(text, &used);
    if (used == text.size() && number > 0 && number < 65) return number;
  } catch (const std::exception&) {
  }
  throw Error("unknown signal \"" + text + "\"");
}

std::string SignalName(int signal) {
  for (const auto& [known, number] : kSignals) {
    if (number == signal) return std::string("SIG") + known;
  }
  return std::to_string(signal);
}

std::string ExitText(const ReplicaStatus& status) {
  if (status.term_signal) return SignalName(*status.term_signal);
  if (status.exit_code) return "code " + std::to_string(*status.exit_code);
  return "";
}

namespace {

// One parsed request: its words (the verb first) and its whole text.
struct Request {
  Runtime& runtime;
  const std::vector<std::string>& words;
  const std::string& text;
  const std::function<void()>& on_down;
};

std::string Ps(const Request& r) { return StatusesToJson(r.runtime.Ps()); }

std::string Info(const Request& r) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("run_dir");
  w.String(r.runtime.run_dir().string().c_str());
  w.Key("project");
  w.String(r.runtime.deployment().project.c_str());
  w.EndObject();
  return buffer.GetString();
}

// A revival is done when the replica is ready again, not merely running:
// `ctl start` answers then, and `ps` shows it ready.
std::string Start(const Request& r) {
  const std::string& name = r.words[1];
  r.runtime.Start(name);
  const ReplicaPlan* plan = r.runtime.deployment().Find(name);
  const double timeout_s = plan ? plan->readiness.timeout_s : 10.0;
  if (!r.runtime.WaitReady(name, std::chrono::milliseconds(
                                     static_cast<long>(timeout_s * 1000)))) {
    throw Error("replica " + name + " started but was not ready within " +
                NumberText(timeout_s) + " s (" +
                r.runtime.ReadinessReport(name) + ")");
  }
  return "";
}

std::string Pause(const Request& r) {
  r.runtime.Pause(r.words[1]);
  return "";
}

std::string Resume(const Request& r) {
  r.runtime.Resume(r.words[1]);
  return "";
}

std::string Kill(const Request& r) {
  r.runtime.Kill(r.words[1],
                 r.words.size() == 3 ? ParseSignal(r.words[2]) : SIGKILL);
  return "";
}

std::string Stop(const Request& r) {
  const long grace =
      r.words.size() == 3 ? ParseMillis(r.words[2], "grace") : 10000;
  r.runtime.Stop(r.words[1], std::chrono::milliseconds(grace));
  return "";
}

std::string Down(const Request& r) {
  const long grace =
      r.words.size() == 2 ? ParseMillis(r.words[1], "grace") : 10000;
  r.runtime.Down(std::chrono::milliseconds(grace));
  if (r.on_down) r.on_down();
  return "";
}

std::string Links(const Request& r) { return LinksToJson(r.runtime.Links()); }

// The fault is the rest of the line after the replica's name, spaces and
// all.
std::string Link(const Request& r) {
  const std::string& verb = r.words[0];
  const std::size_t name_at =
      r.text.find(r.words[1], r.text.find(verb) + verb.size());
  const std::string fault = r.text.substr(name_at + r.words[1].size());
  return LinkOutcomeToJson(
      r.runtime.SetLinkFault(r.words[1], ParseLinkFault(fault)));
}

struct Verb {
  std::string_view name;
  std::size_t min_args;
  std::size_t max_args;
  std::string (*run)(const Request&);
};

constexpr std::size_t kAnyNumber = 1000;

constexpr Verb kVerbs[] = {
    {"ps", 0, 0, Ps},         {"info", 0, 0, Info},
    {"start", 1, 1, Start},   {"kill", 1, 2, Kill},
    {"stop", 1, 2, Stop},     {"pause", 1, 1, Pause},
    {"resume", 1, 1, Resume}, {"down", 0, 1, Down},
    {"links", 0, 0, Links},   {"link", 2, kAnyNumber, Link},
};

}  // namespace

std::string HandleControlRequest(Runtime& runtime, const std::string& request,
                                 const std::function<void()>& on_down) {
  std::istringstream in(request);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  if (words.empty()) throw Error("empty request");
  for (const Verb& verb : kVerbs) {
    if (verb.name != words[0]) continue;
    const std::size_t args = words.size() - 1;
    if (args < verb.min_args || args > verb.max_args) {
      throw Error("\"" + words[0] + "\" takes " +
                  std::to_string(verb.min_args) +
                  (verb.max_args == kAnyNumber ? " or more"
                   : verb.max_args > verb.min_args
                       ? " to " + std::to_string(verb.max_args)
                       : "") +
                  " argument(s)");
    }
    return verb.run(Request{runtime, words, request, on_down});
  }
  std::string known;
  for (const Verb& verb : kVerbs) {
    known += (known.empty() ? "" : ", ") + std::string(verb.name);
  }
  throw Error("unknown request \"" + words[0] + "\" (known: " + known + ")");
}

std::string StatusesToJson(const std::vector<ReplicaStatus>& statuses) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartArray();
  for (const ReplicaStatus& s : statuses) {
    w.StartObject();
    w.Key("name");
    w.String(s.name.c_str());
    w.Key("service");
    w.String(s.service.c_str());
    w.Key("role");
    w.String(s.role.c_str());
    w.Key("address");
    w.String(s.address.c_str());
    w.Key("state");
    w.String(std::string(ToString(s.state)).c_str());
    w.Key("ready");
    w.Bool(s.ready);
    w.Key("pid");
    w.Int(s.pid);
    w.Key("uptime_ms");
    w.Int64(s.uptime.count());
    w.Key("starts");
    w.Int(s.starts);
    w.Key("restarts");
    w.Int(s.restarts);
    if (s.exit_code) {
      w.Key("exit_code");
      w.Int(*s.exit_code);
    }
    if (s.term_signal) {
      w.Key("signal");
      w.Int(*s.term_signal);
    }
    w.EndObject();
  }
  w.EndArray();
  return buffer.GetString();
}

std::vector<ReplicaStatus> StatusesFromJson(const std::string& json) {
  rapidjson::Document doc;
  ParseJson(doc, json, "control socket status list");
  if (!doc.IsArray()) {
    throw Error("malformed status list from the control socket");
  }
  std::vector<ReplicaStatus> out;
  for (const auto& v : doc.GetArray()) {
    if (!v.IsObject()) continue;
    ReplicaStatus s;
    const auto text = [&v](const char* key) -> std::string {
      return v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "";
    };
    const auto number = [&v](const char* key) -> std::int64_t {
      return v.HasMember(key) && v[key].IsInt64() ? v[key].GetInt64() : 0;
    };
    s.name = text("name");
    s.service = text("service");
    s.role = text("role");
    s.address = text("address");
    const std::string state = text("state");
    for (ReplicaState candidate :
         {ReplicaState::kCreated, ReplicaState::kRunning, ReplicaState::kPaused,
          ReplicaState::kExited}) {
      if (ToString(candidate) == state) s.state = candidate;
    }
    s.ready = v.HasMember("ready") && v["ready"].IsBool() && v["ready"].GetBool();
    s.pid = static_cast<int>(number("pid"));
    s.uptime = std::chrono::milliseconds(number("uptime_ms"));
    s.starts = static_cast<int>(number("starts"));
    s.restarts = static_cast<int>(number("restarts"));
    if (v.HasMember("exit_code")) s.exit_code = static_cast<int>(number("exit_code"));
    if (v.HasMember("signal")) s.term_signal = static_cast<int>(number("signal"));
    out.push_back(std::move(s));
  }
  return out;
}

std::string FormatStatusTable(const std::vector<ReplicaStatus>& statuses) {
  std::size_t width = 4;
  for (const auto& s : statuses) width = std::max(width, s.name.size());
  std::string out = fmt::format("{:<{}}  {:<8} {:<5} {:>7} {:<15} {:>9} {:>8}  {}\n",
                                "NAME", width, "STATE", "READY", "PID",
                                "ADDRESS", "UPTIME", "RESTARTS", "EXIT");
  for (const auto& s : statuses) {
    const std::string exit = ExitText(s);
    const bool live =
        s.state == ReplicaState::kRunning || s.state == ReplicaState::kPaused;
    out += fmt::format(
        "{:<{}}  {:<8} {:<5} {:>7} {:<15} {:>9} {:>8}  {}\n", s.name, width,
        ToString(s.state), s.ready ? "yes" : "no",
        live ? std::to_string(s.pid) : std::string("-"), s.address,
        live ? fmt::format("{:.1f}s", s.uptime.count() / 1000.0) : "-",
        s.restarts, exit);
  }
  return out;
}

}  // namespace chancho
