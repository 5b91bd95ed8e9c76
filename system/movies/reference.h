#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <unordered_map>
#include <vector>

#include "system/movies/model.h"
#include "system/movies/queries.h"
#include "system/movies/sentiment.h"
#include "system/movies/table_reader.h"

namespace chancho::movies {

inline constexpr int kQueryCount = 5;
using QueryResults = std::array<std::string, kQueryCount>;  // [0] is Q1

// The single-process reference of the five queries: no broker, no
// distribution, the same query logic (queries.h) the pipeline uses.
//
// Feed it every movie first, then credits and ratings (the order of the
// files, and of the client's upload): a credit or rating only joins a movie
// already added. Not thread-safe.
class Reference {
 public:
  void AddMovie(const Movie& movie);
  void AddCredit(const Credit& credit);
  void AddRating(const Rating& rating);

  // The text of query1.txt .. query5.txt.
  QueryResults Results() const;

 private:
  SentimentScorer scorer_;
  std::vector<Q1Entry> q1_;
  KeyedTotals q2_;
  // Argentine movies since 2000, the join side of Q3 and Q4, by id.
  std::unordered_map<int64_t, RatedMovie> argentine_;
  KeyedTotals q4_;
  SentimentRatios q5_;
};

// What was read from one file.
struct FileStats {
  std::string file;
  ReadStats stats;
};

struct ReferenceRun {
  QueryResults results;
  std::vector<FileStats> files;  // movies, credits, ratings
};

// Runs the reference over the three streams, which hold the contents of
// movies_metadata.csv, credits.csv and ratings.csv. Throws
// std::runtime_error when a file has no usable header.
ReferenceRun RunReference(std::istream& movies, std::istream& credits,
                          std::istream& ratings);

// The same over DIR/movies_metadata.csv, DIR/credits.csv, DIR/ratings.csv.
// Throws std::runtime_error "<path>: cannot open" when a file is missing.
ReferenceRun RunReference(const std::filesystem::path& data_dir);

// Writes DIR/query1.txt .. DIR/query5.txt, creating DIR. Throws
// std::runtime_error naming the file when one cannot be written.
void WriteResults(const QueryResults& results,
                  const std::filesystem::path& out_dir);

}  // namespace chancho::movies
