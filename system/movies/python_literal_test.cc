#include "system/movies/python_literal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "system/movies/random.h"
#include "system/movies/test_util.h"

namespace chancho::movies {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

std::optional<std::string> ParseString(std::string_view text) {
  const std::optional<PyValue> value = ParsePyLiteral(text);
  if (!value || value->AsString() == nullptr) return std::nullopt;
  return *value->AsString();
}

TEST(ExtractListFieldTest, ReadsKaggleListColumns) {
  EXPECT_THAT(
      ExtractListField("[{'id': 16, 'name': 'Animation'}, {'id': 35, "
                       "'name': 'Comedy'}, {'id': 10751, 'name': 'Family'}]",
                       "name"),
      Optional(ElementsAre("Animation", "Comedy", "Family")));
  EXPECT_THAT(ExtractListField("[{'iso_3166_1': 'AR', 'name': 'Argentina'}, "
                               "{'iso_3166_1': 'ES', 'name': 'Spain'}]",
                               "iso_3166_1"),
              Optional(ElementsAre("AR", "ES")));
  EXPECT_THAT(ExtractListField("[{'id': 16, 'name': \"Children's\"}]", "name"),
              Optional(ElementsAre("Children's")));
  EXPECT_THAT(ExtractListField("[]", "name"), Optional(IsEmpty()));
  EXPECT_THAT(ExtractListField("  [ ]\n", "name"), Optional(IsEmpty()));
}

TEST(ExtractListFieldTest, ReadsCastEntriesWithEveryValueType) {
  EXPECT_THAT(
      ExtractListField(
          "[{'cast_id': 14, 'character': 'Woody (voice)', 'credit_id': "
          "'52fe4284c3a36847f8024f95', 'gender': 2, 'id': 31, 'name': 'Tom "
          "Hanks', 'order': 0, 'profile_path': None}, {'cast_id': 2, "
          "'character': \"Sid's mom\", 'gender': 0, 'id': 7, 'name': 'Sean "
          "O\\'Hara', 'order': 1.5, 'x': True, 'y': [False, {'z': -3}]}]",
          "name"),
      Optional(ElementsAre("Tom Hanks", "Sean O'Hara")));
}

TEST(ExtractListFieldTest, RejectsWhatIsNotAListOfDictsWithTheKey) {
  EXPECT_EQ(ExtractListField("{'name': 'x'}", "name"), std::nullopt);
  EXPECT_EQ(ExtractListField("[{'name': 'x'}, 3]", "name"), std::nullopt);
  EXPECT_EQ(ExtractListField("[{'id': 1}]", "name"), std::nullopt);
  EXPECT_EQ(ExtractListField("[{'name': 5}]", "name"), std::nullopt);
  EXPECT_EQ(ExtractListField("[{'name': None}]", "name"), std::nullopt);
  EXPECT_EQ(ExtractListField("", "name"), std::nullopt);
  EXPECT_EQ(ExtractListField("[{'id': 16, 'name': 'Animation'}", "name"),
            std::nullopt);
}

TEST(ParsePyLiteralTest, ParsesScalars) {
  const auto none = ParsePyLiteral("None");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->IsNone());
  EXPECT_EQ(std::get<bool>(ParsePyLiteral(" True ")->value), true);
  EXPECT_EQ(std::get<bool>(ParsePyLiteral("False")->value), false);
  EXPECT_EQ(std::get<int64_t>(ParsePyLiteral("-42")->value), -42);
  EXPECT_EQ(std::get<int64_t>(ParsePyLiteral("9223372036854775807")->value),
            INT64_MAX);
  EXPECT_EQ(std::get<double>(ParsePyLiteral("21.946943")->value), 21.946943);
  EXPECT_EQ(std::get<double>(ParsePyLiteral("1e3")->value), 1000.0);
  EXPECT_EQ(std::get<double>(ParsePyLiteral(".5")->value), 0.5);
}

TEST(ParsePyLiteralTest, DecodesEscapes) {
  EXPECT_THAT(ParseString(R"('it\'s \\ "fine"')"),
              Optional(std::string("it's \\ \"fine\"")));
  EXPECT_THAT(ParseString(R"("tab\tnew\nline\r")"),
              Optional(std::string("tab\tnew\nline\r")));
  EXPECT_THAT(ParseString(R"('\x41\u00e9\U0001F600\101\0')"),
              Optional(std::string("A\xC3\xA9\xF0\x9F\x98\x80"
                                   "A") +
                       std::string(1, '\0')));
  // Python keeps unknown escapes as written.
  EXPECT_THAT(ParseString(R"('\d\w')"), Optional(std::string("\\d\\w")));
  EXPECT_THAT(ParseString("'Gérard Depardieu'"),
              Optional(std::string("Gérard Depardieu")));
  EXPECT_THAT(ParseString("'a\\\nb'"), Optional(std::string("ab")));
}

