#include "system/movies/pipeline/upload.h"

#include <algorithm>

#include "system/movies/csv.h"
#include "system/movies/pipeline/wire.h"

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

std::string UploadCheckpoint::Encode() const {
  Writer w;
  w.U64(static_cast<std::uint64_t>(file));
  w.U64(frames);
  w.U64(sequence);
  w.U64(started ? 1 : 0);
  w.StrList(header);
  w.U64(seen_ids.size());
  for (std::int64_t id : seen_ids) w.I64(id);
  for (const ReadStats& s : stats) {
    w.I64(s.rows);
    for (std::int64_t n : s.skipped_by) w.I64(n);
  }
  return w.Take();
}

UploadCheckpoint UploadCheckpoint::Decode(std::string_view bytes) {
  Reader r(bytes);
  UploadCheckpoint c;
  const std::uint64_t file = r.U64();
  if (file > kInputFileCount) throw WireError("checkpoint: bad file number");
  c.file = static_cast<int>(file);
  c.frames = r.U64();
  c.sequence = r.U64();
  c.started = r.U64() != 0;
  c.header = r.StrList();
  c.seen_ids.resize(r.Count());
  for (std::int64_t& id : c.seen_ids) id = r.I64();
  for (ReadStats& s : c.stats) {
    s.rows = r.I64();
    for (std::int64_t& n : s.skipped_by) n = r.I64();
  }
  r.ExpectEnd();
  return c;
}

Uploader::Uploader(std::string session, const UploadRoutes& routes,
                   Publisher& publisher, common::Logger& logger,
                   const UploadCheckpoint& from, OnCheckpoint on_checkpoint)
    : session_(std::move(session)),
      routes_(routes),
      publisher_(publisher),
      logger_(logger),
      on_checkpoint_(std::move(on_checkpoint)),
      next_file_(from.file),
      frames_(from.frames),
      header_(from.header),
      started_(from.started),
      sequence_(from.sequence),
      seen_ids_(from.seen_ids.begin(), from.seen_ids.end()),
      stats_(from.stats) {
  if (header_.empty() || next_file_ >= kInputFileCount) return;
  switch (static_cast<InputFile>(next_file_)) {
    case InputFile::kMovies:
      movie_parser_.emplace(header_);
      break;
    case InputFile::kCredits:
      credit_parser_.emplace(header_);
      break;
    case InputFile::kRatings:
      rating_parser_.emplace(header_);
      break;
  }
}

UploadCheckpoint Uploader::Checkpoint() const {
  UploadCheckpoint c;
  c.file = next_file_;
  c.frames = frames_;
  c.sequence = sequence_;
  c.started = started_;
  c.header = header_;
  c.seen_ids.assign(seen_ids_.begin(), seen_ids_.end());
  std::sort(c.seen_ids.begin(), c.seen_ids.end());
  c.stats = stats_;
  return c;
}

void Uploader::ConfirmAndCheckpoint() {
  publisher_.connection().WaitForConfirms(kConfirmTimeout);
  unconfirmed_ = 0;
  if (on_checkpoint_ && movies_.empty() && credits_.empty() && ratings_.empty()) {
    on_checkpoint_(Checkpoint());
  }
}

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
  CsvReader reader(csv);
  ReadStats& stats = stats_[next_file_];
  for (;;) {
    const CsvResult result = reader.Next(fields_);
    if (result == CsvResult::kEnd) break;
    if (!parser) {
      if (result != CsvResult::kRecord) {
        throw ProtocolError(std::string(kInputFileNames[next_file_]) +
                            ": malformed header: " + reader.error());
      }
      try {
        parser.emplace(fields_);
      } catch (const std::exception& e) {
        throw ProtocolError(e.what());
      }
      header_ = fields_;
      continue;
    }
    ++stats.rows;
    typename Parser::Row row;
    RowError error = result == CsvResult::kMalformed
                         ? RowError::kCsv
                         : parser->Parse(fields_, row);
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
void Uploader::Flush(std::vector<Row>& rows, const OutputRoute& route, bool all,
                     bool keep) {
  if (rows.empty() || (!all && rows.size() < RowsPerMessage<Row>())) return;
  started_ = true;
  const auto key = [](const auto& row) {
    if constexpr (requires { row.id; }) {
      return KeyHash(row.id);
    } else {
      return KeyHash(row.movie_id);
    }
  };
  if constexpr (std::is_same_v<Row, Rating>) {
    std::vector<MovieRating> wire;
    wire.reserve(rows.size());
    for (const Rating& r : rows) wire.push_back({r.movie_id, r.tenths});
    publisher_.SendPartitioned(route, NextId(), wire, key);
  } else {
    publisher_.SendPartitioned(route, NextId(), rows, key);
  }
  if (!keep) rows.clear();
  ++unconfirmed_;
}

void Uploader::FlushMovies(bool all) {
  if (movies_.empty() || (!all && movies_.size() < RowsPerMessage<Movie>())) {
    return;
  }
  // One id for both copies: they go to different queues.
  const std::uint64_t sequence = sequence_;
  Flush(movies_, routes_.overviews, true, /*keep=*/true);
  for (Movie& m : movies_) m.overview.clear();
  sequence_ = sequence;
  Flush(movies_, routes_.movies, true);
}

void Uploader::Data(std::string_view payload) {
  const InputFile file = CheckFile(payload, true);
  const std::string_view csv = payload.substr(1);
  switch (file) {
    case InputFile::kMovies:
      Parse(csv, movie_parser_, movies_);
      FlushMovies(false);
      break;
    case InputFile::kCredits:
      Parse(csv, credit_parser_, credits_);
      Flush(credits_, routes_.credits, false);
      break;
    case InputFile::kRatings:
      Parse(csv, rating_parser_, ratings_);
      Flush(ratings_, routes_.ratings, false);
      break;
  }
  ++frames_;
  // Only at a frame's end: both copies of a movies message are out, and a
  // resumed upload starts from a whole frame.
  if (unconfirmed_ >= kConfirmWindow) ConfirmAndCheckpoint();
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
  seen_ids_.clear();
  header_.clear();
  frames_ = 0;
  ++next_file_;
  ConfirmAndCheckpoint();
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
