#include "harness/faults/attached_containers.h"

#include <algorithm>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

#include "common/user_regex.h"
#include "common/error.h"
#include "common/subprocess.h"
#include "harness/runtime/docker/docker_cli.h"
#include "harness/runtime/docker/docker_inspect.h"

namespace chancho {
namespace {

using std::chrono::milliseconds;

constexpr char kComposeProject[] = "com.docker.compose.project";
constexpr char kComposeService[] = "com.docker.compose.service";

class AttachedTarget : public FaultTarget {
 public:
  explicit AttachedTarget(ContainerSelection selection)
      : selection_(std::move(selection)) {
    if (selection_.compose_project.empty() == selection_.name_regex.empty()) {
      throw Error("attach to a compose project or to containers by name, "
                  "one of the two");
    }
    if (!selection_.name_regex.empty()) {
      try {
        regex_ = CompileUserRegex(selection_.name_regex);
      } catch (const std::regex_error& e) {
        throw Error("--containers: " + selection_.name_regex +
                    " is not a regular expression: " + e.what());
      }
    }
  }

  std::vector<ReplicaStatus> Ps() override {
    std::vector<ReplicaStatus> out;
    for (const ContainerInfo& info : Inspect()) out.push_back(StatusOf(info));
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
  }

  void Kill(const std::string& replica, int signal) override {
    Docker({"kill", "--signal", std::to_string(signal), Known(replica)});
  }
  void Stop(const std::string& replica, Duration grace) override {
    Docker({"stop", "-t", std::to_string(StopSeconds(grace)), Known(replica)});
  }
  void Pause(const std::string& replica) override {
    Docker({"pause", Known(replica)});
  }
  void Resume(const std::string& replica) override {
    Docker({"unpause", Known(replica)});
  }
  void Start(const std::string& replica) override {
    Docker({"start", Known(replica)});
  }

  std::vector<LinkStatus> Links() override { return {}; }
  LinkFaultOutcome SetLinkFault(const std::string& replica,
                                const DirectedLinkFault&) override {
    throw Error(replica + ": network faults need a link that chancho "
                "proxies (chancho up --link); containers it attached to "
                "have none");
  }

 private:
  std::string Docker(std::vector<std::string> args) {
    args.insert(args.begin(), selection_.docker);
    return RunChecked(args, CommandOptions{milliseconds(60000)});
  }

  std::vector<ContainerInfo> Inspect() {
    std::vector<std::string> ps = {"ps", "-a", "-q", "--no-trunc"};
    if (!selection_.compose_project.empty()) {
      ps.insert(ps.end(), {"--filter", std::string("label=") + kComposeProject +
                                           "=" + selection_.compose_project});
    }
    std::vector<std::string> inspect = {"inspect"};
    std::istringstream ids(Docker(ps));
    for (std::string id; std::getline(ids, id);) {
      if (!id.empty()) inspect.push_back(id);
    }
    if (inspect.size() == 1) return {};
    // A container removed in between makes inspect fail for it alone.
    std::vector<std::string> args = inspect;
    args.insert(args.begin(), selection_.docker);
    const CommandResult result = RunCommand(args, {milliseconds(60000)});
    if (result.timed_out) throw Error(DescribeFailure(args, result, {}));
    std::vector<ContainerInfo> infos =
        ParseContainerInspect(result.out.empty() ? "[]" : result.out);
    if (!selection_.name_regex.empty()) {
      std::erase_if(infos, [&](const ContainerInfo& info) {
        return !std::regex_search(info.name, regex_);
      });
    }
    return infos;
  }

  ReplicaStatus StatusOf(const ContainerInfo& info) {
    ReplicaStatus s;
    s.name = info.name;
    const auto service = info.labels.find(kComposeService);
    s.service = service != info.labels.end() ? service->second : info.name;
    s.role = s.service;
    for (const auto& [network, ip] : info.networks) {
      if (!ip.empty()) {
        s.address = ip;
        break;
      }
    }
    s.state = StateOf(info);
    s.pid = info.pid;
    if (s.state == ReplicaState::kExited) {
      const ExitStatus exit = NormaliseExit(info.exit_code);
      s.exit_code = exit.exit_code;
      s.term_signal = exit.term_signal;
    }
    const auto started = ParseDockerTime(info.started_at);
    if (started && s.state != ReplicaState::kExited) {
      s.uptime = std::chrono::duration_cast<milliseconds>(
          std::chrono::system_clock::now() - *started);
    }
    std::lock_guard lock(mu_);
    Seen& seen = seen_[info.id];
    if (started && info.started_at != seen.started_at) {
      seen.started_at = info.started_at;
      ++seen.starts;
    }
    s.starts = seen.starts;
    s.restarts = std::max(0, seen.starts - 1);
    s.ready = s.state == ReplicaState::kRunning;
    names_.insert(info.name);
    return s;
  }

  // `replica` if the selection had it the last time it was listed;
  // throws otherwise.
  std::string Known(const std::string& replica) {
    {
      std::lock_guard lock(mu_);
      if (names_.count(replica) != 0) return replica;
    }
    Ps();
    std::lock_guard lock(mu_);
    if (names_.count(replica) == 0) {
      throw Error("no container named '" + replica + "' in " +
                  Describe(selection_));
    }
    return replica;
  }

  struct Seen {
    std::string started_at;
    int starts = 0;
  };

  const ContainerSelection selection_;
  std::regex regex_;
  std::mutex mu_;
  std::map<std::string, Seen> seen_;  // by container id
  std::set<std::string> names_;
};

}  // namespace

std::string Describe(const ContainerSelection& selection) {
  if (!selection.compose_project.empty()) {
    return "compose project " + selection.compose_project;
  }
  return "containers matching " + selection.name_regex;
}

std::unique_ptr<FaultTarget> MakeAttachedTarget(ContainerSelection selection) {
  return std::make_unique<AttachedTarget>(std::move(selection));
}

}  // namespace chancho
