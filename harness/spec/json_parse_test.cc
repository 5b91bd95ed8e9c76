#include "harness/spec/json_parse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "common/error.h"

namespace chancho {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(std::string_view text) {
  rapidjson::Document doc;
  try {
    ParseJson(doc, text, "x.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string Repeat(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

// `levels` arrays, each inside the one before: "[[]]" is two levels.
std::string NestedArrays(int levels) {
  return Repeat("[", levels) + Repeat("]", levels);
}

// `levels` objects, each the member "a" of the one before.
std::string NestedObjects(int levels) {
  return Repeat(R"({"a":)", levels - 1) + "{}" + Repeat("}", levels - 1);
}

TEST(ParseJsonTest, ParsesAValidDocument) {
  rapidjson::Document doc;
  ParseJson(doc, R"({"a": [1, "two", null], "b": {"c": true}})", "x.json");
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(doc["a"].Size(), 3u);
  EXPECT_STREQ(doc["a"][1].GetString(), "two");
  EXPECT_TRUE(doc["b"]["c"].GetBool());
}

TEST(ParseJsonTest, ReadsOnlyTheView) {
  rapidjson::Document doc;
  const std::string text = "[1, 2] and more";
  ParseJson(doc, std::string_view(text).substr(0, 6), "x.json");
  EXPECT_EQ(doc.Size(), 2u);
}

TEST(ParseJsonTest, SyntaxErrorsNameTheSourceAndTheOffset) {
  EXPECT_EQ(ErrorOf(R"({"name": "p",})"),
            "x.json: invalid JSON at offset 13: Missing a name for object "
            "member.");
  EXPECT_EQ(ErrorOf(""),
            "x.json: invalid JSON at offset 0: The document is "
            "empty.");
}

TEST(ParseJsonTest, DeepArraysAreRefusedOnOneLine) {
  const std::string error = ErrorOf(Repeat("[", 100000));
  EXPECT_EQ(error,
            "x.json: offset 128: nesting too deep (more than 128 "
            "levels)");
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

TEST(ParseJsonTest, DeepObjectsAreRefused) {
  // {"a": is five characters; the 129th { is at offset 128 * 5.
  EXPECT_EQ(ErrorOf(Repeat(R"({"a":)", 100000)),
            "x.json: offset 640: nesting too deep (more than 128 levels)");
  EXPECT_THAT(ErrorOf(NestedObjects(kMaxJsonDepth + 1)),
              HasSubstr("nesting too deep"));
}

TEST(ParseJsonTest, DepthIsCountedAcrossArraysAndObjects) {
  EXPECT_THAT(ErrorOf(Repeat(R"([{"a":)", 65)), HasSubstr("nesting too deep"));
  EXPECT_THAT(ErrorOf(Repeat(R"([{"a":)", 64) + "1" + Repeat("}]", 64)),
              HasSubstr("(no error)"));
}

TEST(ParseJsonTest, ExactlyTheLimitParses) {
  rapidjson::Document arrays;
  ParseJson(arrays, NestedArrays(kMaxJsonDepth), "x.json");
  EXPECT_TRUE(arrays.IsArray());
  rapidjson::Document objects;
  ParseJson(objects, NestedObjects(kMaxJsonDepth), "x.json");
  EXPECT_TRUE(objects.IsObject());
  EXPECT_THAT(ErrorOf(NestedArrays(kMaxJsonDepth + 1)),
              HasSubstr("x.json: offset 128: nesting too deep"));
}

TEST(ParseJsonTest, ClosedLevelsDoNotAddUp) {
  // Many siblings at the limit: depth goes back down after each.
  EXPECT_EQ(
      ErrorOf("[" + Repeat(NestedArrays(kMaxJsonDepth - 1) + ",", 50) + "0]"),
      "(no error)");
}

TEST(ParseJsonTest, BracketsInsideStringsDoNotCount) {
  rapidjson::Document doc;
  const std::string brackets = Repeat("[[[[{{{{", 10000);
  ParseJson(doc, R"({"deep": ")" + brackets + R"(", "esc": "\"[[[["})",
            "x.json");
  EXPECT_EQ(doc["deep"].GetStringLength(), brackets.size());
  EXPECT_STREQ(doc["esc"].GetString(), "\"[[[[");
}

TEST(ParseJsonTest, ASyntaxErrorBeforeTheDeepPartIsReportedFirst) {
  EXPECT_THAT(ErrorOf("[x" + Repeat("[", 1000)),
              HasSubstr("x.json: invalid JSON at offset 1"));
}

}  // namespace
}  // namespace chancho
