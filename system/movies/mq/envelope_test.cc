#include "system/movies/mq/envelope.h"

#include <gtest/gtest.h>

namespace chancho::movies::mq {
namespace {

Envelope Sample() {
  return {"client-7", "filter-argentina-2", 0x0102030405060708ull,
          MessageKind::kData, std::string("a|b\n\0c", 6)};
}

TEST(Envelope, RoundTrips) {
  const Envelope e = Sample();
  EXPECT_EQ(Decode(Encode(e)), e);
  Envelope eof{"c", "p", 0, MessageKind::kEof, ""};
  EXPECT_EQ(Decode(Encode(eof)), eof);
}

TEST(Envelope, LayoutIsCompactAndBigEndian) {
  const std::string bytes = Encode({"c", "p", 258, MessageKind::kEof, "xy"});
  EXPECT_EQ(bytes, std::string("CE\x01\x02\x01" "c\x01p"
                               "\0\0\0\0\0\0\x01\x02"
                               "\0\0\0\x02xy",
                               22));
}

TEST(Envelope, IdNamesClientProducerAndSequence) {
  EXPECT_EQ(Sample().Id(), "client-7/filter-argentina-2/72623859790382856");
}

TEST(Envelope, RejectsEveryTruncation) {
  const std::string bytes = Encode(Sample());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(Decode(std::string_view(bytes).substr(0, n)), EnvelopeError)
        << n;
  }
}

TEST(Envelope, RejectsGarbageWithOneLineMessages) {
  auto message = [](std::string_view bytes) {
    try {
      Decode(bytes);
    } catch (const EnvelopeError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("hello"), "envelope: bad magic (not a Chancho envelope)");
  std::string bytes = Encode(Sample());
  bytes[2] = 9;
  EXPECT_EQ(message(bytes), "envelope: unsupported version 9");
  bytes = Encode(Sample());
  bytes[3] = 7;
  EXPECT_EQ(message(bytes), "envelope: unknown kind 7");
  EXPECT_EQ(message(Encode(Sample()) + "x"),
            "envelope: 1 trailing bytes after the payload");
  EXPECT_EQ(message(std::string("CE\x01\x01\x05" "ab", 7)),
            "envelope truncated in client id");
}

TEST(Envelope, RejectsOverlongNames) {
  Envelope e = Sample();
  e.producer = std::string(256, 'p');
  EXPECT_THROW(Encode(e), EnvelopeError);
  e.producer = std::string(255, 'p');
  EXPECT_EQ(Decode(Encode(e)), e);
}

}  // namespace
}  // namespace chancho::movies::mq
