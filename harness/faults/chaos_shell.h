#pragma once

// The chaos monkey's command language, as `chancho chaos` speaks it: the
// seed's Spanish commands (auto, stop, bomba, matar, matar_varios, mostrar)
// with English aliases, plus pause, resume, start, term, the network
// faults on the runtime's proxied links (partition, delay, blackhole,
// bandwidth, link, heal, links) and sleep for scripts (`help` lists them
// all). One command line in; one line per outcome out, in the harness's log
// format:
//   action: kill | result: success | target: filter-1 | took_effect: yes
// and a one-line `result: fail` with the reason for anything that cannot be
// done (unknown command, target or argument).
//
// Targets are selectors (see targeting.h). An exact name reaches any
// replica; every other selection (prefix:, regex:, role:, random:K, the
// auto loop, bomba, matar_varios) spares what `exclusions` keeps out of
// reach: by default the broker, the clients, the client-handler and one
// health-checker.
//
// Threads: Execute and RunAuto are called from one thread. The auto loop
// runs on a thread of its own and writes its outcomes to `out` as they
// happen; every line is written whole, under a lock.

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "harness/faults/fault_target.h"
#include "harness/faults/targeting.h"

namespace chancho {

class ChaosShell {
 public:
  struct Tally {
    int faults = 0;       // faults applied (one per replica)
    int took_effect = 0;  // of which were observed to take effect
  };

  // `target` and `out` must outlive the shell. `seed` seeds every random
  // choice: random:K selectors and the auto loop's plan (the same seed and
  // the same eligible replicas give the same targets in the same order).
  ChaosShell(FaultTarget& target, std::ostream& out, std::uint64_t seed,
             Exclusions exclusions);
  // Stops the auto loop, if one runs.
  ~ChaosShell();
  ChaosShell(const ChaosShell&) = delete;
  ChaosShell& operator=(const ChaosShell&) = delete;

  // Parses one command line and carries it out; blank lines and lines
  // starting with '#' do nothing. Returns false on quit/exit. Never throws.
  bool Execute(const std::string& line);

  // The non-interactive auto loop: every `every_s` seconds kill `count`
  // random eligible replicas, for `duration_s` seconds (ticks at 0, every,
  // 2 every, ... before the duration). Blocks until the last tick's faults
  // were applied, and returns their tally. Throws chancho::Error on a
  // non-positive period or duration, a count below 1, or when nothing is
  // eligible.
  Tally RunAuto(double every_s, int count, double duration_s);

  // Every command with its aliases and arguments, one per line.
  std::string Help() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chancho
