#pragma once

// A reproducible fault scenario (`chancho run SCENARIO.json`):
//
// {
//   "name": "movies-auto-kill",
//   "spec": "../../system/movies/compose-spec.json",  // relative to this file
//                    // or "compose": "docker-compose.yaml" (see below)
//   "runtime": "process",                     // or "docker"
//   "replicas": 3,                            // every replicated worker
//   "environment": {"client": {"DATA_DIR": "{cache}/movies-data"}},
//   "setup": [{"command": ["movies-datagen", "--preset", "small", ...],
//              "creates": "{cache}/movies-data/client-1/ratings.csv"}],
//   "clients": ["client-1", "client-2", "client-3"],  // default: role client
//   "known_good": "movies-known-good",        // a directory per client allowed
//   "faults": {
//     "seed": 7,
//     "events": [{"at": 3.5, "action": "kill", "target": "join-movie-ratings-2"},
//                {"at": 1, "action": "partition", "target": "filter-argentina-2",
//                 "duration": 5},
//                {"on": {"progress": "client-1", "file": "ratings.csv",
//                        "fraction": 0.3, "after": 0.1},
//                 "action": "kill", "target": "client-handler"}],
//     "auto": {"every": 2, "kill": 3, "from": 1, "until": 60},
//     "bomb": [5.0, {"log": "action: upload", "replica": "client-1"}]
//   },
//   "network": {"upstream": "rabbitmq", "port": 5672},  // or a list of them
//   "timeouts": {"clients": 300}
// }
//
// An event is placed by "at" (seconds from the start of the plan) or by
// "on", a trigger (trigger.h) with an optional "after" (seconds after it
// fired). The auto loop's "from" and "until" and each bomb are a number of
// seconds or such a trigger object: the loop starts when "from" fires and
// its remaining ticks are cancelled when "until" fires (its numeric bound is
// then the clients' timeout). Events are named "events/N" in the plan, in
// file order; the auto loop's ticks "auto/N" and the bombs "bomb/N".
//
// Network actions (partition, delay or latency, bandwidth, blackhole,
// link-reset, heal, and the toxics slow_close, timeout, slicer and
// limit_data) act on the target's links to the "network" upstreams, which
// the runtime forwards through a TCP fault proxy for every replica that such
// an event targets (PlanLinks). "network" is one {"upstream", "port"} or a
// list of them; an event's "upstream" picks one (default: every one).
// Their fields: "duration" (s; absent: until healed), "delay_ms" (delay,
// slow_close), "jitter_ms", "rate" (bytes/s), "timeout_ms", "size",
// "variation" and "delay_us" (slicer), "bytes" (limit_data), "toxicity"
// (0 to 1), "direction" (both, up, down). The action "link" takes any
// fault in the text form (link_fault_text.h), stacks included:
// {"action": "link", "fault": "delay delay=100 + slicer size=64", ...}.
//
// An "environment" variable that one of the service's config_files carries
// (e.g. the clients' DATA_DIR) sets that file's host path instead, so one
// scenario works on both runtimes.
// Placeholders in setup commands, creates, known_good and environment
// values: {cache} (.chancho/cache under the working directory, unless the
// caller names another directory) and {scenario_dir}.
// Targets are selectors (targeting.h); random choices are made when the plan
// is built, from the seed and the deployment only.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/faults/fault.h"
#include "harness/faults/targeting.h"
#include "harness/runtime/proxied_links.h"
#include "harness/spec/spec.h"

