#include "system/movies/model.h"

#include <algorithm>
#include <stdexcept>

#include "system/movies/fixed_point.h"
#include "system/movies/python_literal.h"

namespace chancho::movies {
namespace {

constexpr int kMaxIdDigits = 18;
// Ratings are stars from 0 to 5, in tenths.
constexpr int64_t kMaxRatingTenths = 50;

enum MovieColumn {
  kMovieId,
  kTitle,
  kGenres,
  kCountries,
  kReleaseDate,
  kBudget,
  kRevenue,
  kOverview
};
enum CreditColumn { kCreditId, kCast };
enum RatingColumn { kUserId, kRatingMovieId, kRatingValue };

void ReplaceLineBreaks(std::string& text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
}

// An empty list cell means "no entries", as it does for pandas users; any
// other text must be a list of dicts carrying `key`.
RowError ParseNames(std::string_view text, std::string_view key,
                    std::vector<std::string>& out) {
  if (text.find_first_not_of(" \t") == std::string_view::npos) {
    out.clear();
    return RowError::kNone;
  }
  std::optional<std::vector<std::string>> names = ExtractListField(text, key);
  if (!names) return RowError::kBadLiteral;
  out = std::move(*names);
  for (std::string& name : out) ReplaceLineBreaks(name);
  return RowError::kNone;
}

// Empty money cells are unknown amounts, which the queries treat as 0.
RowError ParseMoney(std::string_view text, int64_t& out) {
  if (text.empty()) {
    out = 0;
    return RowError::kNone;
  }
  const std::optional<int64_t> value = ParseFixed(text, 0);
  if (!value) return RowError::kBadNumber;
  out = *value;
  return RowError::kNone;
}

}  // namespace

std::string_view RowErrorName(RowError error) {
  switch (error) {
    case RowError::kNone:
      return "none";
    case RowError::kCsv:
      return "csv";
    case RowError::kColumnCount:
      return "column_count";
    case RowError::kBadId:
      return "bad_id";
    case RowError::kBadNumber:
      return "bad_number";
    case RowError::kBadDate:
      return "bad_date";
    case RowError::kBadLiteral:
      return "bad_literal";
    case RowError::kDuplicate:
      return "duplicate";
  }
  return "unknown";
}

Columns::Columns(const std::vector<std::string>& header,
                 const std::vector<std::string_view>& names,
                 std::string_view file)
    : width_(header.size()) {
  for (std::string_view name : names) {
    const auto found = std::find(header.begin(), header.end(), name);
    if (found == header.end()) {
      throw std::runtime_error(std::string(file) + ": no column '" +
                               std::string(name) + "' in the header");
    }
    positions_.push_back(static_cast<std::size_t>(found - header.begin()));
  }
}

std::optional<int64_t> ParseId(std::string_view text) {
  if (text.empty() || text.size() > kMaxIdDigits) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<int> ParseReleaseYear(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  int parts[3] = {0, 0, 0};
  int part = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 4 || i == 7) {
      ++part;
      continue;
    }
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    parts[part] = parts[part] * 10 + (text[i] - '0');
  }
  if (parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > 31) {
    return std::nullopt;
  }
  return parts[0];
}

std::string OneLine(std::string_view text) {
  std::string line(text);
  ReplaceLineBreaks(line);
  return line;
}

MovieParser::MovieParser(const std::vector<std::string>& header)
    : columns_(header,
               {"id", "title", "genres", "production_countries", "release_date",
                "budget", "revenue", "overview"},
               kFileName) {}

RowError MovieParser::Parse(const std::vector<std::string>& fields,
                            Movie& out) const {
  if (fields.size() != columns_.width()) return RowError::kColumnCount;
  const std::optional<int64_t> id = ParseId(fields[columns_[kMovieId]]);
  if (!id) return RowError::kBadId;
  out.id = *id;
  if (RowError e = ParseMoney(fields[columns_[kBudget]], out.budget);
      e != RowError::kNone) {
    return e;
  }
  if (RowError e = ParseMoney(fields[columns_[kRevenue]], out.revenue);
      e != RowError::kNone) {
    return e;
  }
  const std::string& date = fields[columns_[kReleaseDate]];
  out.year.reset();
  if (!date.empty()) {
    out.year = ParseReleaseYear(date);
    if (!out.year) return RowError::kBadDate;
  }
  if (RowError e = ParseNames(fields[columns_[kGenres]], "name", out.genres);
      e != RowError::kNone) {
    return e;
  }
  if (RowError e =
          ParseNames(fields[columns_[kCountries]], "iso_3166_1", out.countries);
      e != RowError::kNone) {
    return e;
  }
  out.title = OneLine(fields[columns_[kTitle]]);
  out.overview = fields[columns_[kOverview]];
  return RowError::kNone;
}

CreditParser::CreditParser(const std::vector<std::string>& header)
    : columns_(header, {"id", "cast"}, kFileName) {}

RowError CreditParser::Parse(const std::vector<std::string>& fields,
                             Credit& out) const {
  if (fields.size() != columns_.width()) return RowError::kColumnCount;
  const std::optional<int64_t> id = ParseId(fields[columns_[kCreditId]]);
  if (!id) return RowError::kBadId;
  out.movie_id = *id;
  return ParseNames(fields[columns_[kCast]], "name", out.cast);
}

RatingParser::RatingParser(const std::vector<std::string>& header)
    : columns_(header, {"userId", "movieId", "rating"}, kFileName) {}

RowError RatingParser::Parse(const std::vector<std::string>& fields,
                             Rating& out) const {
  if (fields.size() != columns_.width()) return RowError::kColumnCount;
  const std::optional<int64_t> user = ParseId(fields[columns_[kUserId]]);
  const std::optional<int64_t> movie =
      ParseId(fields[columns_[kRatingMovieId]]);
  if (!user || !movie) return RowError::kBadId;
  const std::optional<int64_t> tenths =
      ParseFixed(fields[columns_[kRatingValue]], 1);
  if (!tenths || *tenths > kMaxRatingTenths) return RowError::kBadNumber;
  out.user_id = *user;
  out.movie_id = *movie;
  out.tenths = static_cast<int>(*tenths);
  return RowError::kNone;
}

}  // namespace chancho::movies
