// libFuzzer target: scenario files (ParseScenario).
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/error.h"
#include "harness/faults/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)chancho::ParseScenario(text, "/nonexistent/fuzz-scenario.json", "/nonexistent/cache");
  } catch (const chancho::Error&) {
  }
  return 0;
}
