#include "system/movies/pipeline/records.h"

namespace chancho::movies {

void Put(Writer& w, const Movie& movie) {
  w.I64(movie.id);
  w.Str(movie.title);
  w.StrList(movie.genres);
  w.StrList(movie.countries);
  w.I64(movie.year ? *movie.year : -1);
  w.I64(movie.budget);
  w.I64(movie.revenue);
  w.Str(movie.overview);
}

void Get(Reader& r, Movie& movie) {
  movie.id = r.I64();
  movie.title = r.Str();
  movie.genres = r.StrList();
  movie.countries = r.StrList();
  const int64_t year = r.I64();
  if (year == -1) {
    movie.year.reset();
  } else {
    movie.year = static_cast<int>(year);
  }
  movie.budget = r.I64();
  movie.revenue = r.I64();
  movie.overview = r.Str();
}

void Put(Writer& w, const Credit& credit) {
  w.I64(credit.movie_id);
  w.StrList(credit.cast);
}

void Get(Reader& r, Credit& credit) {
  credit.movie_id = r.I64();
  credit.cast = r.StrList();
}

void Put(Writer& w, const MovieRating& rating) {
  w.I64(rating.movie_id);
  w.I64(rating.tenths);
}

void Get(Reader& r, MovieRating& rating) {
  rating.movie_id = r.I64();
  rating.tenths = static_cast<int>(r.I64());
}

void Put(Writer& w, const KeyedAmount& amount) {
  w.Str(amount.key);
  w.I128(amount.amount);
}

void Get(Reader& r, KeyedAmount& amount) {
  amount.key = r.Str();
  amount.amount = r.I128();
}

void Put(Writer& w, const RatedMovie& movie) {
  w.I64(movie.id);
  w.Str(movie.title);
  w.I64(movie.ratings.tenths);
  w.I64(movie.ratings.count);
}

void Get(Reader& r, RatedMovie& movie) {
  movie.id = r.I64();
  movie.title = r.Str();
  movie.ratings.tenths = r.I64();
  movie.ratings.count = r.I64();
}

void Put(Writer& w, const Q1Entry& entry) {
  w.Str(entry.title);
  w.Str(entry.genres);
}

void Get(Reader& r, Q1Entry& entry) {
  entry.title = r.Str();
  entry.genres = r.Str();
}

void Put(Writer& w, const KeyedTotals& totals) {
  w.U64(totals.totals().size());
  for (const auto& [key, total] : totals.totals()) {
    w.Str(key);
    w.I128(total);
  }
}

void Get(Reader& r, KeyedTotals& totals) {
  totals = KeyedTotals();
  for (std::size_t n = r.Count(); n > 0; --n) {
    const std::string key = r.Str();
    // A key appears once in an encoding (it comes from a map); a repeat
    // could only be garbage, and adding it could overflow.
    if (totals.totals().contains(key)) throw WireError("repeated key");
    totals.Add(key, r.I128());
  }
}

namespace {

void PutOptional(Writer& w, const std::optional<RatedMovie>& movie) {
  w.U64(movie ? 1 : 0);
  if (movie) Put(w, *movie);
}

}  // namespace

void Put(Writer& w, const Q3Extremes& extremes) {
  PutOptional(w, extremes.highest());
  PutOptional(w, extremes.lowest());
}

// Adding the highest and the lowest movie back gives the same extremes: the
// highest stays highest, the lowest lowest, and a tie between the two means
// they are one movie.
void Get(Reader& r, Q3Extremes& extremes) {
  extremes = Q3Extremes();
  for (int i = 0; i < 2; ++i) {
    const std::uint64_t present = r.U64();
    if (present > 1) throw WireError("bad optional flag");
    if (present == 1) {
      RatedMovie movie;
      Get(r, movie);
      if (movie.ratings.count <= 0) throw WireError("movie without ratings");
      extremes.Add(movie);
    }
  }
}

void Put(Writer& w, const SentimentRatios& ratios) {
  for (Sentiment s : {Sentiment::kPositive, Sentiment::kNegative}) {
    w.I128(ratios.sum(s));
    w.I64(ratios.count(s));
  }
}

void Get(Reader& r, SentimentRatios& ratios) {
  ratios = SentimentRatios();
  for (Sentiment s : {Sentiment::kPositive, Sentiment::kNegative}) {
    const Int128 sum = r.I128();
    const int64_t count = r.I64();
    if (count < 0) throw WireError("negative count");
    ratios.AddTotal(s, sum, count);
  }
}

}  // namespace chancho::movies
