#pragma once

// Which replicas a fault hits. A selector names them exactly, by prefix, by
// regular expression, by role, or as k picked at random; exclusions keep
// some out of reach: by default the broker, the clients and the
// client-handler, and always one health-checker, so that someone is left to
// revive the others.

#include <cstdint>
#include <random>
#include <set>
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

struct Exclusions {
  std::set<std::string> roles = {"broker", "client", "client-handler"};
  std::set<std::string> names;
  // Leaves the first health-checker (by name) out of every selection.
  bool keep_one_health_checker = true;
};

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
