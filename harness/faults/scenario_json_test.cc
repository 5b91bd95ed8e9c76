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

}  // namespace
}  // namespace chancho
