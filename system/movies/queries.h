#pragma once

// The logic of the five queries (DESIGN.md, "The movies queries"), split
// into the steps a distributed pipeline performs: a per-row predicate, a
// partial aggregate that merges associatively and commutatively (so any
// number of replicas, in any order, give the same state), and the final
// formatting. The single-process reference (reference.h) and the pipeline
// services share these functions, which is what makes their outputs equal
// byte for byte.
//
// Arithmetic is exact: sums are integers (budgets in units, ratings in
// tenths of a star, revenue/budget ratios in units of 1e-9), and the only
// rounding is the final quotient, half away from zero, to 6 decimals.
//
// Every output line ends with '\n'; an empty result is the empty string.
// All types are plain values: not thread-safe, cheap to copy and merge.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "system/movies/fixed_point.h"
#include "system/movies/model.h"
#include "system/movies/sentiment.h"

namespace chancho::movies {

// True when `iso` is among the movie's production countries.
bool HasCountry(const Movie& movie, std::string_view iso);

// ---- Q1: AR+ES co-productions released 2000-2009 ----

bool IsQ1Movie(const Movie& movie);

// One result line before sorting.
struct Q1Entry {
  std::string title;
  std::string genres;  // names joined with ','

  auto operator<=>(const Q1Entry&) const = default;
};

Q1Entry MakeQ1Entry(const Movie& movie);

// "title|genres\n" per entry, sorted by title, then genres (bytewise).
// Entries with the same title both stay: they are different movies.
std::string FormatQ1(std::vector<Q1Entry> entries);

// ---- Q2 and Q4: totals per key, top k ----

// Integer totals per key (country ISO code, actor name). 128-bit, so no
// sum of int64 amounts can overflow.
class KeyedTotals {
 public:
  void Add(std::string_view key, Int128 amount);
  void Merge(const KeyedTotals& other);

  // The k largest totals; equal totals by key ascending (bytewise).
  std::vector<std::pair<std::string, Int128>> Top(std::size_t k) const;
  // "key|total\n" for each of Top(k).
  std::string FormatTop(std::size_t k) const;

  const std::map<std::string, Int128, std::less<>>& totals() const {
    return totals_;
  }

 private:
  std::map<std::string, Int128, std::less<>> totals_;
};

inline constexpr std::size_t kQ2Top = 5;
inline constexpr std::size_t kQ4Top = 10;

// Q2 counts movies with exactly one production-country entry.
bool IsSingleCountry(const Movie& movie);
// Adds the budget of a single-country movie to its country (budget 0
// included: such a country appears with its total, possibly 0).
void AddQ2Movie(const Movie& movie, KeyedTotals& budgets);

// ---- Q3 and Q4 join side: Argentine movies released 2000 or later ----

bool IsArgentineSince2000(const Movie& movie);

// Q4: each distinct non-empty name of the cast counts 1 for this movie,
// so an actor with two roles in one movie still counts one movie.
void AddQ4Cast(const std::vector<std::string>& cast, KeyedTotals& counts);

// ---- Q3: highest and lowest average rating ----

// Exact sum of ratings; merge by addition.
struct RatingSum {
  int64_t tenths = 0;
  int64_t count = 0;

  void Add(int rating_tenths) {
    tenths += rating_tenths;
    ++count;
  }
  void Merge(const RatingSum& other) {
    tenths += other.tenths;
    count += other.count;
  }
};

struct RatedMovie {
  int64_t id = 0;
  std::string title;
  RatingSum ratings;
};

// The highest and the lowest average among the movies added; ties go to
// the smallest id. Averages are compared exactly (as fractions).
class Q3Extremes {
 public:
  // Movies without ratings are ignored.
  void Add(const RatedMovie& movie);
  void Merge(const Q3Extremes& other);

  const std::optional<RatedMovie>& highest() const { return highest_; }
  const std::optional<RatedMovie>& lowest() const { return lowest_; }

  // "title|avg\n" for the highest, then the lowest (the same movie twice
  // when only one was rated); "" when none.
  std::string Format() const;

 private:
  std::optional<RatedMovie> highest_;
  std::optional<RatedMovie> lowest_;
};

// The average in stars with 6 decimals: "3.500000".
std::string FormatAverageRating(const RatingSum& sum);

// ---- Q5: average revenue/budget per overview sentiment ----

bool HasBudgetAndRevenue(const Movie& movie);

inline constexpr int64_t kRatioScale = 1'000'000'000;

// revenue / budget in units of 1e-9, rounded half up; budget > 0.
Int128 RatioNanos(int64_t revenue, int64_t budget);

// Sum and count of ratios per sentiment; merge by addition.
class SentimentRatios {
 public:
  void Add(Sentiment sentiment, Int128 ratio_nanos);
  // Adds `count` ratios whose sum is `sum` (a partial sent between stages).
  void AddTotal(Sentiment sentiment, Int128 sum, int64_t count);
  void Merge(const SentimentRatios& other);

  Int128 sum(Sentiment sentiment) const { return sums_[Index(sentiment)]; }
  int64_t count(Sentiment sentiment) const { return counts_[Index(sentiment)]; }

  // "POSITIVE|avg\nNEGATIVE|avg\n"; avg = sum / count / 1e9 to 6 decimals,
  // "0.000000" for a sentiment without movies.
  std::string Format() const;

 private:
  static int Index(Sentiment sentiment) {
    return sentiment == Sentiment::kPositive ? 0 : 1;
  }

  Int128 sums_[2] = {0, 0};
  int64_t counts_[2] = {0, 0};
};

}  // namespace chancho::movies