TEST(ParsePyLiteralTest, ParsesNestedContainersInOrder) {
  const auto value = ParsePyLiteral(
      "{'id': 10194, 'name': 'Toy Story Collection', 'poster_path': None, "
      "'parts': [[1, 2], {}, [],], }");
  ASSERT_TRUE(value);
  const PyValue::Dict* dict = value->AsDict();
  ASSERT_NE(dict, nullptr);
  ASSERT_EQ(dict->size(), 4u);
  EXPECT_EQ((*dict)[0].first, "id");
  EXPECT_EQ(*value->Find("name")->AsString(), "Toy Story Collection");
  EXPECT_TRUE(value->Find("poster_path")->IsNone());
  EXPECT_EQ(value->Find("missing"), nullptr);
  const PyValue::List* parts = value->Find("parts")->AsList();
  ASSERT_NE(parts, nullptr);
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].AsList()->size(), 2u);
  EXPECT_EQ((*parts)[1].AsDict()->size(), 0u);
}

TEST(ParsePyLiteralTest, RejectsMalformedInputWithAnOffset) {
  for (const char* text :
       {"",         "   ",           "[",           "[1",
        "[1 2]",    "[1,,2]",        "{'a' 1}",     "{'a': }",
        "{1: 2}",   "'unterminated", "\"mixed'",    "'raw\nnewline'",
        "Nonesuch", "none",          "[None",       "-",
        "1e",       "0x10",          "012",         "99999999999999999999",
        "1e999",    "'\\N{BULLET}'", "'\\x4'",      "'\\U00110000'",
        "(1, 2)",   "{1, 2}",        "u'prefixed'", "'a' 'b'",
        "[1] x",    "'trailing\\"}) {
    PyParseError error;
    EXPECT_EQ(ParsePyLiteral(text, &error), std::nullopt) << text;
    EXPECT_FALSE(error.message.empty()) << text;
    EXPECT_LE(error.offset, std::string_view(text).size()) << text;
  }
  PyParseError error;
  ParsePyLiteral("[1, 2 3]", &error);
  EXPECT_EQ(error.offset, 6u);
}

TEST(ParsePyLiteralTest, LimitsNestingInsteadOfOverflowingTheStack) {
  const std::string ok =
      std::string(kMaxPyDepth, '[') + std::string(kMaxPyDepth, ']');
  EXPECT_TRUE(ParsePyLiteral(ok));
  const std::string deep =
      std::string(kMaxPyDepth + 1, '[') + std::string(kMaxPyDepth + 1, ']');
  EXPECT_EQ(ParsePyLiteral(deep), std::nullopt);
  EXPECT_EQ(ParsePyLiteral(std::string(1'000'000, '[')), std::nullopt);
  EXPECT_EQ(ParsePyLiteral(std::string(100'000, '{')), std::nullopt);
}

TEST(PyReprTest, QuotesLikePython) {
  EXPECT_EQ(PyRepr("Animation"), "'Animation'");
  EXPECT_EQ(PyRepr("Children's"), "\"Children's\"");
  EXPECT_EQ(PyRepr("say \"hi\""), "'say \"hi\"'");
  EXPECT_EQ(PyRepr("both ' and \""), "'both \\' and \"'");
  EXPECT_EQ(PyRepr("back\\slash\n\x01"), "'back\\\\slash\\n\\x01'");
  EXPECT_EQ(PyRepr("Ørnås"), "'Ørnås'");
}

TEST(PyReprTest, RandomStringsParseBackUnchanged) {
  Random random(3);
  constexpr std::string_view kAlphabet = "aZ '\"\\\n\r\t\x01\x7F\xC3\xA9";
  for (int round = 0; round < 1000; ++round) {
    const std::string text = RandomText(random, kAlphabet, 16);
    EXPECT_THAT(ParseString(PyRepr(text)), Optional(text)) << PyRepr(text);
  }
}

TEST(ParsePyLiteralTest, ArbitraryBytesNeverCrash) {
  Random random(5);
  constexpr std::string_view kAlphabet = "[]{}:,'\"\\ 1-.eNTFxu";
  for (int round = 0; round < 5000; ++round) {
    const std::string text = RandomText(random, kAlphabet, 30);
    PyParseError error;
    if (!ParsePyLiteral(text, &error)) {
      EXPECT_LE(error.offset, text.size());
    }
  }
}

}  // namespace
}  // namespace chancho::movies
