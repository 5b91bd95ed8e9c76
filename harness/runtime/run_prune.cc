#include "harness/runtime/run_prune.h"

#include <algorithm>
#include <ctime>

namespace chancho {

std::optional<std::chrono::system_clock::time_point> RunStart(const std::string& name) {
  // YYYYMMDDTHHMMSSZ-xxxxxx
  if (name.size() < 17 || name[8] != 'T' || name[15] != 'Z' ||
      (name.size() > 16 && name[16] != '-')) {
    return std::nullopt;
  }
  for (std::size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14}) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
  }
  const auto number = [&](std::size_t at, std::size_t length) {
    return std::stoi(name.substr(at, length));
  };
  std::tm tm{};
  tm.tm_year = number(0, 4) - 1900;
  tm.tm_mon = number(4, 2) - 1;
  tm.tm_mday = number(6, 2);
  tm.tm_hour = number(9, 2);
  tm.tm_min = number(11, 2);
  tm.tm_sec = number(13, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::vector<std::string> SelectRunsToPrune(const std::vector<std::string>& runs,
                                           const std::vector<std::string>& live,
                                           std::chrono::system_clock::time_point now,
                                           const PruneOptions& options) {
  std::vector<std::pair<std::chrono::system_clock::time_point, std::string>> dated;
  for (const std::string& name : runs) {
    if (const auto start = RunStart(name)) dated.push_back({*start, name});
  }
  // Newest first; the name breaks ties (the same second).
  std::sort(dated.begin(), dated.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second > b.second;
  });
  std::vector<std::string> selected;
  for (std::size_t i = 0; i < dated.size(); ++i) {
    const auto& [start, name] = dated[i];
    if (std::find(live.begin(), live.end(), name) != live.end()) continue;
    if (options.keep && static_cast<int>(i) < *options.keep) continue;
    if (options.older_than && now - start <= *options.older_than) continue;
    selected.push_back(name);
  }
  return selected;
}

}  // namespace chancho
