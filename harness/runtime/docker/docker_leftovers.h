#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/runtime/run_reaper.h"

namespace chancho {

// Labels that tie what a DockerRuntime creates to its run and to the
// process that owns it, so that the leftovers of a crashed run can be told
// from the containers of a live one.
inline constexpr char kRunLabel[] = "com.chancho.run";
inline constexpr char kOwnerHostLabel[] = "com.chancho.owner-host";
inline constexpr char kOwnerPidLabel[] = "com.chancho.owner-pid";
// The owner's start time (field 22 of /proc/<pid>/stat), so that a reused
// pid is not taken for the owner.
inline constexpr char kOwnerStartLabel[] = "com.chancho.owner-start";

// The labels of run `run_id` owned by this process.
std::map<std::string, std::string> OwnerLabels(const std::string& run_id);

// A reaper (run_reaper.h) that, when the harness goes without the run
// being removed, removes the Swarm services, containers and networks
// labelled with `run_id`, trying up to ten times a second apart (a compose
// up in flight may still be creating; a Swarm removes a service's network
// seconds after the service), and, when `compose_project` is not empty, the networks
// that compose labelled with that project: those that a compose file of the
// user's declares carry none of Chancho's labels. Pass only a project name
// that is this run's alone. Null when `docker` or sh cannot be found.
std::unique_ptr<RunReaper> MakeDockerReaper(
    const std::string& docker, const std::string& run_id,
    const std::string& compose_project = "");

// This machine's host name.
std::string HostName();

// Whether process `pid` exists and, when `start` is not empty, started at
// `start` (clock ticks after boot, as in /proc/<pid>/stat).
bool ProcessAlive(int pid, const std::string& start);

// Something labelled by a DockerRuntime: a container or a network.
struct LabelledObject {
  std::string id;
  std::map<std::string, std::string> labels;
};

// The ids of `objects` whose owner ran on `host` and is gone, as `alive`
// tells. Objects without an owner pid, or owned on another host (a shared
// engine), are left alone. Pure.
std::vector<std::string> SelectLeftovers(
    const std::vector<LabelledObject>& objects, const std::string& host,
    const std::function<bool(int pid, const std::string& start)>& alive);

// What a reaping did: how many objects it removed, and one line for each
// leftover the engine refused to remove (a network the engine still counts
// an endpoint in, say). Such a leftover does not stop a new run, whose
// names are its own; the next reaping tries it again.
struct ReapResult {
  int removed = 0;
  std::vector<std::string> failures;
  // Networks the engine keeps although nothing is attached (moby#42119,
  // see NetworkRemoval::held), one message each: not ours to fix, and
  // removed by a later reaper once the engine has been restarted.
  std::vector<std::string> held;
};

// What removing some networks did. `held` names (one "<name> (<id>)"
// each) the networks that the engine refused to remove only because it
// still counts an endpoint in them while none is attached: Docker Engine
// 20.10 can lose a decrement of a network's endpoint count when endpoints
// come and go at once (moby/moby#42119), and only a restart of the engine
// sets the count right. `failures` has one line for any other refusal.
struct NetworkRemoval {
  int removed = 0;
  std::vector<std::string> held;
  std::vector<std::string> failures;
};

// Removes each network of `ids` with `docker network rm`, telling a network
// held by the engine as above (`docker network inspect` lists nothing
// attached) from one still in use. A network already gone counts as
// neither. Each command is bounded by `timeout`.
NetworkRemoval RemoveNetworks(const std::string& docker,
                              const std::vector<std::string>& ids,
                              std::chrono::milliseconds timeout);

// One line on a network of NetworkRemoval::held, for a warning.
std::string HeldNetworkMessage(const std::string& network);

// The non-empty lines of a docker command's output (ids, names).
std::vector<std::string> OutputLines(const std::string& text);

// Objects from lines "ID KEY=VALUE KEY=VALUE ..." (a `docker service
// inspect --format` of the labels); a word without "=" is skipped. Label
// values with spaces are not ours. Pure.
std::vector<LabelledObject> ParseLabelLines(const std::string& text);

// Removes, through the `docker` CLI, the Swarm services (on a manager), the
// containers (with their anonymous
// volumes) and then the networks whose owner on this host is gone, each on
// its own so that one stuck object does not keep the others. Throws
// chancho::Error only when the engine cannot be asked what there is.
ReapResult ReapDockerLeftovers(const std::string& docker);

}  // namespace chancho
