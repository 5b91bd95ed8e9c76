#include "system/movies/datagen_rows.h"

#include <algorithm>
#include <utility>

#include "system/movies/python_literal.h"

namespace chancho::movies {
namespace {

constexpr int kSpanishActorPool = 40;
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kHexDigits = "0123456789abcdef";

// "{'a': 1, 'b': 'x'}" from keys and already-rendered literal values.
std::string DictLiteral(
    std::initializer_list<std::pair<std::string_view, std::string>> entries) {
  std::string text = "{";
  for (const auto& [key, value] : entries) {
    if (text.size() > 1) text += ", ";
    text += PyRepr(key);
    text += ": ";
    text += value;
  }
  return text + "}";
}

std::string ListLiteral(const std::vector<std::string>& items) {
  std::string text = "[";
  for (const std::string& item : items) {
    if (text.size() > 1) text += ", ";
    text += item;
  }
  return text + "]";
}

std::string ZeroPadded(int64_t value, std::size_t width) {
  std::string text = std::to_string(value);
  if (text.size() < width) text.insert(0, width - text.size(), '0');
  return text;
}

std::vector<std::string> SplitColumns(std::string_view header) {
  std::vector<std::string> names;
  std::size_t start = 0;
  for (std::size_t comma;
       (comma = header.find(',', start)) != std::string_view::npos;
       start = comma + 1) {
    names.emplace_back(header.substr(start, comma - start));
  }
  names.emplace_back(header.substr(start));
  return names;
}

}  // namespace

const std::vector<std::string>& MovieColumnNames() {
  static const std::vector<std::string> kNames = SplitColumns(
      "adult,belongs_to_collection,budget,genres,homepage,id,imdb_id,"
      "original_language,original_title,overview,popularity,poster_path,"
      "production_companies,production_countries,release_date,revenue,"
      "runtime,spoken_languages,status,tagline,title,video,vote_average,"
      "vote_count");
  return kNames;
}

const std::vector<std::string>& CreditColumnNames() {
  static const std::vector<std::string> kNames = SplitColumns("cast,crew,id");
  return kNames;
}

const std::vector<std::string>& RatingColumnNames() {
  static const std::vector<std::string> kNames =
      SplitColumns("userId,movieId,rating,timestamp");
  return kNames;
}

std::string TenthsText(int64_t tenths) {
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
}

RowFactory::RowFactory(Random& random)
    : random_(random), vocabulary_(GetVocabulary()) {
  for (const CountryInfo& country : vocabulary_.countries) {
    total_weight_ += country.weight;
  }
  // Bounded: the name lists allow far more distinct pairs than needed.
  for (int attempt = 0;
       attempt < 100 * kSpanishActorPool &&
       static_cast<int>(spanish_actors_.size()) < kSpanishActorPool;
       ++attempt) {
    std::string name = PersonName(true);
    if (std::find(spanish_actors_.begin(), spanish_actors_.end(), name) ==
        spanish_actors_.end()) {
      spanish_actors_.push_back(std::move(name));
    }
  }
}

const CountryInfo* RowFactory::Country(std::string_view iso) {
  for (const CountryInfo& country : vocabulary_.countries) {
    if (country.iso == iso) return &country;
  }
  return &vocabulary_.countries[0];
}

const CountryInfo* RowFactory::WeightedCountry() {
  int64_t left = random_.Between(0, total_weight_ - 1);
  for (const CountryInfo& country : vocabulary_.countries) {
    left -= country.weight;
    if (left < 0) return &country;
  }
  return &vocabulary_.countries[0];
}

MoviePlan RowFactory::RandomPlan(int64_t id) {
  MoviePlan plan;
  plan.id = id;
  const uint64_t shape = random_.Below(100);
  const int count = shape < 5 ? 0 : shape < 70 ? 1 : shape < 90 ? 2 : 3;
  for (int i = 0; i < count; ++i) {
    const CountryInfo* country = WeightedCountry();
    if (std::find(plan.countries.begin(), plan.countries.end(), country) ==
        plan.countries.end()) {
      plan.countries.push_back(country);
    }
  }
  plan.year =
      random_.Percent(1) ? 0 : 2017 - static_cast<int>(random_.Skewed(88));
  // One draw per statement throughout: the operands of + are evaluated in
  // an unspecified order, and the data must not depend on the compiler's.
  if (random_.Percent(55)) {
    if (random_.Percent(1)) {
      plan.budget = random_.Between(1, 100);
    } else {
      plan.budget = random_.Between(1, 3000) * 10000;
      if (random_.Percent(10)) plan.budget += random_.Between(1, 9999);
    }
  }
  if (plan.budget > 0 && random_.Percent(65)) {
    plan.revenue = plan.budget * random_.Between(5, 1200) / 100;
    plan.revenue += random_.Between(0, 99999);
  } else if (plan.budget == 0 && random_.Percent(5)) {
    plan.revenue = random_.Between(1000, 10'000'000);
  }
  plan.positive = random_.Percent(50);
  plan.empty_overview = random_.Percent(2);
  plan.argentine = std::any_of(
      plan.countries.begin(), plan.countries.end(),
      [](const CountryInfo* country) { return country->iso == "AR"; });
  plan.rated = random_.Percent(92);
  plan.quality = static_cast<int>(random_.Between(2, 9));
  plan.has_credits = random_.Percent(97);
  return plan;
}

std::vector<std::string> RowFactory::MovieFields(const MoviePlan& plan) {
  const bool spanish =
      !plan.countries.empty() && plan.countries[0]->language == "es";
  const std::string title = Title(spanish);
  std::vector<std::string> fields;
  fields.reserve(MovieColumnNames().size());
  fields.push_back("False");
  fields.push_back(random_.Percent(10) ? CollectionLiteral() : "");
  fields.push_back(std::to_string(plan.budget));
  fields.push_back(GenresLiteral());
  fields.push_back(
      random_.Percent(20) ? "http://www.example.com/movie/" + HexId(8) : "");
  fields.push_back(std::to_string(plan.id));
  fields.push_back("tt" + ZeroPadded(random_.Between(1, 9'999'999), 7));
  fields.push_back(
      plan.countries.empty() ? "en" : std::string(plan.countries[0]->language));
  fields.push_back(title);
  fields.push_back(plan.empty_overview ? "" : Overview(plan.positive));
  const int64_t popularity = random_.Between(1, 50'000'000);
  fields.push_back(std::to_string(popularity / 1'000'000) + "." +
                   ZeroPadded(popularity % 1'000'000, 6));
  fields.push_back(ImagePath());
  fields.push_back(CompaniesLiteral(spanish));
  fields.push_back(CountriesLiteral(plan));
  fields.push_back(plan.year == 0 ? "" : Date(plan.year));
  fields.push_back(std::to_string(plan.revenue) + ".0");
  fields.push_back(std::to_string(random_.Between(60, 180)) + ".0");
  fields.push_back(LanguagesLiteral(plan));
  fields.push_back(random_.Percent(2) ? "Post Production" : "Released");
  fields.push_back(random_.Percent(30)
                       ? std::string(random_.Pick(vocabulary_.taglines))
                       : "");
  fields.push_back(title);
  fields.push_back("False");
  fields.push_back(TenthsText(random_.Between(0, 100)));
  fields.push_back(std::to_string(random_.Between(0, 5000)) + ".0");
  return fields;
}

std::vector<std::string> RowFactory::CreditFields(const MoviePlan& plan) {
  std::string cast = CastLiteral(plan);
  return {std::move(cast), CrewLiteral(), std::to_string(plan.id)};
}

std::string RowFactory::Overview(bool positive) {
  const auto& mood = positive ? vocabulary_.positive_sentences
                              : vocabulary_.negative_sentences;
  std::vector<std::string_view> sentences;
  const int64_t count = random_.Between(1, 3);
  for (int64_t i = 0; i < count; ++i) sentences.push_back(random_.Pick(mood));
  if (random_.Percent(50)) {
    const auto at =
        static_cast<std::ptrdiff_t>(random_.Below(sentences.size() + 1));
    sentences.insert(sentences.begin() + at,
                     random_.Pick(vocabulary_.neutral_sentences));
  }
  std::string text;
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    if (i > 0) {
      const uint64_t gap = random_.Below(100);
      text += gap < 12 ? ".\n" : gap < 15 ? ".\r\n" : ". ";
    }
    text += sentences[i];
  }
  return text + ".";
}

