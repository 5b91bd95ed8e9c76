#include "harness/runtime/docker/docker_leftovers.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/subprocess.h"
#include "harness/runtime/docker/docker_inspect.h"

namespace chancho {
namespace {

constexpr std::chrono::seconds kCommandTimeout{60};

// Field 22 (starttime) of /proc/<pid>/stat; "" when unreadable.
std::string StartTime(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  // The command name (field 2) may hold spaces: count after its ")".
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) return "";
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return field;
  }
  return "";
}

// Whether a removal failed because the object is already gone.
bool NotFound(const CommandResult& result) {
  return !result.timed_out && result.exit_code != 0 &&
         (result.err.find("No such") != std::string::npos ||
          result.err.find("not found") != std::string::npos);
}

// Removes each of `ids` with `command` + id. Another reaper running at the
// same time may have removed some of them already, which is not an error;
// any other refusal is added to `result.failures`.
// One call for every object; when it fails (one object the engine refuses
// fails the whole call), one call per object, so that each failure is told
// apart and the others still go.
void Remove(const std::vector<std::string>& command,
            const std::vector<std::string>& ids, const CommandOptions& options,
            ReapResult& result) {
  if (ids.empty()) return;
  std::vector<std::string> all = command;
  all.insert(all.end(), ids.begin(), ids.end());
  const CommandResult batch = RunCommand(all, options);
  if (!batch.timed_out && batch.exit_code == 0) {
    result.removed += static_cast<int>(ids.size());
    return;
  }
  for (const std::string& id : ids) {
    std::vector<std::string> argv = command;
    argv.push_back(id);
    const CommandResult removed = RunCommand(argv, options);
    if ((!removed.timed_out && removed.exit_code == 0) || NotFound(removed)) {
      ++result.removed;  // gone: now, or already by the batch call
    } else {
      result.failures.push_back(DescribeFailure(argv, removed, options));
    }
  }
}

}  // namespace

std::string HeldNetworkMessage(const std::string& network) {
  return "network " + network +
         ": the engine still counts an endpoint in it although none is "
         "attached (a Docker Engine fault, moby/moby#42119); it is left "
         "labelled, and a later run removes it once the engine has been "
         "restarted";
}

NetworkRemoval RemoveNetworks(const std::string& docker,
                              const std::vector<std::string>& ids,
                              std::chrono::milliseconds timeout) {
  const CommandOptions options{timeout};
  NetworkRemoval result;
  for (const std::string& id : ids) {
    const std::vector<std::string> rm = {docker, "network", "rm", id};
    const CommandResult removed = RunCommand(rm, options);
    if (!removed.timed_out && removed.exit_code == 0) {
      ++result.removed;
      continue;
    }
    if (NotFound(removed)) continue;
    if (!removed.timed_out &&
        removed.err.find("active endpoints") != std::string::npos) {
      const CommandResult inspect =
          RunCommand({docker, "network", "inspect", id}, options);
      std::vector<NetworkInfo> info;
      if (!inspect.timed_out && inspect.exit_code == 0) {
        try {
          info = ParseNetworkInspect(inspect.out);
        } catch (const Error&) {
          info.clear();  // unreadable: report the refusal as it stands
        }
      }
      if (info.size() == 1 && info[0].attached == 0) {
        result.held.push_back(info[0].name + " (" + info[0].id.substr(0, 12) +
                              ")");
        continue;
      }
    }
    result.failures.push_back(DescribeFailure(rm, removed, options));
  }
  return result;
}

std::unique_ptr<RunReaper> MakeDockerReaper(const std::string& docker,
                                            const std::string& run_id,
                                            const std::string& compose_project) {
  const auto docker_path = FindProgram(docker);
  const auto sh = FindProgram("sh");
  if (!docker_path || !sh) return nullptr;
  // $1: the docker CLI, $2: the run label's value, $3: the compose project
  // whose networks go too (empty: none).
  static constexpr char kScript[] = R"sh(
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  svcs=$("$1" service ls -q --filter "label=com.chancho.run=$2" 2>/dev/null)
  [ -n "$svcs" ] && "$1" service rm $svcs
  ids=$("$1" ps -aq --filter "label=com.chancho.run=$2")
  [ -n "$ids" ] && "$1" rm -f -v $ids
  nets=$("$1" network ls -q --filter "label=com.chancho.run=$2")
  [ -n "$3" ] && nets="$nets $("$1" network ls -q --filter "label=com.docker.compose.project=$3")"
  nets=$(echo $nets)
  [ -n "$nets" ] && "$1" network rm $nets
  [ -z "$svcs$ids$nets" ] && exit 0
  sleep 1
done)sh";
  return std::make_unique<RunReaper>(
      "", std::vector<std::string>{*sh, "-c", kScript, "chancho-docker-reaper",
                                   *docker_path, run_id, compose_project});
}

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

