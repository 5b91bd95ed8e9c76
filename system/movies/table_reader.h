#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "system/movies/csv.h"
#include "system/movies/model.h"

namespace chancho::movies {

// Counts of the data rows of one file: every CSV record after the header,
// and how many of them were skipped, by reason.
struct ReadStats {
  int64_t rows = 0;
  std::array<int64_t, kRowErrorCount> skipped_by{};

  int64_t skipped() const;
  void Count(RowError error) { ++skipped_by[static_cast<int>(error)]; }
  // "bad_id=2,duplicate=1" for the non-zero reasons; "" when none.
  std::string Reasons() const;
};

// Reads the usable rows of one of the three files, skipping and counting
// the others. The first record is the header; columns are found by name.
//
// When the parser has a Key (movies and credits: the movie id), a row whose
// key an earlier usable row of the same file already had is a duplicate and
// is skipped: the first usable row wins. The real movies_metadata.csv and
// credits.csv repeat some rows, and keeping them would count a movie twice.
// Ratings are not deduplicated.
//
// Throws std::runtime_error "<file>: ..." when there is no usable header.
// Not thread-safe; the stream must outlive the reader.
template <typename Parser>
class TableReader {
 public:
  using Row = typename Parser::Row;

  explicit TableReader(std::istream& in) : csv_(in) {
    std::vector<std::string> header;
    const CsvResult result = csv_.Next(header);
    if (result != CsvResult::kRecord) {
      throw std::runtime_error(std::string(Parser::kFileName) +
                               (result == CsvResult::kEnd
                                    ? ": empty file, no header"
                                    : ": malformed header: " + csv_.error()));
    }
    parser_.emplace(header);
  }

  // The next usable row into `row`; false at the end of the input.
  bool Next(Row& row) {
    for (;;) {
      const CsvResult result = csv_.Next(fields_);
      if (result == CsvResult::kEnd) return false;
      ++stats_.rows;
      RowError error = result == CsvResult::kMalformed
                           ? RowError::kCsv
                           : parser_->Parse(fields_, row);
      if constexpr (requires { Parser::Key(row); }) {
        if (error == RowError::kNone &&
            !seen_.insert(Parser::Key(row)).second) {
          error = RowError::kDuplicate;
        }
      }
      if (error == RowError::kNone) return true;
      stats_.Count(error);
    }
  }

  const ReadStats& stats() const { return stats_; }

 private:
  CsvReader csv_;
  std::optional<Parser> parser_;
  std::vector<std::string> fields_;
  std::unordered_set<int64_t> seen_;
  ReadStats stats_;
};

using MovieReader = TableReader<MovieParser>;
using CreditReader = TableReader<CreditParser>;
using RatingReader = TableReader<RatingParser>;

}  // namespace chancho::movies
