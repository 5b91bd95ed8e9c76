#include "system/movies/queries.h"

#include <algorithm>
#include <set>

namespace chancho::movies {
namespace {

constexpr int kQ1FirstYear = 2000;
constexpr int kQ1LastYear = 2009;
constexpr int kArgentineFirstYear = 2000;
constexpr int kAverageDecimals = 6;

bool YearBetween(const Movie& movie, int first, int last) {
  return movie.year && *movie.year >= first && *movie.year <= last;
}

// Orders a before b when a's average is higher, or equal with a smaller id;
// `sign` -1 flips the comparison of averages to find the lowest instead.
bool RanksBefore(const RatedMovie& a, const RatedMovie& b, int sign) {
  const int order = CompareFractions(a.ratings.tenths, a.ratings.count,
                                     b.ratings.tenths, b.ratings.count);
  if (order != 0) return order * sign > 0;
  return a.id < b.id;
}

void KeepFirst(std::optional<RatedMovie>& kept, const RatedMovie& candidate,
               int sign) {
  if (!kept || RanksBefore(candidate, *kept, sign)) kept = candidate;
}

}  // namespace

bool HasCountry(const Movie& movie, std::string_view iso) {
  return std::find(movie.countries.begin(), movie.countries.end(), iso) !=
         movie.countries.end();
}

bool IsQ1Movie(const Movie& movie) {
  return YearBetween(movie, kQ1FirstYear, kQ1LastYear) &&
         HasCountry(movie, "AR") && HasCountry(movie, "ES");
}

Q1Entry MakeQ1Entry(const Movie& movie) {
  Q1Entry entry{movie.title, ""};
  for (std::size_t i = 0; i < movie.genres.size(); ++i) {
    if (i > 0) entry.genres += ',';
    entry.genres += movie.genres[i];
  }
  return entry;
}

std::string FormatQ1(std::vector<Q1Entry> entries) {
  std::sort(entries.begin(), entries.end());
  std::string text;
  for (const Q1Entry& entry : entries) {
    text += entry.title;
    text += '|';
    text += entry.genres;
    text += '\n';
  }
  return text;
}

void KeyedTotals::Add(std::string_view key, Int128 amount) {
  const auto found = totals_.find(key);
  if (found != totals_.end()) {
    found->second += amount;
  } else {
    totals_.emplace(std::string(key), amount);
  }
}

void KeyedTotals::Merge(const KeyedTotals& other) {
  for (const auto& [key, amount] : other.totals_) Add(key, amount);
}

std::vector<std::pair<std::string, Int128>> KeyedTotals::Top(
    std::size_t k) const {
  std::vector<std::pair<std::string, Int128>> ranked(totals_.begin(),
                                                     totals_.end());
  const auto before = [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return a.first < b.first;
  };
  const std::size_t kept = std::min(k, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + kept, ranked.end(),
                    before);
  ranked.resize(kept);
  return ranked;
}

std::string KeyedTotals::FormatTop(std::size_t k) const {
  std::string text;
  for (const auto& [key, total] : Top(k)) {
    text += key;
    text += '|';
    text += Int128ToString(total);
    text += '\n';
  }
  return text;
}

bool IsSingleCountry(const Movie& movie) { return movie.countries.size() == 1; }

void AddQ2Movie(const Movie& movie, KeyedTotals& budgets) {
  if (IsSingleCountry(movie)) budgets.Add(movie.countries[0], movie.budget);
}

bool IsArgentineSince2000(const Movie& movie) {
  return movie.year && *movie.year >= kArgentineFirstYear &&
         HasCountry(movie, "AR");
}

void AddQ4Cast(const std::vector<std::string>& cast, KeyedTotals& counts) {
  std::set<std::string_view> seen;
  for (const std::string& name : cast) {
    if (!name.empty() && seen.insert(name).second) counts.Add(name, 1);
  }
}

void Q3Extremes::Add(const RatedMovie& movie) {
  if (movie.ratings.count <= 0) return;
  KeepFirst(highest_, movie, 1);
  KeepFirst(lowest_, movie, -1);
}

void Q3Extremes::Merge(const Q3Extremes& other) {
  if (other.highest_) KeepFirst(highest_, *other.highest_, 1);
  if (other.lowest_) KeepFirst(lowest_, *other.lowest_, -1);
}

std::string FormatAverageRating(const RatingSum& sum) {
  return FormatQuotient(sum.tenths, Int128{sum.count} * 10, kAverageDecimals);
}

std::string Q3Extremes::Format() const {
  std::string text;
  for (const std::optional<RatedMovie>* movie : {&highest_, &lowest_}) {
    if (!*movie) continue;
    text += (*movie)->title;
    text += '|';
    text += FormatAverageRating((*movie)->ratings);
    text += '\n';
  }
  return text;
}

bool HasBudgetAndRevenue(const Movie& movie) {
  return movie.budget > 0 && movie.revenue > 0;
}

Int128 RatioNanos(int64_t revenue, int64_t budget) {
  return RoundedQuotient(Int128{revenue} * kRatioScale, budget);
}

void SentimentRatios::Add(Sentiment sentiment, Int128 ratio_nanos) {
  sums_[Index(sentiment)] += ratio_nanos;
  ++counts_[Index(sentiment)];
}

void SentimentRatios::AddTotal(Sentiment sentiment, Int128 sum,
                               int64_t count) {
  sums_[Index(sentiment)] += sum;
  counts_[Index(sentiment)] += count;
}

void SentimentRatios::Merge(const SentimentRatios& other) {
  for (int i = 0; i < 2; ++i) {
    sums_[i] += other.sums_[i];
    counts_[i] += other.counts_[i];
  }
}

std::string SentimentRatios::Format() const {
  std::string text;
  for (Sentiment sentiment : {Sentiment::kPositive, Sentiment::kNegative}) {
    const int i = Index(sentiment);
    text += SentimentName(sentiment);
    text += '|';
    text += counts_[i] == 0
                ? FormatQuotient(0, 1, kAverageDecimals)
                : FormatQuotient(sums_[i], Int128{counts_[i]} * kRatioScale,
                                 kAverageDecimals);
    text += '\n';
  }
  return text;
}

}  // namespace chancho::movies
