#include "common/user_regex.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chancho {
namespace {

using ::testing::HasSubstr;

TEST(UserRegexTest, OrdinaryPatternsCompileAndMatch) {
  const std::regex re = CompileUserRegex(R"(action: progress .*done: \d{1,6}\b)");
  EXPECT_TRUE(SearchLine("action: progress | done: 42 | total: 100", re));
  EXPECT_TRUE(std::regex_search("x{y}", CompileUserRegex(R"(\{y\})")));
}

// Found by fuzz_spec: a long pattern overflowed the stack while std::regex
// compiled it.
TEST(UserRegexTest, APatternLongerThanTheLimitIsRefused) {
  try {
    CompileUserRegex(std::string(5000, 'a'));
    FAIL() << "compiled";
  } catch (const UserRegexError& e) {
    EXPECT_THAT(e.what(), HasSubstr("5000 characters is longer than the 256 allowed"));
  }
}

// Found by fuzz_scenario: {4444444444444444444} overflowed the repetition
// count inside std::regex.
TEST(UserRegexTest, ARepetitionCountAboveTheLimitIsRefused) {
  for (const char* pattern : {"a{4444444444444444444}", "a{1,2000}", "a{1001,}"}) {
    EXPECT_THROW(CompileUserRegex(pattern), UserRegexError) << pattern;
  }
  EXPECT_NO_THROW(CompileUserRegex("a{2,1000}"));
  // A refusal is a std::regex_error, which every caller already reports.
  EXPECT_THROW(CompileUserRegex("a{99999}"), std::regex_error);
  EXPECT_THROW(CompileUserRegex("(unclosed"), std::regex_error);
}

TEST(UserRegexTest, ALongLineIsMatchedOnItsStart) {
  const std::regex re = CompileUserRegex("needle");
  EXPECT_TRUE(SearchLine("needle" + std::string(100000, 'x'), re));
  EXPECT_FALSE(SearchLine(std::string(100000, 'x') + "needle", re));
}

}  // namespace
}  // namespace chancho
