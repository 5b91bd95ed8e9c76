// Scenario files go through the shared depth-limited JSON parser: input
// nested too deep is one error line, not a stack overflow.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "harness/faults/scenario.h"

namespace chancho {
namespace {

using ::testing::HasSubstr;

TEST(ScenarioJsonTest, DeepNestingIsRefusedOnOneLine) {
  try {
    ParseScenario(std::string(100000, '['), "x.json");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("x.json"));
    EXPECT_THAT(e.what(), HasSubstr("nesting too deep"));
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

// Found by fuzz_scenario: a time of 1e124 seconds was converted to
// milliseconds out of range (undefined behaviour); times above ten years
// are an error now, in every place that takes seconds.
TEST(ScenarioJsonTest, TimesAboveTenYearsAreRefused) {
  for (const std::string json :
       {R"({"spec": "x", "timeouts": {"clients": 1e124}})",
        R"({"spec": "x", "faults": {"events": [{"at": 1e30, "action": "kill", "target": "a"}]}})"}) {
    try {
      ParseScenario(json, "x.json");
      ADD_FAILURE() << "accepted " << json;
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr("at most 315360000 seconds")) << json;
    }
  }
}

}  // namespace
}  // namespace chancho
