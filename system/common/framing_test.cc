#include "system/common/framing.h"

#include <gtest/gtest.h>

namespace chancho::common {
namespace {

bool OnlyOneAndTwo(std::uint8_t type) { return type == 1 || type == 2; }

TEST(Framing, EncodesLengthBigEndianThenTypeThenPayload) {
  const std::string frame = EncodeFrame(7, "abc");
  ASSERT_EQ(frame.size(), 8u);
  EXPECT_EQ(frame.substr(0, 5), std::string("\0\0\0\3\7", 5));
  EXPECT_EQ(frame.substr(5), "abc");
  EXPECT_EQ(EncodeFrame(1, "").size(), kFrameHeaderSize);
}

TEST(Framing, DecodesFramesSplitAtEveryByte) {
  const std::string stream = EncodeFrame(1, "hello") + EncodeFrame(2, "") +
                             EncodeFrame(1, std::string(300, 'x'));
  FrameDecoder decoder(1024, OnlyOneAndTwo);
  std::vector<Frame> frames;
  for (char c : stream) {
    decoder.Feed(std::string_view(&c, 1));
    while (auto frame = decoder.Next()) frames.push_back(*frame);
  }
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].type, 1);
  EXPECT_EQ(frames[0].payload, "hello");
  EXPECT_EQ(frames[1].type, 2);
  EXPECT_EQ(frames[1].payload, "");
  EXPECT_EQ(frames[2].payload, std::string(300, 'x'));
  EXPECT_FALSE(decoder.failed());
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(Framing, RejectsAnOversizedLengthBeforeItsPayloadArrives) {
  FrameDecoder decoder(1024);
  decoder.Feed(std::string("\xff\xff\xff\xff\x01", 5));
  EXPECT_FALSE(decoder.Next());
  ASSERT_TRUE(decoder.failed());
  EXPECT_EQ(decoder.error(),
            "frame of 4294967295 bytes exceeds the limit of 1024");
  decoder.Feed(EncodeFrame(1, "late"));
  EXPECT_FALSE(decoder.Next()) << "a failed stream stays failed";
}

TEST(Framing, RejectsUnknownTypes) {
  FrameDecoder decoder(1024, OnlyOneAndTwo);
  decoder.Feed("GET / HTTP/1.1\r\n\r\n");
  EXPECT_FALSE(decoder.Next());
  EXPECT_TRUE(decoder.failed());
  EXPECT_NE(decoder.error().find("exceeds the limit"), std::string::npos)
      << "\"GET \" read as a length is far above 1024: " << decoder.error();
  FrameDecoder typed(1024, OnlyOneAndTwo);
  typed.Feed(EncodeFrame(9, "x"));
  EXPECT_FALSE(typed.Next());
  EXPECT_EQ(typed.error(), "unknown frame type 9");
}

}  // namespace
}  // namespace chancho::common
