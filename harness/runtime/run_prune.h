#pragma once

// Which old run directories `chancho prune` removes. A run directory is
// named by its run id (run_dir.h: "20261124T040512Z-3fa9c1"), so its age
// comes from its name; anything else under the runs root is left alone.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace chancho {

struct PruneOptions {
  // Runs started longer ago than this.
  std::optional<std::chrono::milliseconds> older_than;
  // All but the newest `keep` runs.
  std::optional<int> keep;
};

// The start time of run `name`, or nullopt when the name is not a run id.
std::optional<std::chrono::system_clock::time_point> RunStart(const std::string& name);

// The names among `runs` to remove at `now`: run ids only, never one that
// `live` names; with both options, a run must be older than `older_than`
// and not among the newest `keep` (live runs count towards those kept).
// Pure.
std::vector<std::string> SelectRunsToPrune(const std::vector<std::string>& runs,
                                           const std::vector<std::string>& live,
                                           std::chrono::system_clock::time_point now,
                                           const PruneOptions& options);

}  // namespace chancho
