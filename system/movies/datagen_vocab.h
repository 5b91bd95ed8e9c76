#pragma once

#include <span>
#include <string_view>

namespace chancho::movies {

// The fixed word lists the data generator draws from. All text is ASCII or
// UTF-8; some entries hold commas, apostrophes and double quotes on
// purpose, so that the CSV and Python-literal quoting is exercised.

struct CountryInfo {
  std::string_view iso;
  std::string_view name;
  std::string_view language;  // ISO 639-1 of the usual original language
  int weight;                 // relative frequency among random movies
};

struct GenreInfo {
  int id;
  std::string_view name;
};

struct LanguageInfo {
  std::string_view iso;
  std::string_view name;
};

struct Vocabulary {
  std::span<const CountryInfo> countries;
  std::span<const GenreInfo> genres;
  std::span<const LanguageInfo> languages;
  std::span<const std::string_view> title_adjectives;
  std::span<const std::string_view> title_nouns;
  std::span<const std::string_view> spanish_title_nouns;
  std::span<const std::string_view> spanish_title_adjectives;
  std::span<const std::string_view> first_names;
  std::span<const std::string_view> last_names;
  std::span<const std::string_view> spanish_first_names;
  std::span<const std::string_view> spanish_last_names;
  std::span<const std::string_view> company_words;
  std::span<const std::string_view> characters;
  std::span<const std::string_view> jobs;
  std::span<const std::string_view> taglines;
  // Overview sentences: each positive one scores > 0 with the lexicon,
  // each negative one < 0 and each neutral one exactly 0 (a unit test
  // checks it), so an overview's mood decides its sentiment.
  std::span<const std::string_view> positive_sentences;
  std::span<const std::string_view> negative_sentences;
  std::span<const std::string_view> neutral_sentences;
};

// The one vocabulary; immutable.
const Vocabulary& GetVocabulary();

}  // namespace chancho::movies