namespace chancho {

struct ScenarioEvent {
  std::chrono::milliseconds at{0};  // after `on` fired, when there is one
  std::optional<Trigger> on;
  FaultKind kind = FaultKind::kKill;
  Selector target;
  int signal = SIGKILL;
  std::chrono::milliseconds grace{2000};
  DirectedLinkFault link;  // network actions
};

// Where network faults act: each targeted replica's link to `upstream`.
struct ScenarioNetwork {
  std::string upstream;
  int port = 0;
};

struct SetupStep {
  std::vector<std::string> command;
  std::string creates;  // skipped when this path exists
};

struct Scenario {
  std::string name;
  std::filesystem::path file;  // the scenario's path
  std::filesystem::path cache_dir;  // what {cache} stands for
  std::string text;            // its JSON, kept for the record
  std::filesystem::path spec;
  // Or "compose": a docker-compose file of the user's, run as it is on the
  // Docker runtime (chancho up -f); its services keep the environment the
  // file gives them.
  std::filesystem::path compose;
  // A service-defaults file for the spec ("defaults", relative to the
  // scenario file); empty: the spec's own.
  std::filesystem::path defaults;
  std::string runtime = "process";
  // Roles the faults spare instead of the spec's "spare".
  std::optional<std::vector<std::string>> spare;
  std::optional<int> replicas;
  std::map<std::string, std::map<std::string, std::string>> environment;
  std::vector<SetupStep> setup;
  std::vector<std::string> clients;
  std::filesystem::path known_good;
  std::optional<std::uint64_t> seed;
  std::vector<ScenarioEvent> events;
  std::optional<AutoKill> auto_kill;
  struct Bomb {
    std::chrono::milliseconds at{0};  // after `on` fired, when there is one
    std::optional<Trigger> on;
    bool operator==(const Bomb&) const = default;
  };
  std::vector<Bomb> bombs;
  std::vector<ScenarioNetwork> networks;  // "network"
  std::chrono::milliseconds clients_timeout{600000};
};

// Parses the scenario text; `file` resolves relative paths. Throws
// chancho::Error "<file>: <JSON pointer>: <problem>".
// `cache_dir` is what {cache} stands for; empty: .chancho/cache under the
// working directory.
Scenario ParseScenario(const std::string& text, const std::filesystem::path& file,
                       const std::filesystem::path& cache_dir = {});
Scenario LoadScenario(const std::filesystem::path& file,
                      const std::filesystem::path& cache_dir = {});

// The scenario's name for a network action ("partition", "link-reset",
// "heal" for kNone, ...); none for a kind that scenarios do not offer.
std::optional<std::string_view> NetworkActionName(LinkFaultKind kind);

// The scenario's JSON with its "faults" replaced by `events` as explicit
// events (clock offsets, or triggers with "after") and `seed`, and its
// paths made absolute ({scenario_dir} too), so that the file works from
// any directory: `chancho shrink`'s minimal scenario. An event's `until`
// has no place in a scenario event and is left out. A stack of toxics is
// written as the action "link" with its text form.
std::string ScenarioWithEvents(const Scenario& scenario,
                               const std::vector<FaultEvent>& events,
                               std::uint64_t seed);

// {cache} and {scenario_dir} replaced.
std::string ExpandPlaceholders(const std::string& text, const Scenario& scenario);

// The spec with the scenario's replicas and environment applied (for
// "compose", the file's services as a Spec).
Spec ScenarioSpec(const Scenario& scenario);

// The plan of `spec` (ScenarioSpec): for "compose", with the user's file to
// run and its fixed container names.
Deployment ScenarioDeployment(const Scenario& scenario, const Spec& spec);

// The replicas of a deployment as faults see them (no process yet).
std::vector<ReplicaStatus> PlannedReplicas(const Spec& spec);

// The whole fault plan, sorted by offset: explicit events, the auto loop and
// the bombs, targets resolved with `seed`, triggers checked against
// `replicas` (CheckTriggers). Throws chancho::Error when an explicit target
// or a trigger selects nothing.
// `exclusions` are what random, prefix, regex and role selections spare
// (an exact name may hit anything).
std::vector<FaultEvent> BuildPlan(const Scenario& scenario,
                                  const std::vector<ReplicaStatus>& replicas,
                                  std::uint64_t seed,
                                  const Exclusions& exclusions);

// What the scenario's faults spare: the deployment's roles (its spec's
// "spare" and "keep_one"), or the scenario's own "spare" roles.
Exclusions ScenarioExclusions(const Scenario& scenario,
                              const Deployment& deployment);

// The links the runtime must proxy for `plan`: one from every replica that a
// network fault targets to each of the scenario's upstreams (or the one the
// fault names). Throws chancho::Error when the plan has network faults and
// the scenario no "network", or a fault names an upstream that "network"
// does not list.
std::vector<ProxiedLink> PlanLinks(const Scenario& scenario,
                                   const std::vector<FaultEvent>& plan);

}  // namespace chancho
