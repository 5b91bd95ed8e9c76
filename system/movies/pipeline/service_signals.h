#pragma once

// What every pipeline process runs beside its main loop: a thread that
// answers heartbeats (HEARTBEAT_PORT, when set) and turns SIGTERM/SIGINT
// into one call of `on_stop`. The destructor stops and joins the thread.

#include <functional>
#include <memory>

#include "system/common/config.h"
#include "system/common/log.h"

namespace chancho::movies {

class ServiceSignals {
 public:
  // Throws when HEARTBEAT_PORT is malformed or cannot be bound.
  ServiceSignals(std::function<void()> on_stop, const common::EnvLookup& env,
                 common::Logger& logger);
  ~ServiceSignals();
  ServiceSignals(const ServiceSignals&) = delete;
  ServiceSignals& operator=(const ServiceSignals&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chancho::movies
