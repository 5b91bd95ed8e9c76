#include "test_support/synthetic_record.h"

#include <algorithm>
#include <map>
#include <random>
#include <vector>

namespace chancho::testing {
namespace {

struct Change {
  int at;
  std::string state;
  int starts;
  bool ready;
};

}  // namespace

std::string SyntheticRecord(const SyntheticRun& run) {
  std::mt19937_64 random(run.seed);
  std::vector<std::pair<std::string, std::string>> replicas;  // name, service
  for (int s = 1; s <= run.services; ++s) {
    for (int r = 1; r <= run.replicas; ++r) {
      replicas.push_back({"service-" + std::to_string(s) + "-" + std::to_string(r),
                          "service-" + std::to_string(s)});
    }
  }
  std::map<std::string, std::vector<Change>> changes;
  for (const auto& [name, service] : replicas) {
    changes[name] = {{-1500, "running", 1, false}, {-1200, "running", 1, true}};
  }
  std::string faults, plan;
  std::uniform_int_distribution<std::size_t> pick(0, replicas.size() - 1);
  const int step = std::max(1, run.duration_ms / std::max(1, run.faults + 1));
  for (int i = 0; i < run.faults; ++i) {
    const std::string& target = replicas[pick(random)].first;
    const int at = step * (i + 1);
    const int kind_roll = static_cast<int>(random() % 10);
    const std::string kind = kind_roll < 7 ? "kill" : kind_roll < 9 ? "pause" : "link";
    const std::string id = "events/" + std::to_string(i);
    auto& list = changes[target];
    const bool alive = list.back().state == "running" && list.back().at < at;
    if (alive && kind == "kill") {
      const int starts = list.back().starts;
      const int back = at + 300 + static_cast<int>(random() % 600);
      list.push_back({at, "exited", starts, false});
      list.push_back({back, "running", starts + 1, false});
      list.push_back({back + 150, "running", starts + 1, true});
    } else if (alive && kind == "pause") {
      list.push_back({at, "paused", list.back().starts, true});
      list.push_back({at + 500, "running", list.back().starts, true});
    }
    if (!plan.empty()) plan += ",";
    plan += "{\"at_ms\": " + std::to_string(at - 20) + ", \"kind\": \"" + kind +
            "\", \"targets\": [\"" + target + "\"], \"id\": \"" + id + "\"" +
            (kind == "link" ? ", \"link\": \"partition for=1000\"" : "") + "}";
    if (!faults.empty()) faults += ",";
    faults += "{\"target\": \"" + target + "\", \"kind\": \"" + kind +
              "\", \"origin\": \"event\", \"event\": \"" + id +
              "\", \"trigger\": \"clock\", \"triggered_ms\": 0, \"planned_ms\": " +
              std::to_string(at - 20) + ", \"actual_ms\": " + std::to_string(at) +
              ", \"took_effect\": " + (alive || kind == "link" ? "true" : "false") +
              ", \"detail\": \"\"}";
  }
  std::string replica_list, state_changes, clients;
  for (const auto& [name, service] : replicas) {
    if (!replica_list.empty()) replica_list += ",";
    replica_list += "{\"name\": \"" + name + "\", \"service\": \"" + service +
                    "\", \"client\": false}";
  }
  for (int c = 1; c <= run.clients; ++c) {
    const std::string name = "client-" + std::to_string(c);
    replica_list += ",{\"name\": \"" + name + "\", \"service\": \"client\", \"client\": true}";
    changes[name] = {{0, "running", 1, false}, {run.duration_ms, "exited", 1, false}};
    if (!clients.empty()) clients += ",";
    clients += "{\"name\": \"" + name + "\", \"exit_code\": 0, \"completed_ms\": " +
               std::to_string(run.duration_ms) + "}";
  }
  for (const auto& [name, list] : changes) {
    for (const Change& c : list) {
      if (!state_changes.empty()) state_changes += ",";
      state_changes += "{\"at_ms\": " + std::to_string(c.at) + ", \"replica\": \"" + name +
                       "\", \"state\": \"" + c.state + "\", \"pid\": 1, \"starts\": " +
                       std::to_string(c.starts) + ", \"ready\": " +
                       (c.ready ? "true" : "false") + "}";
    }
  }
  return "{\"scenario_file\": \"synthetic.json\", \"scenario\": \"synthetic\", "
         "\"runtime\": \"process\", \"seed\": " + std::to_string(run.seed) +
         ", \"run_dir\": \"synthetic\", \"up_ms\": 1500, \"duration_ms\": " +
         std::to_string(run.duration_ms + 500) + ", \"replicas\": [" + replica_list +
         "], \"plan\": [" + plan + "], \"faults\": [" + faults +
         "], \"triggers\": [], \"unapplied\": [], \"state_changes\": [" + state_changes +
         "], \"clients\": [" + clients + "], \"progress\": [], \"links\": [], "
         "\"comparison\": null, \"verdict\": \"match\", \"exit_code\": 0}\n";
}

}  // namespace chancho::testing
