#include "harness/runtime/control/control_commands.h"

#include <chrono>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <sstream>

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

long ParseMillis(const std::string& text, const std::string& what) {
  try {
    std::size_t used = 0;
    const long value = std::stol(text, &used);
    if (used == text.size() && value >= 0) return value;
  } catch (const std::exception&) {
  }
  throw Error(what + ": expected milliseconds (a non-negative integer), got \"" +
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

std::string HandleControlRequest(Runtime& runtime, const std::string& request,
                                 const std::function<void()>& on_down) {
  std::istringstream in(request);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  if (words.empty()) throw Error("empty request");
  const std::string& verb = words[0];
  const auto need = [&](std::size_t min, std::size_t max) {
    if (words.size() < min || words.size() > max) {
      throw Error("\"" + verb + "\" takes " + std::to_string(min - 1) +
                  (max > min ? " to " + std::to_string(max - 1) : "") +
                  " argument(s)");
    }
  };
  if (verb == "ps") {
    need(1, 1);
    return StatusesToJson(runtime.Ps());
  }
  if (verb == "info") {
    need(1, 1);
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("run_dir");
    w.String(runtime.run_dir().string().c_str());
    w.Key("project");
    w.String(runtime.deployment().project.c_str());
    w.EndObject();
    return buffer.GetString();
  }
  if (verb == "start" || verb == "pause" || verb == "resume") {
    need(2, 2);
    if (verb == "start") {
      // A revival is done when the replica is ready again, not merely
      // running: `ctl start` answers then, and `ps` shows it ready.
      runtime.Start(words[1]);
      const ReplicaPlan* plan = runtime.deployment().Find(words[1]);
      const double timeout_s = plan ? plan->readiness.timeout_s : 10.0;
      if (!runtime.WaitReady(words[1], std::chrono::milliseconds(
                                           static_cast<long>(timeout_s * 1000)))) {
        throw Error("replica " + words[1] + " started but was not ready within " +
                    std::to_string(timeout_s) + " s");
      }
    }
    if (verb == "pause") runtime.Pause(words[1]);
    if (verb == "resume") runtime.Resume(words[1]);
    return "";
  }
  if (verb == "kill") {
    need(2, 3);
    runtime.Kill(words[1], words.size() == 3 ? ParseSignal(words[2]) : SIGKILL);
    return "";
  }
  if (verb == "stop") {
    need(2, 3);
    const long grace = words.size() == 3 ? ParseMillis(words[2], "grace") : 10000;
    runtime.Stop(words[1], std::chrono::milliseconds(grace));
    return "";
  }
  if (verb == "down") {
    need(1, 2);
    const long grace = words.size() == 2 ? ParseMillis(words[1], "grace") : 10000;
    runtime.Down(std::chrono::milliseconds(grace));
    if (on_down) on_down();
    return "";
  }
  if (verb == "links") {
    need(1, 1);
    return LinksToJson(runtime.Links());
  }
  if (verb == "link") {
    if (words.size() < 3) throw Error("\"link\" takes a replica and a fault");
    const std::size_t name_at = request.find(words[1], request.find(verb) + verb.size());
    const std::string fault = request.substr(name_at + words[1].size());
    return LinkOutcomeToJson(runtime.SetLinkFault(words[1], ParseLinkFault(fault)));
  }
  throw Error("unknown request \"" + verb +
              "\" (known: ps, info, start, kill, stop, pause, resume, down, "
              "links, link)");
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
    std::string exit;
    if (s.exit_code) exit = "code " + std::to_string(*s.exit_code);
    if (s.term_signal) exit = SignalName(*s.term_signal);
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