std::string RowFactory::Title(bool spanish) {
  const Vocabulary& v = vocabulary_;
  if (spanish) {
    const std::string noun(random_.Pick(v.spanish_title_nouns));
    switch (random_.Below(4)) {
      case 0:
        return "La " + noun + " " +
               std::string(random_.Pick(v.spanish_title_adjectives));
      case 1:
        return "¡" + noun + "!";
      case 2:
        return "el último " + noun;
      default:
        return noun + ", " + std::string(random_.Pick(v.title_nouns));
    }
  }
  const std::string adjective(random_.Pick(v.title_adjectives));
  const std::string noun(random_.Pick(v.title_nouns));
  switch (random_.Below(10)) {
    case 0:
      return noun + " of the " + std::string(random_.Pick(v.title_nouns));
    case 1:
      return adjective + " " + noun + " 2";
    case 2:
      return std::string(random_.Pick(v.first_names)) + "'s " + noun;
    case 3:
      return noun + ", " + adjective + " and Free";
    case 4:
      return "The \"" + noun + "\" Affair";
    case 5:
      return "a " + noun + " in Winter";
    default:
      return "The " + adjective + " " + noun;
  }
}

std::string RowFactory::Date(int year) {
  const int64_t month = random_.Between(1, 12);
  const int64_t day = random_.Between(1, 28);
  return ZeroPadded(year, 4) + "-" + ZeroPadded(month, 2) + "-" +
         ZeroPadded(day, 2);
}

std::string RowFactory::PersonName(bool spanish) {
  const Vocabulary& v = vocabulary_;
  std::string name(
      random_.Pick(spanish ? v.spanish_first_names : v.first_names));
  name += ' ';
  name += random_.Pick(spanish ? v.spanish_last_names : v.last_names);
  return name;
}

