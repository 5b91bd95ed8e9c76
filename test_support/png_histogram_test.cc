#include "test_support/png_histogram.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include "common/error.h"

namespace chancho::testing {
namespace {

using ::testing::HasSubstr;

std::string BigEndian(std::uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

std::string Chunk(const std::string& type, const std::string& data) {
  // The reader does not check CRCs; zeros stand in for them.
  return BigEndian(static_cast<std::uint32_t>(data.size())) + type + data +
         std::string(4, '\0');
}

// A 2x2 RGB image from its filtered rows (filter byte first).
std::string Png(const std::string& filtered_rows) {
  std::string compressed(compressBound(filtered_rows.size()), '\0');
  uLongf size = compressed.size();
  compress(reinterpret_cast<Bytef*>(compressed.data()), &size,
           reinterpret_cast<const Bytef*>(filtered_rows.data()), filtered_rows.size());
  compressed.resize(size);
  const std::string header =
      BigEndian(2) + BigEndian(2) + std::string{8, 2, 0, 0, 0};
  return std::string("\x89PNG\r\n\x1a\n", 8) + Chunk("IHDR", header) +
         Chunk("IDAT", compressed) + Chunk("IEND", "");
}

std::string Bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s += static_cast<char>(v);
  return s;
}

// Pixels: (10,20,30) (10,20,30) / (10,20,30) (200,0,0). The first row is
// Sub-filtered; the second row's bytes are worked out by hand per filter.
void ExpectThreeAndOne(const std::string& second_row) {
  const std::string first_row = Bytes({1, 10, 20, 30, 0, 0, 0});
  const PngHistogram h = PngHistogramOf(Png(first_row + second_row), "test.png");
  EXPECT_EQ(h.width, 2);
  EXPECT_EQ(h.height, 2);
  ASSERT_EQ(h.colours.size(), 2u);
  EXPECT_EQ(h.colours.at(0x0a141e), 3);
  EXPECT_EQ(h.colours.at(0xc80000), 1);
  EXPECT_DOUBLE_EQ(h.DominantShare(), 0.75);
}

TEST(PngHistogramTest, EveryRowFilterDecodes) {
  ExpectThreeAndOne(Bytes({0, 10, 20, 30, 200, 0, 0}));     // none
  ExpectThreeAndOne(Bytes({1, 10, 20, 30, 190, 236, 226}));  // sub
  ExpectThreeAndOne(Bytes({2, 0, 0, 0, 190, 236, 226}));     // up
  ExpectThreeAndOne(Bytes({3, 5, 10, 15, 190, 236, 226}));   // average
  ExpectThreeAndOne(Bytes({4, 0, 0, 0, 190, 236, 226}));     // paeth
}

TEST(PngHistogramTest, WhatIsNotAReadablePngIsAnError) {
  for (const std::string bytes :
       {std::string("GIF89a"), Png(Bytes({7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})),
        Png(Bytes({0, 1, 2}))}) {
    try {
      PngHistogramOf(bytes, "bad.png");
      ADD_FAILURE() << "read a bad image";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr("bad.png"));
    }
  }
}

}  // namespace
}  // namespace chancho::testing
