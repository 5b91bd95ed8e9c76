#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/runtime/replica_status.h"

namespace chancho {

// What DockerRuntime reads of one container in `docker inspect`.
struct ContainerInfo {
  std::string id;
  std::string name;    // without the leading "/"
  std::string status;  // created, running, paused, restarting, removing,
                       // exited or dead
  int pid = 0;         // host pid of its first process; 0 when not running
  int exit_code = 0;
  std::string started_at;   // RFC 3339; "" when it never started
  std::string finished_at;  // RFC 3339; "" when it never finished
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> networks;  // name -> IPv4 ("" if none)
};

// A network, as `docker network inspect` shows it.
struct NetworkInfo {
  std::string id;
  std::string name;
  std::map<std::string, std::string> labels;
  std::vector<std::string> subnets;  // CIDR
  // Endpoints the engine lists as attached ("Containers"); absent or null
  // counts as none.
  std::size_t attached = 0;
};

// Parse the JSON arrays printed by `docker inspect` and `docker network
// inspect`. Throw chancho::Error naming the field when the text is not such
// an array.
std::vector<ContainerInfo> ParseContainerInspect(std::string_view json);
std::vector<NetworkInfo> ParseNetworkInspect(std::string_view json);

ReplicaState StateOf(const ContainerInfo& info);

// One line of `docker events --format '{{json .}}'` about a container.
struct ContainerEvent {
  std::string container;  // its name (Actor.Attributes.name)
  std::string action;     // start, die, pause, unpause, destroy, ...
  std::chrono::system_clock::time_point time;  // timeNano, else time
  std::optional<int> exit_code;                // of a die event
};

// nullopt for an event about something other than a container (or with no
// name); throws chancho::Error when the line is not such a JSON object.
std::optional<ContainerEvent> ParseContainerEvent(std::string_view line);

// How a container ended, in the terms of ReplicaStatus. Docker reports a
// process killed by signal N with exit code 128 + N, so codes 129..192 are
// read as signals 1..64; a process that really exited with such a code is
// reported as killed (the one ambiguity left).
struct ExitStatus {
  std::optional<int> exit_code;
  std::optional<int> term_signal;
};
ExitStatus NormaliseExit(int docker_exit_code);

// RFC 3339 time as docker prints it ("2026-11-24T04:46:34.976114041Z", or
// with an offset); nullopt for Go's zero time "0001-01-01T00:00:00Z" and for
// text that is not such a time.
std::optional<std::chrono::system_clock::time_point> ParseDockerTime(
    std::string_view text);

}  // namespace chancho