std::string RowFactory::HexId(int length) {
  std::string text;
  for (int i = 0; i < length; ++i) text += random_.Pick(kHexDigits);
  return text;
}

std::string RowFactory::ImagePath() {
  std::string path = "/";
  for (int i = 0; i < 27; ++i) path += random_.Pick(kAlphabet);
  return path + ".jpg";
}

std::string RowFactory::GenresLiteral() {
  std::vector<const GenreInfo*> chosen;
  const int64_t count = random_.Between(0, 4);
  for (int64_t i = 0; i < count; ++i) {
    const GenreInfo* genre = &random_.Pick(vocabulary_.genres);
    if (std::find(chosen.begin(), chosen.end(), genre) == chosen.end()) {
      chosen.push_back(genre);
    }
  }
  std::vector<std::string> items;
  for (const GenreInfo* genre : chosen) {
    items.push_back(DictLiteral(
        {{"id", std::to_string(genre->id)}, {"name", PyRepr(genre->name)}}));
  }
  return ListLiteral(items);
}

std::string RowFactory::CompaniesLiteral(bool spanish) {
  std::vector<std::string> items;
  const int64_t count = random_.Between(0, 3);
  for (int64_t i = 0; i < count; ++i) {
    const std::string name =
        std::string(random_.Pick(vocabulary_.company_words)) +
        (spanish ? " Producciones" : " Pictures");
    items.push_back(
        DictLiteral({{"name", PyRepr(name)},
                     {"id", std::to_string(random_.Between(1, 90000))}}));
  }
  return ListLiteral(items);
}

std::string RowFactory::CountriesLiteral(const MoviePlan& plan) {
  std::vector<std::string> items;
  for (const CountryInfo* country : plan.countries) {
    items.push_back(DictLiteral({{"iso_3166_1", PyRepr(country->iso)},
                                 {"name", PyRepr(country->name)}}));
  }
  return ListLiteral(items);
}

std::string RowFactory::LanguagesLiteral(const MoviePlan& plan) {
  std::vector<std::string_view> codes;
  for (const CountryInfo* country : plan.countries) {
    if (std::find(codes.begin(), codes.end(), country->language) ==
        codes.end()) {
      codes.push_back(country->language);
    }
  }
  std::vector<std::string> items;
  for (std::string_view code : codes) {
    for (const LanguageInfo& language : vocabulary_.languages) {
      if (language.iso != code) continue;
      items.push_back(DictLiteral({{"iso_639_1", PyRepr(language.iso)},
                                   {"name", PyRepr(language.name)}}));
    }
  }
  return ListLiteral(items);
}

std::string RowFactory::CollectionLiteral() {
  return DictLiteral(
      {{"id", std::to_string(random_.Between(10, 500000))},
       {"name",
        PyRepr("The " + std::string(random_.Pick(vocabulary_.title_nouns)) +
               " Collection")},
       {"poster_path", random_.Percent(70) ? PyRepr(ImagePath()) : "None"},
       {"backdrop_path", "None"}});
}

std::string RowFactory::CastLiteral(const MoviePlan& plan) {
  if (random_.Percent(3)) return "[]";
  std::vector<std::string> names;
  const int64_t count =
      plan.argentine ? random_.Between(3, 7) : random_.Between(2, 6);
  for (int64_t i = 0; i < count; ++i) {
    if (plan.argentine && !random_.Percent(20)) {
      names.push_back(spanish_actors_[random_.Skewed(spanish_actors_.size())]);
    } else {
      names.push_back(PersonName(false));
    }
  }
  // One actor in two roles, as the real data has.
  if (random_.Percent(5)) names.push_back(names.front());
  std::vector<std::string> items;
  for (std::size_t i = 0; i < names.size(); ++i) {
    items.push_back(DictLiteral(
        {{"cast_id", std::to_string(random_.Between(1, 200))},
         {"character", PyRepr(random_.Pick(vocabulary_.characters))},
         {"credit_id", PyRepr(HexId(24))},
         {"gender", std::to_string(random_.Between(0, 2))},
         {"id", std::to_string(random_.Between(1, 1'900'000))},
         {"name", PyRepr(names[i])},
         {"order", std::to_string(i)},
         {"profile_path",
          random_.Percent(60) ? PyRepr(ImagePath()) : "None"}}));
  }
  return ListLiteral(items);
}

std::string RowFactory::CrewLiteral() {
  std::vector<std::string> items;
  const int64_t count = random_.Between(1, 2);
  for (int64_t i = 0; i < count; ++i) {
    items.push_back(
        DictLiteral({{"credit_id", PyRepr(HexId(24))},
                     {"department", PyRepr("Crew")},
                     {"gender", std::to_string(random_.Between(0, 2))},
                     {"id", std::to_string(random_.Between(1, 1'900'000))},
                     {"job", PyRepr(random_.Pick(vocabulary_.jobs))},
                     {"name", PyRepr(PersonName(random_.Percent(30)))},
                     {"profile_path", "None"}}));
  }
  return ListLiteral(items);
}

}  // namespace chancho::movies
