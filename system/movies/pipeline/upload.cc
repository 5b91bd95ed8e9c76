#include "system/movies/pipeline/upload.h"

#include <sstream>

#include "system/movies/csv.h"

namespace chancho::movies {
namespace {

constexpr char kProducer[] = "client-handler";
// Confirms are awaited every so many messages, which bounds what the
// broker may still lose for us and the memory of the pending set.
constexpr int kConfirmWindow = 32;
constexpr auto kConfirmTimeout = std::chrono::seconds(120);

}  // namespace

UploadRoutes UploadRoutesFromEnv(const common::EnvLookup& env) {
  return {{"movies", OutputNodesFromEnv(env, "OVERVIEW_")},
          {"movies", OutputNodesFromEnv(env, "MOVIES_")},
          {"credits", OutputNodesFromEnv(env, "CREDITS_")},
          {"ratings", OutputNodesFromEnv(env, "RATINGS_")}};
}

Uploader::Uploader(std::string session, const UploadRoutes& routes,
                   Publisher& publisher, common::Logger& logger)
    : session_(std::move(session)),
      routes_(routes),
      publisher_(publisher),
      logger_(logger) {}

std::vector<OutputRoute> Uploader::RoutesOf(InputFile file) const {
  switch (file) {
    case InputFile::kMovies:
      return {routes_.overviews, routes_.movies};
    case InputFile::kCredits:
      return {routes_.credits};
    case InputFile::kRatings:
      break;
  }
  return {routes_.ratings};
}

InputFile Uploader::CheckFile(std::string_view payload, bool data) {
  if (payload.empty()) throw ProtocolError("empty frame: no file byte");
  const int file = static_cast<unsigned char>(payload[0]);
  if (file >= kInputFileCount) {
    throw ProtocolError("unknown file " + std::to_string(file));
  }
  if (file != next_file_) {
    throw ProtocolError(
        std::string(data ? "data" : "end") + " of " +
        std::string(kInputFileNames[file]) + " out of order: expected " +
        (next_file_ < kInputFileCount ? std::string(kInputFileNames[next_file_])
                                      : std::string("nothing more")));
  }
  return static_cast<InputFile>(file);
}

mq::Envelope Uploader::NextId() {
  mq::Envelope id;
  id.client_id = session_;
  id.producer = kProducer;
  id.sequence = sequence_++;
  return id;
}

template <typename Parser>
void Uploader::Parse(std::string_view csv, std::optional<Parser>& parser,
                     std::vector<typename Parser::Row>& rows) {
  std::istringstream in{std::string(csv)};
  CsvReader reader(in);
  std::vector<std::string> fields;
  ReadStats& stats = stats_[next_file_];
  for (;;) {
    const CsvResult result = reader.Next(fields);
    if (result == CsvResult::kEnd) break;
    if (!parser) {
      if (result != CsvResult::kRecord) {
        throw ProtocolError(std::string(kInputFileNames[next_file_]) +
                            ": malformed header: " + reader.error());
      }
      try {
        parser.emplace(fields);
      } catch (const std::exception& e) {
        throw ProtocolError(e.what());
      }
      continue;
    }
    ++stats.rows;
    typename Parser::Row row;
    RowError error = result == CsvResult::kMalformed ? RowError::kCsv
                                                     : parser->Parse(fields, row);
    if constexpr (requires { Parser::Key(row); }) {
      if (error == RowError::kNone &&
          !seen_ids_.insert(Parser::Key(row)).second) {
        error = RowError::kDuplicate;
      }
    }
    if (error != RowError::kNone) {
      stats.Count(error);
      continue;
    }
    rows.push_back(std::move(row));
  }
}

template <typename Row>
void Uploader::Flush(std::vector<Row>& rows, const OutputRoute& route,
                     bool all) {
  if (rows.empty() || (!all && rows.size() < kRowsPerMessage)) return;
  started_ = true;
  publisher_.SendPartitioned(route, NextId(), rows, [](const Row& row) {
    if constexpr (requires { row.id; }) {
      return KeyHash(row.id);
    } else {
      return KeyHash(row.movie_id);
    }
  });
  rows.clear();
  if (++unconfirmed_ >= kConfirmWindow) {
    publisher_.connection().WaitForConfirms(kConfirmTimeout);
    unconfirmed_ = 0;
  }
}

void Uploader::FlushMovies(bool all) {
  if (movies_.empty() || (!all && movies_.size() < kRowsPerMessage)) return;
  // One id for both copies: they go to different queues.
  std::vector<Movie> without_overview = movies_;
  for (Movie& m : without_overview) m.overview.clear();
  const std::uint64_t sequence = sequence_;
  Flush(movies_, routes_.overviews, true);
  sequence_ = sequence;
  Flush(without_overview, routes_.movies, true);
}

void Uploader::Data(std::string_view payload) {
  const InputFile file = CheckFile(payload, true);
  const std::string_view csv = payload.substr(1);
  switch (file) {
    case InputFile::kMovies:
      Parse(csv, movie_parser_, movies_);
      return FlushMovies(false);
    case InputFile::kCredits:
      Parse(csv, credit_parser_, credits_);
      return Flush(credits_, routes_.credits, false);
    case InputFile::kRatings:
      Parse(csv, rating_parser_, ratings_);
      return Flush(ratings_, routes_.ratings, false);
  }
}

void Uploader::FileEnd(std::string_view payload) {
  const InputFile file = CheckFile(payload, false);
  const int index = static_cast<int>(file);
  int64_t bad_csv = 0;
  try {
    bad_csv = common::ParseInteger(payload.substr(1), "bad record count", 0,
                                   INT64_MAX / 2);
  } catch (const std::invalid_argument& e) {
    throw ProtocolError(e.what());
  }
  switch (file) {
    case InputFile::kMovies:
      FlushMovies(true);
      break;
    case InputFile::kCredits:
      Flush(credits_, routes_.credits, true);
      break;
    case InputFile::kRatings:
      Flush(ratings_, routes_.ratings, true);
      break;
  }
  ReadStats& stats = stats_[index];
  stats.rows += bad_csv;
  stats.skipped_by[static_cast<int>(RowError::kCsv)] += bad_csv;
  logger_.Info("read_file", "success",
               {{"session", session_},
                {"file", std::string(kInputFileNames[index])},
                {"rows", std::to_string(stats.rows)},
                {"skipped", std::to_string(stats.skipped())},
                {"reasons", stats.Reasons()}});
  started_ = true;
  mq::Envelope id = NextId();
  publisher_.Broadcast(RoutesOf(file), id, mq::MessageKind::kEof, "1");
  publisher_.connection().WaitForConfirms(kConfirmTimeout);
  unconfirmed_ = 0;
  seen_ids_.clear();
  ++next_file_;
}

void Uploader::Abort() {
  if (!started_) return;
  mq::Envelope id;
  id.client_id = session_;
  id.producer = kProducer;
  id.sequence = 0;
  publisher_.Broadcast({routes_.overviews, routes_.movies, routes_.credits,
                        routes_.ratings},
                       id,
                       mq::MessageKind::kAbort, "");
  publisher_.connection().WaitForConfirms(kConfirmTimeout);
}

}  // namespace chancho::movies
