#pragma once

#include "harness/runtime/runtime.h"

namespace chancho {

// The Runtime over a ProcessDriver (process_driver.h): every replica a
// local process, with no Docker and no root.
class ProcessRuntime final : public Runtime {
 public:
  // Throws chancho::Error when a replica's executable is not found.
  ProcessRuntime(Deployment deployment, RuntimeOptions options);
};

}  // namespace chancho
