#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "harness/spec/spec.h"

namespace chancho {

class Driver;

// What a readiness check looks at: one run of one replica.
struct ReadinessTarget {
  std::string replica;
  std::string address;  // "" when not known yet
  std::filesystem::path log_path;
  std::uintmax_t log_offset = 0;  // where the run's lines start
  int run = 0;                    // DriverStatus::starts of the run
  int heartbeat_port = 0;
  Driver* driver = nullptr;  // runs exec checks
};

// One readiness strategy. A check may keep state between tries of the same
// run (a log check counts its lines once); a new run starts it afresh. Not
// thread-safe: the caller serialises tries.
class ReadinessCheck {
 public:
  virtual ~ReadinessCheck() = default;
  // One try, bounded by `timeout`; true once ready. Never throws. `seen`
  // gets what it found, for the message of a check that never passes.
  virtual bool Try(const ReadinessTarget& target,
                   std::chrono::milliseconds timeout, std::string& seen) = 0;
  // What it waits for: "tcp port 12345", "log /ready/ 2 times".
  virtual std::string Describe() const = 0;
};

// The check of `readiness`, one short class per kind (readiness/*.cc).
std::unique_ptr<ReadinessCheck> MakeReadinessCheck(const Readiness& readiness);

std::unique_ptr<ReadinessCheck> MakeTcpCheck(const Readiness& readiness);
std::unique_ptr<ReadinessCheck> MakeLogCheck(const Readiness& readiness);
std::unique_ptr<ReadinessCheck> MakeHeartbeatCheck(const Readiness& readiness);
std::unique_ptr<ReadinessCheck> MakeHttpCheck(const Readiness& readiness);
std::unique_ptr<ReadinessCheck> MakeExecCheck(const Readiness& readiness);
std::unique_ptr<ReadinessCheck> MakeAllCheck(const Readiness& readiness);

}  // namespace chancho
