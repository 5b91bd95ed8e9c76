#include "system/movies/datagen.h"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "system/movies/csv.h"
#include "system/movies/datagen_rows.h"
#include "system/movies/random.h"
#include "system/movies/record_file.h"

namespace chancho::movies {
namespace {

constexpr DatagenPreset kPresets[] = {
    {"tiny", 200, 3'000, 30, 1},
    {"small", 3'000, 100'000, 50, 2},
    {"large", 45'000, 5'200'000, 100, 3},
};

// Every block of kBlock movies starts with movies of fixed roles, so that
// each query has answers whatever the seed; the rest are random.
constexpr int64_t kBlock = 40;
enum class Role {
  kRandom,
  kCoProduction,       // AR+ES, 2000-2009: Q1
  kArgentineAlone,     // AR only, since 2000, budget: Q2, Q3, Q4
  kArgentineWithMore,  // AR and another country, since 2000: Q3, Q4
  kPositiveMoney,      // budget and revenue, positive overview: Q5
  kNegativeMoney,      // budget and revenue, negative overview: Q5
  kCoProductionOff,    // AR+ES outside 2000-2009: must not be in Q1
  kArgentineOld,       // AR before 2000, rated, with cast: not in Q3, Q4
};
constexpr Role kBlockRoles[] = {
    Role::kCoProduction,  Role::kArgentineAlone, Role::kArgentineWithMore,
    Role::kPositiveMoney, Role::kNegativeMoney,  Role::kCoProductionOff,
    Role::kArgentineOld,
};

enum class Broken {
  kSplitRow,        // raw newline in the overview: 2 records, date as id
  kDateId,          // movies and credits
  kMissingColumns,  // all three files
  kBadLiteral,      // movies (genres) and credits (cast)
  kBadNumber,       // movies (budget) and ratings (rating)
  kBadMovieId,      // ratings
};
constexpr Broken kBrokenMovies[] = {Broken::kSplitRow, Broken::kDateId,
                                    Broken::kMissingColumns,
                                    Broken::kBadLiteral, Broken::kBadNumber};
constexpr Broken kBrokenCredits[] = {Broken::kDateId, Broken::kMissingColumns,
                                     Broken::kBadLiteral};
constexpr Broken kBrokenRatings[] = {
    Broken::kBadNumber, Broken::kMissingColumns, Broken::kBadMovieId};

void AppendNumber(std::string& out, int64_t value) {
  char text[24];
  const auto end = std::to_chars(text, text + sizeof(text), value).ptr;
  out.append(text, end);
}

Role RoleOf(int64_t index) {
  const int64_t slot = index % kBlock;
  return slot < static_cast<int64_t>(std::size(kBlockRoles)) ? kBlockRoles[slot]
                                                             : Role::kRandom;
}

MoviePlan PlanMovie(RowFactory& factory, Random& random, int64_t id,
                    Role role) {
  MoviePlan plan = factory.RandomPlan(id);
  const CountryInfo* argentina = factory.Country("AR");
  const CountryInfo* spain = factory.Country("ES");
  switch (role) {
    case Role::kRandom:
      return plan;
    case Role::kCoProduction:
    case Role::kCoProductionOff:
      plan.countries = {argentina, spain};
      if (random.Percent(30)) plan.countries.push_back(factory.Country("IT"));
      plan.year = role == Role::kCoProduction
                      ? static_cast<int>(random.Between(2000, 2009))
                      : (random.Percent(50)
                             ? static_cast<int>(random.Between(1985, 1999))
                             : static_cast<int>(random.Between(2010, 2017)));
      break;
    case Role::kArgentineAlone:
      plan.countries = {argentina};
      plan.year = static_cast<int>(random.Between(2000, 2017));
      if (plan.budget == 0) plan.budget = random.Between(10, 900) * 10000;
      break;
    case Role::kArgentineWithMore:
      plan.countries = {argentina, factory.WeightedCountry()};
      if (plan.countries[1] == argentina) plan.countries[1] = spain;
      plan.year = static_cast<int>(random.Between(2000, 2017));
      break;
    case Role::kArgentineOld:
      plan.countries = {argentina};
      plan.year = static_cast<int>(random.Between(1960, 1999));
      break;
    case Role::kPositiveMoney:
    case Role::kNegativeMoney:
      if (plan.budget == 0) plan.budget = random.Between(1, 2000) * 10000;
      if (plan.revenue == 0) {
        plan.revenue = plan.budget * random.Between(10, 800) / 100;
      }
      plan.positive = role == Role::kPositiveMoney;
      plan.empty_overview = false;
      return plan;
  }
  plan.argentine = true;
  plan.rated = true;
  plan.has_credits = true;
  return plan;
}

// A movies_metadata.csv row broken like the real file's worst rows.
void WriteBrokenMovie(Broken kind, MoviePlan plan, RowFactory& factory,
                      RecordFile& file) {
  if (kind == Broken::kSplitRow) plan.year = 1997;
  std::vector<std::string> fields = factory.MovieFields(plan);
  switch (kind) {
    case Broken::kSplitRow: {
      // The overview went out unquoted with a raw newline: readers see a
      // 10-field record, then one whose "id" column is the release date.
      std::string& out = file.buffer();
      for (std::size_t i = 0; i < 9; ++i) {
        AppendCsvField(out, fields[i]);
        out += ',';
      }
      out += "A quiet farmer watches the storm\n - Written by Ørnås";
      for (std::size_t i = 10; i < fields.size(); ++i) {
        out += ',';
        AppendCsvField(out, fields[i]);
      }
      out += '\n';
      file.Written(2);
      file.Skipped(2);
      return;
    }
    case Broken::kDateId:
      fields[5] = "2012-09-29";
      break;
    case Broken::kMissingColumns:
      fields.resize(12);
      break;
    case Broken::kBadLiteral:
      fields[3] = "[{'id': 16, 'name': 'Animation'}";
      break;
    default:
      fields[2] = "/ff9qCepilowshEtG2GYWwzt2bs4.jpg";
      break;
  }
  file.Record(fields);
  file.Skipped(1);
}

void WriteBrokenCredit(Broken kind, const MoviePlan& plan, RowFactory& factory,
                       RecordFile& file) {
  std::vector<std::string> fields = factory.CreditFields(plan);
  switch (kind) {
    case Broken::kDateId:
      fields[2] = "1997-08-20";
      break;
    case Broken::kMissingColumns:
      fields.resize(2);
      break;
    default:
      fields[0] = "[{'cast_id': 1, 'name': 'Unclosed}]";
      break;
  }
  file.Record(fields);
  file.Skipped(1);
}

// Positions (in [0, limit)) after which broken rows of each kind go.
std::vector<std::pair<int64_t, Broken>> BrokenPositions(Random& random,
                                                        const Broken* kinds,
                                                        std::size_t count,
                                                        int per_kind,
                                                        int64_t limit) {
  std::vector<std::pair<int64_t, Broken>> positions;
  for (std::size_t k = 0; k < count; ++k) {
    for (int i = 0; i < per_kind; ++i) {
      const auto at = static_cast<int64_t>(random.Below(limit));
      positions.emplace_back(at, kinds[k]);
    }
  }
  std::sort(positions.begin(), positions.end());
  return positions;
}

struct RatedMovieInfo {
  int64_t id;
  int quality;
};

void WriteRatings(const DatagenPreset& preset, Random& random,
                  const std::vector<RatedMovieInfo>& rated,
                  int64_t unknown_base, RecordFile& file) {
  const auto broken =
      BrokenPositions(random, kBrokenRatings, std::size(kBrokenRatings),
                      preset.malformed_per_kind, preset.ratings);
  std::size_t next_broken = 0;
  const auto max_per_user = static_cast<int64_t>(std::max<std::size_t>(
      1, std::min<std::size_t>(
             rated.size() / 2,
             static_cast<std::size_t>(2 * preset.ratings_per_user - 1))));
  std::vector<RatedMovieInfo> picks;
  int64_t written = 0;
  int64_t user = 1;
  while (written < preset.ratings) {
    const int64_t wanted =
        std::min(random.Between(1, max_per_user), preset.ratings - written);
    picks.clear();
    for (int64_t i = 0; i < wanted; ++i) {
      // Half uniform, half skewed towards the first movies: every rated
      // movie gets some ratings, and a few get very many.
      if (random.Below(1000) < 5) {
        picks.push_back({unknown_base + random.Between(0, 999),
                         static_cast<int>(random.Between(1, 10))});
      } else if (random.Percent(50)) {
        picks.push_back(rated[random.Below(rated.size())]);
      } else {
        picks.push_back(rated[random.Skewed(rated.size())]);
      }
    }
    std::sort(picks.begin(), picks.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    picks.erase(
        std::unique(picks.begin(), picks.end(),
                    [](const auto& a, const auto& b) { return a.id == b.id; }),
        picks.end());
    for (const RatedMovieInfo& movie : picks) {
      const int64_t half_stars =
          std::clamp<int64_t>(movie.quality + random.Between(-3, 3), 1, 10);
      const int64_t timestamp = random.Between(820'454'400, 1'501'545'600);
      std::string& out = file.buffer();
      AppendNumber(out, user);
      out += ',';
      AppendNumber(out, movie.id);
      out += ',';
      out += TenthsText(half_stars * 5);
      out += ',';
      AppendNumber(out, timestamp);
      out += '\n';
      file.Written(1);
      for (;
           next_broken < broken.size() && broken[next_broken].first == written;
           ++next_broken) {
        std::string row = std::to_string(user) + ",";
        switch (broken[next_broken].second) {
          case Broken::kBadNumber:
            row += std::to_string(movie.id) + ",4.25,";
            break;
          case Broken::kMissingColumns:
            row += std::to_string(movie.id) + ",3.0\n";
            break;
          default:
            row += "tt0114709,3.5,";
            break;
        }
        if (row.back() != '\n') row += std::to_string(timestamp) + "\n";
        file.Raw(row, 1);
        file.Skipped(1);
      }
      ++written;
    }
    user += random.Percent(10) ? random.Between(2, 6) : 1;
  }
}

}  // namespace

std::optional<DatagenPreset> FindPreset(std::string_view name) {
  for (const DatagenPreset& preset : kPresets) {
    if (preset.name == name) return preset;
  }
  return std::nullopt;
}

DatagenSummary GenerateDataset(const DatagenPreset& preset, uint64_t seed,
                               const std::filesystem::path& out_dir) {
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) {
    throw std::runtime_error(out_dir.string() + ": " + error.message());
  }
  Random random(seed);
  RowFactory factory(random);
  RecordFile movies(out_dir / "movies_metadata.csv");
  RecordFile credits(out_dir / "credits.csv");
  RecordFile ratings(out_dir / "ratings.csv");
  movies.Header(MovieColumnNames());
  credits.Header(CreditColumnNames());
  ratings.Header(RatingColumnNames());

  // Distinct ids in a random order, like the real file's.
  const int64_t n = preset.movies;
  std::vector<int64_t> ids(static_cast<std::size_t>(3 * n));
  std::iota(ids.begin(), ids.end(), 1);
  for (int64_t i = 0; i < n; ++i) {
    std::swap(ids[i], ids[i + static_cast<int64_t>(random.Below(3 * n - i))]);
  }
  int64_t next_spare_id = 3 * n + 1;
  const int64_t unknown_base = 3 * n + 100'000;

  const auto broken_movies =
      BrokenPositions(random, kBrokenMovies, std::size(kBrokenMovies),
                      preset.malformed_per_kind, n);
  const auto broken_credits =
      BrokenPositions(random, kBrokenCredits, std::size(kBrokenCredits),
                      preset.malformed_per_kind, n);
  std::size_t next_movie_break = 0;
  std::size_t next_credit_break = 0;

  std::vector<RatedMovieInfo> rated;
  std::string repeated_movies;
  std::string repeated_credits;
  int64_t repeats = 0;
  for (int64_t i = 0; i < n; ++i) {
    const Role role = RoleOf(i);
    const MoviePlan plan = PlanMovie(factory, random, ids[i], role);
    const std::vector<std::string> movie_fields = factory.MovieFields(plan);
    movies.Record(movie_fields);
    std::vector<std::string> credit_fields;
    if (plan.has_credits) {
      credit_fields = factory.CreditFields(plan);
      credits.Record(credit_fields);
    }
    if (plan.rated) rated.push_back({plan.id, plan.quality});
    // The first movies of a block have every property a duplicate could
    // wrongly count twice (Q1 line, Q2 budget, Q4 cast).
    if ((role == Role::kCoProduction || role == Role::kArgentineAlone) &&
        i / kBlock < preset.malformed_per_kind) {
      AppendCsvRecord(repeated_movies, movie_fields);
      AppendCsvRecord(repeated_credits, credit_fields);
      ++repeats;
    }
    for (; next_movie_break < broken_movies.size() &&
           broken_movies[next_movie_break].first == i;
         ++next_movie_break) {
      WriteBrokenMovie(broken_movies[next_movie_break].second,
                       factory.RandomPlan(next_spare_id++), factory, movies);
    }
    for (; next_credit_break < broken_credits.size() &&
           broken_credits[next_credit_break].first == i;
         ++next_credit_break) {
      WriteBrokenCredit(broken_credits[next_credit_break].second,
                        factory.RandomPlan(next_spare_id++), factory, credits);
    }
  }
  movies.Raw(repeated_movies, repeats);
  movies.Skipped(repeats);
  credits.Raw(repeated_credits, repeats);
  credits.Skipped(repeats);

  WriteRatings(preset, random, rated, unknown_base, ratings);

  movies.Close();
  credits.Close();
  ratings.Close();
  return {movies.records(),
          movies.skipped(),
          credits.records(),
          credits.skipped(),
          ratings.records(),
          ratings.skipped(),
          movies.bytes() + credits.bytes() + ratings.bytes()};
}

}  // namespace chancho::movies
