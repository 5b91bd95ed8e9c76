#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "system/movies/datagen_vocab.h"
#include "system/movies/random.h"

namespace chancho::movies {

// The column names of the three Kaggle files, in their order.
const std::vector<std::string>& MovieColumnNames();
const std::vector<std::string>& CreditColumnNames();
const std::vector<std::string>& RatingColumnNames();

// What the generator decided about one movie before writing its rows.
struct MoviePlan {
  int64_t id = 0;
  std::vector<const CountryInfo*> countries;
  int year = 0;  // 0: empty release_date
  int64_t budget = 0;
  int64_t revenue = 0;
  bool positive = true;  // mood of the overview
  bool empty_overview = false;
  bool argentine = false;  // cast drawn mostly from the Spanish-name pool
  bool rated = true;       // receives ratings
  int quality = 6;         // typical rating, in half stars (1..10)
  bool has_credits = true;
};

// Turns plans into the fields of Kaggle-format rows: every column filled
// the way the real files fill it, list columns as Python reprs.
// Deterministic for a given Random state; not thread-safe.
class RowFactory {
 public:
  explicit RowFactory(Random& random);

  // A plan for a random movie with the given id (no forced properties).
  MoviePlan RandomPlan(int64_t id);

  // The 24 fields of a movies_metadata.csv row.
  std::vector<std::string> MovieFields(const MoviePlan& plan);
  // The 3 fields of a credits.csv row.
  std::vector<std::string> CreditFields(const MoviePlan& plan);

  // An overview of 1 to 4 sentences in the given mood, some on several
  // lines. Lexicon words come only from the mood's sentences.
  std::string Overview(bool positive);

  // Draws a country: by weight, or Argentina/Spain when named.
  const CountryInfo* Country(std::string_view iso);
  const CountryInfo* WeightedCountry();

 private:
  std::string Title(bool spanish);
  std::string Date(int year);
  std::string PersonName(bool spanish);
  std::string HexId(int length);
  std::string ImagePath();
  std::string GenresLiteral();
  std::string CompaniesLiteral(bool spanish);
  std::string CountriesLiteral(const MoviePlan& plan);
  std::string LanguagesLiteral(const MoviePlan& plan);
  std::string CollectionLiteral();
  std::string CastLiteral(const MoviePlan& plan);
  std::string CrewLiteral();

  Random& random_;
  const Vocabulary& vocabulary_;
  int total_weight_ = 0;
  // The actors of Argentine movies: a small fixed pool, so that actors
  // recur across movies and Q4 has real counts and ties.
  std::vector<std::string> spanish_actors_;
};

// "12.5" style text for a value in tenths; "4.0" for 40.
std::string TenthsText(int64_t tenths);

}  // namespace chancho::movies
