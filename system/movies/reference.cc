#include "system/movies/reference.h"

#include <fstream>
#include <stdexcept>

namespace chancho::movies {
namespace {

template <typename Parser, typename Consume>
FileStats ReadAll(std::istream& in, Consume consume) {
  TableReader<Parser> reader(in);
  typename Parser::Row row;
  while (reader.Next(row)) consume(row);
  return {std::string(Parser::kFileName), reader.stats()};
}

std::ifstream OpenInput(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  return in;
}

}  // namespace

void Reference::AddMovie(const Movie& movie) {
  if (IsQ1Movie(movie)) q1_.push_back(MakeQ1Entry(movie));
  AddQ2Movie(movie, q2_);
  if (IsArgentineSince2000(movie)) {
    argentine_[movie.id] = RatedMovie{movie.id, movie.title, {}};
  }
  if (HasBudgetAndRevenue(movie)) {
    q5_.Add(scorer_.Classify(movie.overview),
            RatioNanos(movie.revenue, movie.budget));
  }
}

void Reference::AddCredit(const Credit& credit) {
  if (argentine_.contains(credit.movie_id)) AddQ4Cast(credit.cast, q4_);
}

void Reference::AddRating(const Rating& rating) {
  const auto found = argentine_.find(rating.movie_id);
  if (found != argentine_.end()) found->second.ratings.Add(rating.tenths);
}

QueryResults Reference::Results() const {
  Q3Extremes q3;
  for (const auto& [id, movie] : argentine_) q3.Add(movie);
  return {FormatQ1(q1_), q2_.FormatTop(kQ2Top), q3.Format(),
          q4_.FormatTop(kQ4Top), q5_.Format()};
}

ReferenceRun RunReference(std::istream& movies, std::istream& credits,
                          std::istream& ratings) {
  Reference reference;
  ReferenceRun run;
  run.files.push_back(ReadAll<MovieParser>(
      movies, [&](const Movie& row) { reference.AddMovie(row); }));
  run.files.push_back(ReadAll<CreditParser>(
      credits, [&](const Credit& row) { reference.AddCredit(row); }));
  run.files.push_back(ReadAll<RatingParser>(
      ratings, [&](const Rating& row) { reference.AddRating(row); }));
  run.results = reference.Results();
  return run;
}

ReferenceRun RunReference(const std::filesystem::path& data_dir) {
  std::ifstream movies = OpenInput(data_dir / MovieParser::kFileName);
  std::ifstream credits = OpenInput(data_dir / CreditParser::kFileName);
  std::ifstream ratings = OpenInput(data_dir / RatingParser::kFileName);
  return RunReference(movies, credits, ratings);
}

void WriteResults(const QueryResults& results,
                  const std::filesystem::path& out_dir) {
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) {
    throw std::runtime_error(out_dir.string() + ": " + error.message());
  }
  for (int i = 0; i < kQueryCount; ++i) {
    const std::filesystem::path path =
        out_dir / ("query" + std::to_string(i + 1) + ".txt");
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << results[i];
    out.close();
    if (!out) throw std::runtime_error(path.string() + ": cannot write");
  }
}

}  // namespace chancho::movies
