// Expected outputs here are worked out by hand from the inputs, not
// produced by the code under test.

#include "system/movies/queries.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chancho::movies {
namespace {

Movie MakeMovie(int64_t id, std::string title,
                std::vector<std::string> countries, std::optional<int> year,
                std::vector<std::string> genres = {}, int64_t budget = 0,
                int64_t revenue = 0, std::string overview = "") {
  return Movie{id,   std::move(title), std::move(genres), std::move(countries),
               year, budget,           revenue,           std::move(overview)};
}

TEST(Q1Test, SelectsArgentineSpanishCoProductionsOfThe2000s) {
  EXPECT_TRUE(IsQ1Movie(MakeMovie(1, "t", {"AR", "ES"}, 2000)));
  EXPECT_TRUE(IsQ1Movie(MakeMovie(1, "t", {"FR", "ES", "AR"}, 2009)));
  EXPECT_FALSE(IsQ1Movie(MakeMovie(1, "t", {"AR", "ES"}, 1999)));
  EXPECT_FALSE(IsQ1Movie(MakeMovie(1, "t", {"AR", "ES"}, 2010)));
  EXPECT_FALSE(IsQ1Movie(MakeMovie(1, "t", {"AR", "ES"}, std::nullopt)));
  EXPECT_FALSE(IsQ1Movie(MakeMovie(1, "t", {"AR"}, 2005)));
  EXPECT_FALSE(IsQ1Movie(MakeMovie(1, "t", {"ES", "MX"}, 2005)));
}

TEST(Q1Test, SortsByTitleThenGenresBytewise) {
  const std::vector<Movie> movies = {
      MakeMovie(1, "Zeta", {"AR", "ES"}, 2005, {"Drama", "Comedy"}),
      MakeMovie(2, "alpha", {"AR", "ES"}, 2001, {"War"}),
      MakeMovie(3, "Alpha 2", {"AR", "ES"}, 2002, {"Horror"}),
      MakeMovie(4, "Alpha", {"AR", "ES"}, 2009, {"Action"}),
      MakeMovie(5, "Alpha", {"ES", "AR", "FR"}, 2000, {}),
      MakeMovie(6, "\xC3\x81nima", {"AR", "ES"}, 2003, {"Drama"}),
  };
  std::vector<Q1Entry> entries;
  for (const Movie& movie : movies) entries.push_back(MakeQ1Entry(movie));
  // "Alpha" < "Alpha 2" (prefix) although "Alpha|" > "Alpha 2|"; uppercase
  // sorts before lowercase, and UTF-8 after ASCII.
  EXPECT_EQ(FormatQ1(entries),
            "Alpha|\n"
            "Alpha|Action\n"
            "Alpha 2|Horror\n"
            "Zeta|Drama,Comedy\n"
            "alpha|War\n"
            "\xC3\x81nima|Drama\n");
  EXPECT_EQ(FormatQ1({}), "");
}

TEST(Q2Test, SumsBudgetsOfSingleCountryMoviesTopFive) {
  KeyedTotals budgets;
  const std::vector<Movie> movies = {
      MakeMovie(1, "a", {"US"}, 2000, {}, 100),
      MakeMovie(2, "b", {"US"}, 2000, {}, 50),
      MakeMovie(3, "c", {"AR"}, 2000, {}, 70),
      MakeMovie(4, "d", {"ES"}, 2000, {}, 70),
      MakeMovie(5, "e", {"FR"}, 2000, {}, 0),
      MakeMovie(6, "f", {"DE"}, 2000, {}, 10),
      MakeMovie(7, "g", {"IT"}, 2000, {}, 5),
      MakeMovie(8, "h", {"GB"}, 2000, {}, 150),
      MakeMovie(9, "i", {"US", "GB"}, 2000, {}, 1000),
      MakeMovie(10, "j", {}, 2000, {}, 1000),
  };
  for (const Movie& movie : movies) AddQ2Movie(movie, budgets);
  // GB 150 and US 150 tie: ISO ascending. AR 70 and ES 70 likewise.
  EXPECT_EQ(budgets.FormatTop(kQ2Top), "GB|150\nUS|150\nAR|70\nES|70\nDE|10\n");
  EXPECT_EQ(budgets.totals().at("FR"), 0);
  EXPECT_EQ(budgets.totals().at("IT"), 5);
}

TEST(Q2Test, TotalsDoNotOverflowInt64) {
  KeyedTotals budgets;
  AddQ2Movie(MakeMovie(1, "a", {"CN"}, 2000, {}, 9'000'000'000'000'000'000),
             budgets);
  AddQ2Movie(MakeMovie(2, "b", {"CN"}, 2000, {}, 9'000'000'000'000'000'000),
             budgets);
  EXPECT_EQ(budgets.FormatTop(kQ2Top), "CN|18000000000000000000\n");
}

TEST(KeyedTotalsTest, MergeInAnyGroupingGivesTheSameTop) {
  KeyedTotals a, b, c;
  a.Add("x", 5);
  a.Add("y", 1);
  b.Add("y", 4);
  b.Add("z", 5);
  c.Add("x", -1);
  c.Add("w", 9);
  KeyedTotals left = a;
  left.Merge(b);
  left.Merge(c);
  KeyedTotals right = c;
  KeyedTotals bc = b;
  bc.Merge(a);
  right.Merge(bc);
  // w 9, y 5, z 5, x 4.
  EXPECT_EQ(left.FormatTop(3), "w|9\ny|5\nz|5\n");
  EXPECT_EQ(right.FormatTop(10), "w|9\ny|5\nz|5\nx|4\n");
  EXPECT_EQ(KeyedTotals().FormatTop(5), "");
}

TEST(Q4Test, CountsEachActorOncePerMovieTopTen) {
  KeyedTotals counts;
  AddQ4Cast({"Ana", "Bruno", "Ana"}, counts);  // Ana in two roles
  AddQ4Cast({"Bruno", "Carla"}, counts);
  AddQ4Cast({"Bruno", "Ana", ""}, counts);  // empty names are not actors
  EXPECT_EQ(counts.FormatTop(kQ4Top), "Bruno|3\nAna|2\nCarla|1\n");

  KeyedTotals many;
  for (char c = 'a'; c <= 'l'; ++c) AddQ4Cast({std::string(1, c)}, many);
  AddQ4Cast({"l", "k"}, many);
  // l 2, k 2, then a..j with 1 each: only a..h fit in ten.
  EXPECT_EQ(many.FormatTop(kQ4Top),
            "k|2\nl|2\na|1\nb|1\nc|1\nd|1\ne|1\nf|1\ng|1\nh|1\n");
}

TEST(ArgentineTest, SelectsArgentineMoviesFrom2000On) {
  EXPECT_TRUE(IsArgentineSince2000(MakeMovie(1, "t", {"AR"}, 2000)));
  EXPECT_TRUE(IsArgentineSince2000(MakeMovie(1, "t", {"US", "AR"}, 2017)));
  EXPECT_FALSE(IsArgentineSince2000(MakeMovie(1, "t", {"AR"}, 1999)));
  EXPECT_FALSE(IsArgentineSince2000(MakeMovie(1, "t", {"AR"}, std::nullopt)));
  EXPECT_FALSE(IsArgentineSince2000(MakeMovie(1, "t", {"ES"}, 2005)));
}

RatedMovie Rated(int64_t id, std::string title, std::vector<int> tenths) {
  RatedMovie movie{id, std::move(title), {}};
  for (int rating : tenths) movie.ratings.Add(rating);
  return movie;
}

TEST(Q3Test, HighestAndLowestWithTiesToTheSmallestId) {
  const std::vector<RatedMovie> movies = {
      Rated(10, "Uno", {40, 35}),   // 3.75
      Rated(5, "Dos", {50, 25}),    // 3.75: ties with Uno, smaller id
      Rated(7, "Tres", {10}),       // 1.0
      Rated(3, "Cuatro", {5, 15}),  // 1.0: ties with Tres, smaller id
      Rated(8, "Cinco", {}),        // no ratings: ignored
      Rated(2, "Seis", {30, 30}),   // 3.0
  };
  Q3Extremes forward;
  for (const RatedMovie& movie : movies) forward.Add(movie);
  EXPECT_EQ(forward.Format(), "Dos|3.750000\nCuatro|1.000000\n");

  // Any split and merge order gives the same answer.
  Q3Extremes first, second;
  for (std::size_t i = 0; i < movies.size(); ++i) {
    (i % 2 == 0 ? first : second).Add(movies[movies.size() - 1 - i]);
  }
  second.Merge(first);
  EXPECT_EQ(second.Format(), forward.Format());
}

TEST(Q3Test, AveragesHaveSixRoundedDecimals) {
  Q3Extremes extremes;
  extremes.Add(Rated(1, "Thirds", {5, 5, 10}));    // 2/3 = 0.6666...
  extremes.Add(Rated(2, "Sixths", {50, 50, 45}));  // 14.5/3 = 4.8333...
  EXPECT_EQ(extremes.Format(), "Sixths|4.833333\nThirds|0.666667\n");

  Q3Extremes single;
  single.Add(Rated(4, "Solo", {35}));
  EXPECT_EQ(single.Format(), "Solo|3.500000\nSolo|3.500000\n");
  EXPECT_EQ(Q3Extremes().Format(), "");
}

TEST(Q5Test, RatiosAreRoundedToNanos) {
  EXPECT_EQ(RatioNanos(250, 100), 2'500'000'000);
  EXPECT_EQ(RatioNanos(2, 3), 666'666'667);
  EXPECT_EQ(RatioNanos(1, 8), 125'000'000);
  EXPECT_EQ(RatioNanos(1, 2'000'000'000), 1);  // 0.5 nanos rounds up
  EXPECT_EQ(RatioNanos(1, 2'000'000'001), 0);
}

TEST(Q5Test, AveragesRatiosPerSentiment) {
  const SentimentScorer scorer;
  const std::vector<Movie> movies = {
      // wonderful 4 + friendship 3: positive, ratio 2.5.
      MakeMovie(1, "a", {}, 2000, {}, 100, 250, "A wonderful friendship"),
      // love 3: positive, ratio 1/3 = 333333333 nanos.
      MakeMovie(2, "b", {}, 2000, {}, 3, 1, "love"),
      // brutal -3 + murder -3: negative, ratio 0.5.
      MakeMovie(3, "c", {}, 2000, {}, 200, 100, "A brutal murder"),
      MakeMovie(4, "d", {}, 2000, {}, 0, 100, "brutal"),  // no budget
      MakeMovie(5, "e", {}, 2000, {}, 100, 0, "brutal"),  // no revenue
      // Empty overview scores 0: positive, 2/7 = 285714286 nanos.
      MakeMovie(6, "f", {}, 2000, {}, 7, 2, ""),
  };
  SentimentRatios ratios;
  for (const Movie& movie : movies) {
    if (!HasBudgetAndRevenue(movie)) continue;
    ratios.Add(scorer.Classify(movie.overview),
               RatioNanos(movie.revenue, movie.budget));
  }
  // POSITIVE: (2500000000 + 333333333 + 285714286) / 3 = 1039682539.67
  // nanos = 1.03968253967 -> 1.039683. NEGATIVE: 0.5.
  EXPECT_EQ(ratios.count(Sentiment::kPositive), 3);
  EXPECT_EQ(ratios.sum(Sentiment::kPositive), 3'119'047'619);
  EXPECT_EQ(ratios.Format(), "POSITIVE|1.039683\nNEGATIVE|0.500000\n");
}

TEST(Q5Test, MergesAndHandlesEmptySentiments) {
  EXPECT_EQ(SentimentRatios().Format(),
            "POSITIVE|0.000000\nNEGATIVE|0.000000\n");
  SentimentRatios a, b;
  a.Add(Sentiment::kNegative, 1'000'000'000);
  b.Add(Sentiment::kNegative, 2'000'000'001);
  a.Merge(b);
  // (1 + 2.000000001) / 2 = 1.5000000005 -> 1.500000.
  EXPECT_EQ(a.Format(), "POSITIVE|0.000000\nNEGATIVE|1.500000\n");
}

}  // namespace
}  // namespace chancho::movies
