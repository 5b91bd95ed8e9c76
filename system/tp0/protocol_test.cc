#include "system/tp0/protocol.h"

#include <gtest/gtest.h>

namespace chancho::tp0 {
namespace {

TEST(FormatClientMessageTest, MatchesTheOriginalFormat) {
  EXPECT_EQ(FormatClientMessage("1", 1), "[CLIENT 1] Message N°1");
  EXPECT_EQ(FormatClientMessage("12", 345),
            "[CLIENT 12] Message N\xC2\xB0"
            "345");
}

TEST(StripLineEndTest, RemovesOnlyTheLineEnd) {
  EXPECT_EQ(StripLineEnd("abc\n"), "abc");
  EXPECT_EQ(StripLineEnd("abc\r\n"), "abc");
  EXPECT_EQ(StripLineEnd("abc\r"), "abc");
  EXPECT_EQ(StripLineEnd("abc"), "abc");
  EXPECT_EQ(StripLineEnd(" a b \n"), " a b ");
  EXPECT_EQ(StripLineEnd("\n"), "");
  EXPECT_EQ(StripLineEnd(""), "");
}

}  // namespace
}  // namespace chancho::tp0
