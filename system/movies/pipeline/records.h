#pragma once

// The payloads of pipeline messages, one encoding per record type (wire.h).
// A data message carries a list of records of the type its stream implies;
// the partial aggregates of queries.h travel whole. Decode functions throw
// WireError on malformed bytes.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "system/movies/model.h"
#include "system/movies/pipeline/wire.h"
#include "system/movies/queries.h"

namespace chancho::movies {

// A rating as it travels from the client-handler to join-movie-ratings: the
// movie and the rating. No query reads the user id, and ratings are most of
// the bytes the broker carries.
struct MovieRating {
  std::int64_t movie_id = 0;
  int tenths = 0;
  bool operator==(const MovieRating&) const = default;
};

// A key and an amount: (country, budget) into group-by-country-sum,
// (actor, 1) into group-by-actor-count.
struct KeyedAmount {
  std::string key;
  Int128 amount = 0;
  bool operator==(const KeyedAmount&) const = default;
};

void Put(Writer& w, const Movie& movie);
void Get(Reader& r, Movie& movie);
void Put(Writer& w, const Credit& credit);
void Get(Reader& r, Credit& credit);
void Put(Writer& w, const MovieRating& rating);
void Get(Reader& r, MovieRating& rating);
void Put(Writer& w, const KeyedAmount& amount);
void Get(Reader& r, KeyedAmount& amount);
void Put(Writer& w, const RatedMovie& movie);
void Get(Reader& r, RatedMovie& movie);
void Put(Writer& w, const Q1Entry& entry);
void Get(Reader& r, Q1Entry& entry);
void Put(Writer& w, const KeyedTotals& totals);
void Get(Reader& r, KeyedTotals& totals);
void Put(Writer& w, const Q3Extremes& extremes);
void Get(Reader& r, Q3Extremes& extremes);
void Put(Writer& w, const SentimentRatios& ratios);
void Get(Reader& r, SentimentRatios& ratios);

template <typename T>
std::string EncodeList(const std::vector<T>& items) {
  Writer w;
  w.U64(items.size());
  for (const T& item : items) Put(w, item);
  return w.Take();
}

template <typename T>
std::vector<T> DecodeList(std::string_view bytes) {
  Reader r(bytes);
  std::vector<T> items(r.Count());
  for (T& item : items) Get(r, item);
  r.ExpectEnd();
  return items;
}

template <typename T>
std::string EncodeOne(const T& value) {
  Writer w;
  Put(w, value);
  return w.Take();
}

template <typename T>
T DecodeOne(std::string_view bytes) {
  Reader r(bytes);
  T value;
  Get(r, value);
  r.ExpectEnd();
  return value;
}

}  // namespace chancho::movies
