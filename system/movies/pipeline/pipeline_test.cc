// The record encodings of records.h: every record type round-trips, alone
// and in lists, and truncated or garbage bytes are rejected with WireError.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "system/movies/pipeline/records.h"
#include "system/movies/random.h"
#include "system/movies/test_util.h"

namespace chancho::movies {
namespace {

constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr Int128 kI128Max =
    static_cast<Int128>(~static_cast<unsigned __int128>(0) >> 1);

RatedMovie Rated(std::int64_t id, std::string title, std::int64_t tenths,
                 std::int64_t count) {
  return {id, std::move(title), {tenths, count}};
}

// ---- Samples of each record type, and what "the same" means for it ----

template <typename T>
std::vector<T> Samples();

template <>
std::vector<Movie> Samples() {
  Movie full{862,
             "Toy Story",
             {"Animation", "Comedy", "Family"},
             {"US"},
             1995,
             30000000,
             373554033,
             "Led by Woody, Andy's toys live happily in his room."};
  Movie no_year{1,
                "Nueve reinas — ñandú 九",
                {},
                {"AR", "ES"},
                std::nullopt,
                0,
                0,
                "line one\nline two\r\nand a NUL: " + std::string(1, '\0')};
  Movie extremes{kI64Max, "", {""}, {}, 0, kI64Max, kI64Min, ""};
  Movie negative_id{kI64Min, "x", {"a", "b"}, {"c"}, 9999, -1, -1, "\n"};
  return {full, no_year, extremes, negative_id};
}

template <>
std::vector<Credit> Samples() {
  return {{862, {"Tom Hanks", "Tim Allen", "Tom Hanks"}},
          {0, {}},
          {kI64Min, {"", "Ricardo Darín", std::string("a\0b", 3)}}};
}

template <>
std::vector<MovieRating> Samples() {
  return {{862, 35},
          {kI64Min, 0},
          {0, std::numeric_limits<int>::min()},
          {-1, std::numeric_limits<int>::max()}};
}

template <>
std::vector<KeyedAmount> Samples() {
  return {{"AR", 30000000}, {"", 0}, {"ES", kI128Max}, {"x", -kI128Max - 1}};
}

template <>
std::vector<RatedMovie> Samples() {
  return {Rated(862, "Toy Story", 35, 1), Rated(0, "", 0, 0),
          Rated(kI64Min, "ñ\n", kI64Max, kI64Max)};
}

template <>
std::vector<Q1Entry> Samples() {
  return {{"Nueve reinas", "Crime,Drama"}, {"", ""}, {"Zama", "Drama"}};
}

template <>
std::vector<KeyedTotals> Samples() {
  KeyedTotals empty;
  KeyedTotals some;
  some.Add("AR", 5);
  some.Add("ES", -3);
  some.Add("", 0);
  some.Add("US", kI128Max);
  some.Add("AR", 7);
  return {empty, some};
}

template <>
std::vector<Q3Extremes> Samples() {
  Q3Extremes empty;
  Q3Extremes one;
  one.Add(Rated(7, "Only", 35, 1));
  Q3Extremes two;
  two.Add(Rated(3, "Low", 10, 4));
  two.Add(Rated(9, "High", 50, 1));
  two.Add(Rated(5, "Middle", 30, 1));
  Q3Extremes tie;  // equal averages: the smallest id is both extremes
  tie.Add(Rated(8, "Eight", 20, 2));
  tie.Add(Rated(2, "Two", 10, 1));
  return {empty, one, two, tie};
}

template <>
std::vector<SentimentRatios> Samples() {
  SentimentRatios empty;
  SentimentRatios some;
  some.Add(Sentiment::kPositive, 12'450'000'000);
  some.Add(Sentiment::kPositive, 1);
  some.Add(Sentiment::kNegative, 500'000'000);
  SentimentRatios only_negative;
  only_negative.AddTotal(Sentiment::kNegative, 3'000'000'001, 3);
  return {empty, some, only_negative};
}

template <typename T>
void ExpectSame(const T& a, const T& b) {
  EXPECT_TRUE(a == b);
}

void ExpectSame(const RatedMovie& a, const RatedMovie& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.ratings.tenths, b.ratings.tenths);
  EXPECT_EQ(a.ratings.count, b.ratings.count);
}

void ExpectSame(const KeyedTotals& a, const KeyedTotals& b) {
  EXPECT_TRUE(a.totals() == b.totals());
  EXPECT_EQ(a.FormatTop(100), b.FormatTop(100));
}

void ExpectSame(const std::optional<RatedMovie>& a,
                const std::optional<RatedMovie>& b) {
  ASSERT_EQ(a.has_value(), b.has_value());
  if (a) ExpectSame(*a, *b);
}

void ExpectSame(const Q3Extremes& a, const Q3Extremes& b) {
  ExpectSame(a.highest(), b.highest());
  ExpectSame(a.lowest(), b.lowest());
  EXPECT_EQ(a.Format(), b.Format());
}

void ExpectSame(const SentimentRatios& a, const SentimentRatios& b) {
  for (Sentiment s : {Sentiment::kPositive, Sentiment::kNegative}) {
    EXPECT_EQ(Int128ToString(a.sum(s)), Int128ToString(b.sum(s)));
    EXPECT_EQ(a.count(s), b.count(s));
  }
  EXPECT_EQ(a.Format(), b.Format());
}

// Decoding must either succeed or throw WireError: any other exception
// fails the test, and a crash fails the binary.
template <typename T>
void DecodeOrReject(std::string_view bytes) {
  try {
    DecodeOne<T>(bytes);
  } catch (const WireError&) {
  }
  try {
    DecodeList<T>(bytes);
  } catch (const WireError&) {
  }
}

template <typename T>
class RecordsTest : public testing::Test {};

using RecordTypes =
    testing::Types<Movie, Credit, MovieRating, KeyedAmount, RatedMovie, Q1Entry,
                   KeyedTotals, Q3Extremes, SentimentRatios>;
TYPED_TEST_SUITE(RecordsTest, RecordTypes);

TYPED_TEST(RecordsTest, OneRecordRoundTrips) {
  for (const TypeParam& sample : Samples<TypeParam>()) {
    ExpectSame(DecodeOne<TypeParam>(EncodeOne(sample)), sample);
  }
}

TYPED_TEST(RecordsTest, ListsRoundTrip) {
  const std::vector<TypeParam> samples = Samples<TypeParam>();
  const auto decoded = DecodeList<TypeParam>(EncodeList(samples));
  ASSERT_EQ(decoded.size(), samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    ExpectSame(decoded[i], samples[i]);
  }
  EXPECT_TRUE(
      DecodeList<TypeParam>(EncodeList(std::vector<TypeParam>{})).empty());
}

// Every proper prefix of `bytes` must be rejected by `decode`.
template <typename Decode>
void ExpectEveryPrefixThrows(const std::string& bytes, Decode decode) {
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(decode(std::string_view(bytes).substr(0, n)), WireError)
        << "prefix of " << n << " bytes";
  }
}

TYPED_TEST(RecordsTest, EveryTruncationThrows) {
  for (const TypeParam& sample : Samples<TypeParam>()) {
    ExpectEveryPrefixThrows(EncodeOne(sample), DecodeOne<TypeParam>);
  }
  ExpectEveryPrefixThrows(EncodeList(Samples<TypeParam>()),
                          DecodeList<TypeParam>);
}

TYPED_TEST(RecordsTest, TrailingBytesThrow) {
  for (const TypeParam& sample : Samples<TypeParam>()) {
    EXPECT_THROW(DecodeOne<TypeParam>(EncodeOne(sample) + "x"), WireError);
  }
  const std::string list = EncodeList(Samples<TypeParam>());
  EXPECT_THROW(DecodeList<TypeParam>(list + std::string(1, '\0')), WireError);
}

TYPED_TEST(RecordsTest, GarbageIsRejectedOrDecodedNeverACrash) {
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte.push_back(static_cast<char>(c));
  Random random(20240601);
  for (int i = 0; i < 500; ++i) {
    DecodeOrReject<TypeParam>(RandomText(random, every_byte, 64));
  }
  // Near-valid input reaches deeper: one byte of a valid list changed,
  // dropped or inserted.
  const std::string valid = EncodeList(Samples<TypeParam>());
  for (int i = 0; i < 500; ++i) {
    std::string bytes = valid;
    const std::size_t at = random.Below(bytes.size());
    const char byte = static_cast<char>(random.Below(256));
    switch (random.Below(3)) {
      case 0:
        bytes[at] = byte;
        break;
      case 1:
        bytes.erase(at, 1);
        break;
      default:
        bytes.insert(at, 1, byte);
        break;
    }
    DecodeOrReject<TypeParam>(bytes);
  }
}

TEST(RecordsEncoding, AMovieWithoutAYearStaysWithoutOne) {
  const Movie movie = Samples<Movie>()[1];
  ASSERT_FALSE(movie.year.has_value());
  EXPECT_FALSE(DecodeOne<Movie>(EncodeOne(movie)).year.has_value());
  Movie year_zero = movie;
  year_zero.year = 0;
  EXPECT_EQ(DecodeOne<Movie>(EncodeOne(year_zero)).year, 0);
}

TEST(RecordsEncoding, Q3ExtremesKeepWhichMovieIsWhich) {
  const Q3Extremes two =
      DecodeOne<Q3Extremes>(EncodeOne(Samples<Q3Extremes>()[2]));
  ASSERT_TRUE(two.highest() && two.lowest());
  EXPECT_EQ(two.highest()->id, 9);
  EXPECT_EQ(two.lowest()->id, 3);
  EXPECT_EQ(two.Format(), "High|5.000000\nLow|0.250000\n");
  const Q3Extremes one =
      DecodeOne<Q3Extremes>(EncodeOne(Samples<Q3Extremes>()[1]));
  EXPECT_EQ(one.Format(), "Only|3.500000\nOnly|3.500000\n");
  EXPECT_EQ(DecodeOne<Q3Extremes>(EncodeOne(Q3Extremes())).Format(), "");
}

TEST(RecordsEncoding, Q3ExtremesRejectAMovieWithoutRatingsOrABadFlag) {
  Writer unrated;
  unrated.U64(1);
  Put(unrated, Rated(1, "Unrated", 0, 0));
  unrated.U64(0);
  EXPECT_THROW(DecodeOne<Q3Extremes>(unrated.bytes()), WireError);
  Writer bad_flag;
  bad_flag.U64(2);
  bad_flag.U64(0);
  EXPECT_THROW(DecodeOne<Q3Extremes>(bad_flag.bytes()), WireError);
}

TEST(RecordsEncoding, SentimentRatiosFormatTheSameAfterARoundTrip) {
  for (const SentimentRatios& ratios : Samples<SentimentRatios>()) {
    EXPECT_EQ(DecodeOne<SentimentRatios>(EncodeOne(ratios)).Format(),
              ratios.Format());
  }
  // Hand-computed: (12.45 + 1e-9) / 2 and 0.5 / 1, to 6 decimals.
  EXPECT_EQ(Samples<SentimentRatios>()[1].Format(),
            "POSITIVE|6.225000\nNEGATIVE|0.500000\n");
}

}  // namespace
}  // namespace chancho::movies
