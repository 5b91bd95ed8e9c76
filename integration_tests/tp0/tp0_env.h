#pragma once

#include <string>

#include "fixtures/system_test.h"
#include "test_support/tp0_spec.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {

// tp0 with `clients` clients that each send `messages` messages, 10 ms
// apart, using the shipped config files.
inline Spec Tp0(int clients, int messages, const std::string& period = "10ms") {
  Spec spec = Tp0Spec(clients, SourceDir() / "system" / "tp0");
  for (auto& service : spec.services) {
    if (service.role == "client") {
      service.environment["CLI_LOOP_AMOUNT"] = std::to_string(messages);
      service.environment["CLI_LOOP_PERIOD"] = period;
    }
  }
  return spec;
}

}  // namespace chancho::testing