std::map<std::string, std::string> OwnerLabels(const std::string& run_id) {
  const int pid = static_cast<int>(::getpid());
  return {{kRunLabel, run_id},
          {kOwnerHostLabel, HostName()},
          {kOwnerPidLabel, std::to_string(pid)},
          {kOwnerStartLabel, StartTime(pid)}};
}

bool ProcessAlive(int pid, const std::string& start) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  return start.empty() || StartTime(pid) == start;
}

std::vector<std::string> SelectLeftovers(
    const std::vector<LabelledObject>& objects, const std::string& host,
    const std::function<bool(int pid, const std::string& start)>& alive) {
  std::vector<std::string> out;
  for (const LabelledObject& object : objects) {
    const auto pid_label = object.labels.find(kOwnerPidLabel);
    const auto host_label = object.labels.find(kOwnerHostLabel);
    if (pid_label == object.labels.end()) continue;
    if (host_label == object.labels.end() || host_label->second != host) {
      continue;
    }
    int pid = 0;
    const std::string& text = pid_label->second;
    const auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), pid);
    if (error != std::errc() || end != text.data() + text.size() || pid <= 0) {
      out.push_back(object.id);  // no owner could ever match
      continue;
    }
    const auto start = object.labels.find(kOwnerStartLabel);
    if (!alive(pid, start == object.labels.end() ? "" : start->second)) {
      out.push_back(object.id);
    }
  }
  return out;
}

std::vector<std::string> OutputLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::vector<LabelledObject> ParseLabelLines(const std::string& text) {
  std::vector<LabelledObject> out;
  for (const std::string& line : OutputLines(text)) {
    std::istringstream words(line);
    LabelledObject object;
    if (!(words >> object.id)) continue;
    for (std::string word; words >> word;) {
      const auto equals = word.find('=');
      if (equals == std::string::npos) continue;
      object.labels[word.substr(0, equals)] = word.substr(equals + 1);
    }
    out.push_back(std::move(object));
  }
  return out;
}

ReapResult ReapDockerLeftovers(const std::string& docker) {
  const CommandOptions options{kCommandTimeout};
  const std::string filter = std::string("label=") + kOwnerPidLabel;
  const std::string host = HostName();
  ReapResult reaped;

  // A Swarm run's services first: their tasks' containers and their
  // networks go with them. Only a Swarm manager lists services; any other
  // engine has none of ours.
  const CommandResult services = RunCommand(
      {docker, "service", "ls", "-q", "--filter", filter}, options);
  if (!services.timed_out && services.exit_code == 0 &&
      !OutputLines(services.out).empty()) {
    std::vector<std::string> inspect = {
        docker, "service", "inspect", "--format",
        "{{.ID}}{{range $k, $v := .Spec.Labels}} {{$k}}={{$v}}{{end}}"};
    for (const std::string& id : OutputLines(services.out)) inspect.push_back(id);
    const CommandResult result = RunCommand(inspect, options);
    Remove({docker, "service", "rm"},
           SelectLeftovers(ParseLabelLines(result.out), host, ProcessAlive),
           options, reaped);
  }

  const auto containers = OutputLines(RunChecked(
      {docker, "ps", "-aq", "--no-trunc", "--filter", filter}, options));
  if (!containers.empty()) {
    std::vector<std::string> inspect = {docker, "inspect", "--type",
                                        "container"};
    inspect.insert(inspect.end(), containers.begin(), containers.end());
    // A container removed in between makes inspect fail for it alone.
    const CommandResult result = RunCommand(inspect, options);
    std::vector<LabelledObject> objects;
    for (const auto& info :
         ParseContainerInspect(result.out.empty() ? "[]" : result.out)) {
      objects.push_back({info.id, info.labels});
    }
    Remove({docker, "rm", "-f", "-v"},
           SelectLeftovers(objects, host, ProcessAlive), options, reaped);
  }

  const auto networks = OutputLines(RunChecked(
      {docker, "network", "ls", "-q", "--no-trunc", "--filter", filter},
      options));
  if (!networks.empty()) {
    std::vector<std::string> inspect = {docker, "network", "inspect"};
    inspect.insert(inspect.end(), networks.begin(), networks.end());
    const CommandResult result = RunCommand(inspect, options);
    std::vector<LabelledObject> objects;
    for (const auto& info :
         ParseNetworkInspect(result.out.empty() ? "[]" : result.out)) {
      objects.push_back({info.id, info.labels});
    }
    const NetworkRemoval networks_removed = RemoveNetworks(
        docker, SelectLeftovers(objects, host, ProcessAlive), kCommandTimeout);
    reaped.removed += networks_removed.removed;
    reaped.failures.insert(reaped.failures.end(),
                           networks_removed.failures.begin(),
                           networks_removed.failures.end());
    for (const std::string& held : networks_removed.held) {
      reaped.held.push_back(HeldNetworkMessage(held));
    }
  }
  return reaped;
}

}  // namespace chancho
