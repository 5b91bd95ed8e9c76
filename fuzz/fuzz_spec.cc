// libFuzzer target: compose-spec.json (ParseSpec), and the Deployment it
// plans when it is valid.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/error.h"
#include "harness/deploy/deployment.h"
#include "harness/spec/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const chancho::Spec spec = chancho::ParseSpec(text, "fuzz.json", "/nonexistent");
    (void)chancho::Plan(spec);
  } catch (const chancho::Error&) {
  }
  return 0;
}
