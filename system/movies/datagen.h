#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace chancho::movies {

// A named size of generated dataset.
struct DatagenPreset {
  std::string_view name;
  int64_t movies = 0;            // usable movie rows
  int64_t ratings = 0;           // usable rating rows
  int64_t ratings_per_user = 0;  // on average
  int malformed_per_kind = 1;    // broken rows of each kind, per file
};

// "tiny" (200 movies, 3k ratings: unit tests), "small" (3000 movies, 100k
// ratings, a few MB: CI) or "large" (45k movies, 5.2M ratings:
// benchmarks). nullopt for any other name.
std::optional<DatagenPreset> FindPreset(std::string_view name);

// What was written. Records count CSV records after the header, broken ones
// included; `*_skipped` is how many of them a correct reader must skip
// (malformed rows, plus duplicated rows of movies and credits).
struct DatagenSummary {
  int64_t movie_records = 0;
  int64_t movie_skipped = 0;
  int64_t credit_records = 0;
  int64_t credit_skipped = 0;
  int64_t rating_records = 0;
  int64_t rating_skipped = 0;
  int64_t bytes = 0;  // of the three files together
};

// Writes movies_metadata.csv, credits.csv and ratings.csv into `out_dir`
// (created if missing, files replaced) in the format of Kaggle's "The
// Movies Dataset": same columns, list columns as Python literals, quoted
// multi-line overviews, and a few broken rows like the real files have
// (a row split by a raw newline so that its id column holds a date, rows
// with missing columns, a date as id, a bad literal, a bad number,
// duplicated rows).
//
// The same preset and seed give byte-identical files on any platform. Every
// query has a non-trivial answer: each block of 40 movies holds an AR+ES
// co-production of the 2000s, two rated Argentine movies since 2000 with
// credits, and movies with budget and revenue of each overview sentiment.
//
// Memory is proportional to the number of movies, not ratings: rows are
// streamed to the files. Throws std::runtime_error naming the file when one
// cannot be written.
DatagenSummary GenerateDataset(const DatagenPreset& preset, uint64_t seed,
                               const std::filesystem::path& out_dir);

}  // namespace chancho::movies
