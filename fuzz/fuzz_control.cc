// libFuzzer target: what crosses the control socket and the chaos prompt:
// ps answers (StatusesFromJson), signal names, link-fault text and
// durations.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "common/duration.h"
#include "common/error.h"
#include "harness/proxy/link_fault_text.h"
#include "harness/runtime/control/control_commands.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)chancho::StatusesFromJson(text);
  } catch (const chancho::Error&) {
  }
  try {
    (void)chancho::ParseSignal(text);
  } catch (const chancho::Error&) {
  }
  try {
    const auto fault = chancho::ParseLinkFault(text);
    // The canonical text reads back as the same fault.
    if (!(chancho::ParseLinkFault(chancho::FormatLinkFault(fault)) == fault)) __builtin_trap();
  } catch (const chancho::Error&) {
  }
  try {
    (void)chancho::common::ParseDurationOr(text, std::chrono::milliseconds(1));
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
