#include "harness/runtime/docker/docker_inspect.h"

#include <rapidjson/document.h>

#include <charconv>
#include <ctime>

#include "common/error.h"
#include "harness/spec/json_parse.h"

namespace chancho {
namespace {

using Value = rapidjson::Value;

rapidjson::Document ParseArray(std::string_view json, const char* what) {
  rapidjson::Document doc;
  ParseJson(doc, json, what);
  if (!doc.IsArray()) throw Error(std::string(what) + ": expected an array");
  return doc;
}

// The member `key` of `object`, or nullptr when absent or null.
const Value* Member(const Value& object, const char* key) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::string String(const Value& object, const char* key, const char* where) {
  const Value* value = Member(object, key);
  if (value == nullptr) return "";
  if (!value->IsString()) {
    throw Error(std::string(where) + "/" + key + ": expected a string");
  }
  return std::string(value->GetString(), value->GetStringLength());
}

int Int(const Value& object, const char* key, const char* where) {
  const Value* value = Member(object, key);
  if (value == nullptr) return 0;
  if (!value->IsInt()) {
    throw Error(std::string(where) + "/" + key + ": expected an integer");
  }
  return value->GetInt();
}

std::map<std::string, std::string> Labels(const Value* labels,
                                          const char* where) {
  std::map<std::string, std::string> out;
  if (labels == nullptr) return out;
  if (!labels->IsObject()) {
    throw Error(std::string(where) + ": expected an object of labels");
  }
  for (const auto& label : labels->GetObject()) {
    if (!label.value.IsString()) {
      throw Error(std::string(where) + "/" + label.name.GetString() +
                  ": expected a string");
    }
    out[label.name.GetString()] = label.value.GetString();
  }
  return out;
}

// "" for Go's zero time, which docker prints for "never".
std::string Time(const Value& object, const char* key, const char* where) {
  std::string text = String(object, key, where);
  if (text.starts_with("0001-01-01")) text.clear();
  return text;
}

bool ParseDigits(std::string_view text, int& value) {
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<ContainerEvent> ParseContainerEvent(std::string_view line) {
  constexpr const char* kWhere = "docker events";
  rapidjson::Document doc;
  ParseJson(doc, line, kWhere);
  if (!doc.IsObject()) throw Error("docker events: expected an object");
  const std::string type = String(doc, "Type", kWhere);
  if (type != "container") return std::nullopt;
  ContainerEvent event;
  event.action = String(doc, "Action", kWhere);
  if (event.action.empty()) event.action = String(doc, "status", kWhere);
  // exec_start etc. carry the command after ": ".
  event.action = event.action.substr(0, event.action.find(':'));
  const Value* actor = Member(doc, "Actor");
  const Value* attributes = actor ? Member(*actor, "Attributes") : nullptr;
  if (attributes == nullptr) return std::nullopt;
  event.container = String(*attributes, "name", "docker events/Actor");
  if (event.container.empty()) return std::nullopt;
  const std::string code = String(*attributes, "exitCode", "docker events/Actor");
  if (int value = 0; !code.empty() && ParseDigits(code, value)) {
    event.exit_code = value;
  }
  using std::chrono::system_clock;
  if (const Value* nano = Member(doc, "timeNano"); nano && nano->IsInt64()) {
    event.time = system_clock::time_point(
        std::chrono::duration_cast<system_clock::duration>(
            std::chrono::nanoseconds(nano->GetInt64())));
  } else if (const Value* seconds = Member(doc, "time");
             seconds && seconds->IsInt64()) {
    // In nanoseconds the clock reaches the year 2262; a time beyond that
    // (or before 1970) is garbage, and converting it would overflow.
    constexpr std::int64_t kLatest = 9'000'000'000;
    if (seconds->GetInt64() < 0 || seconds->GetInt64() > kLatest) {
      throw Error("docker events: an event's time " +
                  std::to_string(seconds->GetInt64()) + " is out of range");
    }
    event.time = system_clock::time_point(
        std::chrono::seconds(seconds->GetInt64()));
  } else {
    throw Error("docker events: an event has no time");
  }
  return event;
}

std::vector<ContainerInfo> ParseContainerInspect(std::string_view json) {
  const rapidjson::Document doc = ParseArray(json, "docker inspect");
  std::vector<ContainerInfo> out;
  for (const Value& item : doc.GetArray()) {
    if (!item.IsObject()) throw Error("docker inspect: expected objects");
    ContainerInfo info;
    info.id = String(item, "Id", "docker inspect");
    info.name = String(item, "Name", "docker inspect");
    if (info.name.starts_with('/')) info.name.erase(0, 1);
    if (info.id.empty()) throw Error("docker inspect: a container has no Id");
    if (const Value* state = Member(item, "State")) {
      info.status = String(*state, "Status", "docker inspect/State");
      info.pid = Int(*state, "Pid", "docker inspect/State");
      info.exit_code = Int(*state, "ExitCode", "docker inspect/State");
      info.started_at = Time(*state, "StartedAt", "docker inspect/State");
      info.finished_at = Time(*state, "FinishedAt", "docker inspect/State");
    } else {
      throw Error("docker inspect: container " + info.id + " has no State");
    }
    if (const Value* config = Member(item, "Config")) {
      info.labels =
          Labels(Member(*config, "Labels"), "docker inspect/Config/Labels");
    }
    if (const Value* settings = Member(item, "NetworkSettings")) {
      if (const Value* networks = Member(*settings, "Networks")) {
        if (!networks->IsObject()) {
          throw Error(
              "docker inspect/NetworkSettings/Networks: expected an "
              "object");
        }
        for (const auto& network : networks->GetObject()) {
          info.networks[network.name.GetString()] =
              String(network.value, "IPAddress",
                     "docker inspect/NetworkSettings/Networks");
        }
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<NetworkInfo> ParseNetworkInspect(std::string_view json) {
  const rapidjson::Document doc = ParseArray(json, "docker network inspect");
  std::vector<NetworkInfo> out;
  for (const Value& item : doc.GetArray()) {
    if (!item.IsObject())
      throw Error("docker network inspect: expected objects");
    NetworkInfo info;
    info.id = String(item, "Id", "docker network inspect");
    info.name = String(item, "Name", "docker network inspect");
    info.labels =
        Labels(Member(item, "Labels"), "docker network inspect/Labels");
    if (const Value* ipam = Member(item, "IPAM")) {
      if (const Value* config = Member(*ipam, "Config")) {
        if (!config->IsArray()) {
          throw Error("docker network inspect/IPAM/Config: expected an array");
        }
        for (const Value& entry : config->GetArray()) {
          std::string subnet =
              String(entry, "Subnet", "docker network inspect/IPAM/Config");
          if (!subnet.empty()) info.subnets.push_back(std::move(subnet));
        }
      }
    }
    if (const Value* attached = Member(item, "Containers")) {
      if (!attached->IsObject()) {
        throw Error("docker network inspect/Containers: expected an object");
      }
      info.attached = attached->MemberCount();
    }
    out.push_back(std::move(info));
  }
  return out;
}

ReplicaState StateOf(const ContainerInfo& info) {
  if (info.status == "running" || info.status == "restarting") {
    return ReplicaState::kRunning;
  }
  if (info.status == "paused") return ReplicaState::kPaused;
  if (info.status == "created") return ReplicaState::kCreated;
  return ReplicaState::kExited;  // exited, dead, removing
}

ExitStatus NormaliseExit(int docker_exit_code) {
  ExitStatus status;
  if (docker_exit_code > 128 && docker_exit_code <= 128 + 64) {
    status.term_signal = docker_exit_code - 128;
  } else {
    status.exit_code = docker_exit_code;
  }
  return status;
}

std::optional<std::chrono::system_clock::time_point> ParseDockerTime(
    std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  int year, month, day, hour, minute, second;
  if (!ParseDigits(text.substr(0, 4), year) ||
      !ParseDigits(text.substr(5, 2), month) ||
      !ParseDigits(text.substr(8, 2), day) ||
      !ParseDigits(text.substr(11, 2), hour) ||
      !ParseDigits(text.substr(14, 2), minute) ||
      !ParseDigits(text.substr(17, 2), second)) {
    return std::nullopt;
  }
  if (year <= 1) return std::nullopt;  // Go's zero time
  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9) {
        nanos = nanos * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 9; ++digits) nanos *= 10;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') &&
             text[pos + 3] == ':') {
    int oh, om;
    if (!ParseDigits(text.substr(pos + 1, 2), oh) ||
        !ParseDigits(text.substr(pos + 4, 2), om)) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(year),
                            std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const auto time = sys_days(date) + hours(hour) + minutes(minute) +
                    seconds(second) + nanoseconds(nanos) -
                    minutes(offset_minutes);
  return time_point_cast<system_clock::duration>(time);
}

}  // namespace chancho
