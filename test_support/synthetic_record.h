#pragma once

// A run record (record.json) of a made-up chaos run of any size, for the
// report's scale test and benchmark: `services` services of `replicas`
// replicas each, plus `clients` clients; `faults` kills, pauses and network
// faults spread over `duration_ms`, each killed replica back 300-900 ms
// later. Seeded: the same arguments give the same record.

#include <cstdint>
#include <string>

namespace chancho::testing {

struct SyntheticRun {
  int services = 10;
  int replicas = 5;
  int clients = 0;
  int faults = 300;
  int duration_ms = 60000;
  std::uint64_t seed = 1;
};

std::string SyntheticRecord(const SyntheticRun& run);

}  // namespace chancho::testing
