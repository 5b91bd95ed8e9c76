#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chancho::movies {

// One row of movies_metadata.csv, reduced to what the queries use.
// Text that ends up in result lines (title, genre names) has \r and \n
// replaced by spaces, so that a result line is always one line.
struct Movie {
  int64_t id = 0;
  std::string title;
  std::vector<std::string> genres;     // 'name' of each entry, file order
  std::vector<std::string> countries;  // 'iso_3166_1' of each entry
  std::optional<int> year;             // of release_date; none when empty
  int64_t budget = 0;                  // 0 when the cell is empty
  int64_t revenue = 0;                 // "373554033.0" -> 373554033
  std::string overview;                // as in the file

  bool operator==(const Movie&) const = default;
};

// One row of credits.csv: the movie and the 'name' of each cast entry, in
// file order (an actor with two roles appears twice). crew is not read.
struct Credit {
  int64_t movie_id = 0;
  std::vector<std::string> cast;

  bool operator==(const Credit&) const = default;
};

// One row of ratings.csv; the rating in tenths of a star (3.5 -> 35), so
// that sums are exact. timestamp is not read.
struct Rating {
  int64_t user_id = 0;
  int64_t movie_id = 0;
  int tenths = 0;

  bool operator==(const Rating&) const = default;
};

// Why a row was skipped.
enum class RowError {
  kNone = 0,
  kCsv,          // broken CSV quoting (see CsvReader)
  kColumnCount,  // not as many fields as the header has columns
  kBadId,        // an id that is not a decimal integer (e.g. a date)
  kBadNumber,    // budget, revenue or rating that is not a valid number
  kBadDate,      // release_date neither empty nor YYYY-MM-DD
  kBadLiteral,   // a list column that is not a list of dicts with the key
  kDuplicate,    // the id of an earlier usable row of the same file
};
inline constexpr int kRowErrorCount = 8;

// "csv", "column_count", "bad_id", ... ("none" for kNone).
std::string_view RowErrorName(RowError error);

// Where named columns sit in a header row. Throws std::runtime_error
// "<file>: no column '<name>' in the header" when one is missing.
class Columns {
 public:
  Columns(const std::vector<std::string>& header,
          const std::vector<std::string_view>& names, std::string_view file);

  // Position of the i-th name given to the constructor.
  std::size_t operator[](std::size_t i) const { return positions_[i]; }
  // How many fields a row must have: the header's width.
  std::size_t width() const { return width_; }

 private:
  std::vector<std::size_t> positions_;
  std::size_t width_;
};

// Row parsers for the three files. Each is built from the file's header
// (columns are found by name, in any order, extra columns ignored) and
// parses one CSV record into its struct, returning kNone on success.
// On error the output struct is left in an unspecified state. Parse is
// const and thread-safe; a record may have any content, including none.
class MovieParser {
 public:
  using Row = Movie;
  static constexpr std::string_view kFileName = "movies_metadata.csv";

  explicit MovieParser(const std::vector<std::string>& header);
  RowError Parse(const std::vector<std::string>& fields, Movie& out) const;
  static int64_t Key(const Movie& movie) { return movie.id; }

 private:
  Columns columns_;
};

class CreditParser {
 public:
  using Row = Credit;
  static constexpr std::string_view kFileName = "credits.csv";

  explicit CreditParser(const std::vector<std::string>& header);
  RowError Parse(const std::vector<std::string>& fields, Credit& out) const;
  static int64_t Key(const Credit& credit) { return credit.movie_id; }

 private:
  Columns columns_;
};

class RatingParser {
 public:
  using Row = Rating;
  static constexpr std::string_view kFileName = "ratings.csv";

  explicit RatingParser(const std::vector<std::string>& header);
  RowError Parse(const std::vector<std::string>& fields, Rating& out) const;

 private:
  Columns columns_;
};

// A decimal id: 1 to 18 digits, nothing else. nullopt otherwise.
std::optional<int64_t> ParseId(std::string_view text);

// The year of "YYYY-MM-DD" (month 01-12, day 01-31). nullopt otherwise.
std::optional<int> ParseReleaseYear(std::string_view text);

// `text` with every \r and \n replaced by a space.
std::string OneLine(std::string_view text);

}  // namespace chancho::movies
