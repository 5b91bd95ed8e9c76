#pragma once

// Which replicas a fault hits. A selector names them exactly, by prefix, by
// regular expression, by role, or as k picked at random; exclusions keep
// some out of reach: by default the broker, the clients and the
// client-handler, and always one health-checker, so that someone is left to
// revive the others.

#include <cstdint>
#include <random>
#include <filesystem>
#include <set>

#include "harness/deploy/deployment.h"
#include <string>
#include <string_view>
#include <vector>

#include "harness/runtime/runtime.h"

namespace chancho {

struct Selector {
  enum class Kind { kName, kPrefix, kRegex, kRole, kRandom };
  Kind kind = Kind::kName;
  std::string pattern;  // name, prefix, regex or role; kRandom: a prefix
  int count = 1;        // kRandom only

  bool operator==(const Selector&) const = default;
};

// "name:X" or a bare name, "prefix:X", "regex:X", "role:X", "random:K" or
// "random:K:PREFIX". Throws chancho::Error (one line) on anything else, or
// on an invalid regex.
Selector ParseSelector(std::string_view text);
std::string ToString(const Selector& selector);

// What selections leave out. The deployment says which roles (its spec's
// "spare" and "keep_one"); ExclusionsOf makes them.
struct Exclusions {
  std::set<std::string> roles = {"client"};
  std::set<std::string> names;
  // Of each of these roles, the first replica (by name) is left out of
  // every selection.
  std::set<std::string> keep_one;
};

Exclusions ExclusionsOf(const Deployment& deployment);
// None: every replica is eligible.
Exclusions NoExclusions();
// The exclusions of a run, from the "spare" and "keep_one" of its
// deployment.json (the defaults where they are absent). Throws
// chancho::Error when the file cannot be read or is not a deployment.
Exclusions ReadExclusions(const std::filesystem::path& deployment_json);

// The replicas faults may hit, sorted by name.
std::vector<std::string> Eligible(const std::vector<ReplicaStatus>& replicas,
                                  const Exclusions& exclusions);

// The eligible replicas the selector names, sorted by name. kRandom picks
// `count` distinct ones (all when fewer) with `rng`, in a way that depends
// only on the seed and the eligible list, never on the standard library's
// distributions. Throws chancho::Error when the selector names nothing.
std::vector<std::string> Select(const Selector& selector,
                                const std::vector<ReplicaStatus>& replicas,
                                const Exclusions& exclusions,
                                std::mt19937_64& rng);

// `count` distinct picks out of `names` (all of them when fewer), sorted.
std::vector<std::string> PickRandom(std::vector<std::string> names, int count,
                                    std::mt19937_64& rng);

}  // namespace chancho
