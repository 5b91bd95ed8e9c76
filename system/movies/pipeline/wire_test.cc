#include "system/movies/pipeline/wire.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace chancho::movies {
namespace {

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr Int128 kI128Max =
    static_cast<Int128>(~static_cast<unsigned __int128>(0) >> 1);
constexpr Int128 kI128Min = -kI128Max - 1;

std::string U64Bytes(std::uint64_t value) {
  Writer w;
  w.U64(value);
  return w.Take();
}

std::string I64Bytes(std::int64_t value) {
  Writer w;
  w.I64(value);
  return w.Take();
}

// Every proper prefix of `bytes` must be rejected by `read`.
template <typename Read>
void ExpectEveryPrefixThrows(const std::string& bytes, Read read) {
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    Reader r(std::string_view(bytes).substr(0, n));
    EXPECT_THROW(read(r), WireError) << "prefix of " << n << " bytes";
  }
}

// Writes `values` one after another with `put`, then reads them back in
// order with `get`, and expects nothing left over.
template <typename T, typename Put, typename Get>
void ExpectRoundTrips(const std::vector<T>& values, Put put, Get get) {
  Writer w;
  for (const T& value : values) std::invoke(put, w, value);
  Reader r(w.bytes());
  for (const T& value : values) EXPECT_EQ(std::invoke(get, r), value);
  EXPECT_NO_THROW(r.ExpectEnd());
}

TEST(WireVarint, RoundTripsAtTheBoundariesOfEachLength) {
  // LEB128 takes one byte per 7 bits: 2^(7k) is the first value of k+1.
  const std::vector<std::pair<std::uint64_t, std::size_t>> cases = {
      {0, 1},           {1, 1},       {127, 1},        {128, 2},
      {16383, 2},       {16384, 3},   {1ull << 32, 5}, {(1ull << 63) - 1, 9},
      {1ull << 63, 10}, {kU64Max, 10}};
  for (const auto& [value, length] : cases) {
    const std::string bytes = U64Bytes(value);
    EXPECT_EQ(bytes.size(), length) << value;
    Reader r(bytes);
    EXPECT_EQ(r.U64(), value);
    EXPECT_TRUE(r.done());
  }
}

TEST(WireVarint, FollowsLeb128ByteForByte) {
  // The protobuf documentation's example: 300 is AC 02.
  EXPECT_EQ(U64Bytes(300), std::string("\xAC\x02", 2));
  EXPECT_EQ(U64Bytes(128), std::string("\x80\x01", 2));
  EXPECT_EQ(U64Bytes(0), std::string(1, '\0'));
}

TEST(WireZigzag, RoundTripsSignedBoundaries) {
  for (std::int64_t value :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{63},
        std::int64_t{-64}, std::int64_t{64}, std::int64_t{-65}, kI64Min,
        kI64Min + 1, kI64Max, kI64Max - 1}) {
    const std::string bytes = I64Bytes(value);
    Reader r(bytes);
    EXPECT_EQ(r.I64(), value);
    r.ExpectEnd();
  }
}

TEST(WireZigzag, MapsSmallMagnitudesToSmallVarints) {
  // Zigzag: 0->0, -1->1, 1->2, -64->127, 64->128, INT64_MIN->UINT64_MAX.
  EXPECT_EQ(I64Bytes(0), U64Bytes(0));
  EXPECT_EQ(I64Bytes(-1), U64Bytes(1));
  EXPECT_EQ(I64Bytes(1), U64Bytes(2));
  EXPECT_EQ(I64Bytes(-64).size(), 1u);
  EXPECT_EQ(I64Bytes(64).size(), 2u);
  EXPECT_EQ(I64Bytes(kI64Min), U64Bytes(kU64Max));
  EXPECT_EQ(I64Bytes(kI64Max), U64Bytes(kU64Max - 1));
}

TEST(WireInt128, RoundTripsExtremes) {
  const Int128 two64 = static_cast<Int128>(1) << 64;
  for (Int128 value :
       {Int128{0}, Int128{1}, Int128{-1}, Int128{kI64Min}, Int128{kI64Max},
        two64, -two64, two64 - 1, kI128Max, kI128Min, kI128Min + 1}) {
    Writer w;
    w.I128(value);
    Reader r(w.bytes());
    EXPECT_EQ(Int128ToString(r.I128()), Int128ToString(value));
    EXPECT_TRUE(r.done());
  }
}

TEST(WireString, RoundTripsEmptyBinaryAndLongStrings) {
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte.push_back(static_cast<char>(c));
  const std::vector<std::string> texts = {
      "",         std::string("a\0b\0", 4), std::string(1, '\0'),
      every_byte, std::string(200, 'x'),    "ñandú — 九"};
  ExpectRoundTrips(texts, &Writer::Str, &Reader::Str);
}

TEST(WireString, PrefixesTheLengthAsAVarint) {
  Writer w;
  w.Str(std::string(200, 'x'));
  EXPECT_EQ(w.bytes(), U64Bytes(200) + std::string(200, 'x'));
}

TEST(WireStringList, RoundTripsEmptyListsAndEmptyItems) {
  const std::vector<std::vector<std::string>> lists = {
      {}, {""}, {"", "", ""}, {"Drama", std::string("\0", 1), "Comedy"}};
  ExpectRoundTrips(lists, &Writer::StrList, &Reader::StrList);
}

TEST(WireReader, ReadsMixedFieldsInOrder) {
  Writer w;
  w.U64(7);
  w.Str("title");
  w.I64(-2000);
  w.StrList({"AR", "ES"});
  w.I128(kI128Min);
  Reader r(w.bytes());
  EXPECT_FALSE(r.done());
  EXPECT_EQ(r.U64(), 7u);
  EXPECT_EQ(r.Str(), "title");
  EXPECT_EQ(r.I64(), -2000);
  EXPECT_EQ(r.StrList(), (std::vector<std::string>{"AR", "ES"}));
  EXPECT_EQ(Int128ToString(r.I128()), Int128ToString(kI128Min));
  EXPECT_TRUE(r.done());
  EXPECT_NO_THROW(r.ExpectEnd());
}

TEST(WireReader, RejectsEveryTruncation) {
  ExpectEveryPrefixThrows(U64Bytes(kU64Max), [](Reader& r) { r.U64(); });
  ExpectEveryPrefixThrows(I64Bytes(kI64Min), [](Reader& r) { r.I64(); });
  Writer i128;
  i128.I128(kI128Min);
  ExpectEveryPrefixThrows(i128.bytes(), [](Reader& r) { r.I128(); });
  Writer str;
  str.Str(std::string(300, 'z'));
  ExpectEveryPrefixThrows(str.bytes(), [](Reader& r) { r.Str(); });
  Writer list;
  list.StrList({"a", "", std::string(130, 'b')});
  ExpectEveryPrefixThrows(list.bytes(), [](Reader& r) { r.StrList(); });
}

TEST(WireReader, RejectsAVarintOfMoreThanTenBytes) {
  // Ten bytes with the continuation bit set never end a 64-bit varint.
  const std::string bytes = std::string(10, '\x80') + std::string(1, '\0');
  Reader r(bytes);
  EXPECT_THROW(r.U64(), WireError);
}

TEST(WireReader, RejectsAVarintBeyond64Bits) {
  // The tenth byte holds bit 63 only: 0 or 1. Anything more is a value that
  // does not fit, which must not be silently cut to 64 bits.
  for (char last : {'\x02', '\x7f'}) {
    for (char fill : {'\x80', '\xff'}) {
      const std::string bytes = std::string(9, fill) + last;
      Reader r(bytes);
      EXPECT_THROW(r.U64(), WireError) << int{last} << " after " << int{fill};
    }
  }
  const std::string max = std::string(9, '\xff') + '\x01';
  Reader r(max);
  EXPECT_EQ(r.U64(), kU64Max);
}

TEST(WireReader, RejectsAStringLongerThanTheMessage) {
  const std::string bytes = U64Bytes(4) + "abc";
  Reader r(bytes);
  EXPECT_THROW(r.Str(), WireError);
  const std::string huge_bytes = U64Bytes(kU64Max) + "abc";
  Reader huge(huge_bytes);
  EXPECT_THROW(huge.Str(), WireError);
}

TEST(WireReader, CountIsBoundedByTheRemainingBytes) {
  // Exactly as many bytes left as the count: accepted.
  const std::string fitting = U64Bytes(3) + "xyz";
  Reader fits(fitting);
  EXPECT_EQ(fits.Count(), 3u);
  // One more than what is left, and counts a corrupt message could carry:
  // rejected before anyone allocates room for them.
  for (std::uint64_t count : {std::uint64_t{4}, std::uint64_t{1} << 40,
                              std::uint64_t{1} << 62, kU64Max}) {
    const std::string bytes = U64Bytes(count) + "xyz";
    Reader r(bytes);
    EXPECT_THROW(r.Count(), WireError) << count;
  }
  const std::string list_bytes = U64Bytes(kU64Max);
  Reader list(list_bytes);
  EXPECT_THROW(list.StrList(), WireError);
}

TEST(WireReader, ExpectEndRejectsTrailingBytes) {
  const std::string bytes = U64Bytes(5) + std::string(1, '\0');
  Reader r(bytes);
  EXPECT_EQ(r.U64(), 5u);
  EXPECT_FALSE(r.done());
  EXPECT_THROW(r.ExpectEnd(), WireError);
  Reader empty("");
  EXPECT_TRUE(empty.done());
  EXPECT_NO_THROW(empty.ExpectEnd());
  EXPECT_THROW(empty.U64(), WireError);
}

}  // namespace
}  // namespace chancho::movies
