#pragma once

// The client-handler's sending side for one client session: parses the
// CSV records of each Data frame with the row parsers of model.h and
// publishes them into the pipeline, partitioned by movie id:
//   movies  -> OVERVIEW_OUTPUT_NODES (stream "movies"), and without their
//              overview (only sentiment reads it, and it is most of a
//              movie's bytes) -> MOVIES_OUTPUT_NODES (stream "movies")
//   credits -> CREDITS_OUTPUT_NODES (stream "credits")
//   ratings -> RATINGS_OUTPUT_NODES (stream "ratings"), as MovieRating
//              records (records.h)
// Rows of several Data frames go out together, up to RowsPerMessage rows
// per message (so the broker carries a few large messages rather than many
// small ones); FileEnd flushes what is left. Message ids are (session,
// "client-handler", message number). Rows that do
// not parse, and repeated movie ids within movies or credits (the first
// usable row wins, as in TableReader), are skipped and counted; FileEnd logs
// one line per file with the counts, then sends the file's EOFs.
//
// Resumption: at every point where everything published so far is
// confirmed and no parsed row waits (every kConfirmWindow messages, at a
// Data frame's end, and at every FileEnd) the Uploader hands an
// UploadCheckpoint to `on_checkpoint`. An Uploader made from a checkpoint
// carries on from there: the client re-sends the Data frames after the
// checkpoint's count, which makes the same messages with the same ids, so
// whatever a crashed handler had already published is dropped downstream as
// a duplicate.
//
// Not thread-safe: one Uploader per session thread, over that thread's
// Publisher.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "system/common/log.h"
#include "system/movies/model.h"
#include "system/movies/pipeline/client_protocol.h"
#include "system/movies/pipeline/publisher.h"
#include "system/movies/table_reader.h"

namespace chancho::movies {

// The client broke the protocol; the message is one line for the client.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct UploadRoutes {
  OutputRoute overviews;
  OutputRoute movies;
  OutputRoute credits;
  OutputRoute ratings;
};

// From OVERVIEW_/MOVIES_/CREDITS_/RATINGS_OUTPUT_NODES; throws
// std::invalid_argument.
UploadRoutes UploadRoutesFromEnv(const common::EnvLookup& env);

// Where an upload stands, at a point where the Uploader can resume.
struct UploadCheckpoint {
  int file = 0;              // the file being sent (kInputFileCount: done)
  std::uint64_t frames = 0;  // its Data frames already taken
  std::uint64_t sequence = 0;  // the next message number
  bool started = false;        // something was published
  std::vector<std::string> header;    // the current file's, once read
  std::vector<std::int64_t> seen_ids;  // the current file's, for duplicates
  std::array<ReadStats, kInputFileCount> stats{};

  std::string Encode() const;
  // Throws WireError for bytes that Encode did not write.
  static UploadCheckpoint Decode(std::string_view bytes);
};

class Uploader {
 public:
  static constexpr std::size_t kRowsPerMessage = 2000;
  // Ratings are a few bytes each and most of the rows: fewer, larger
  // messages for them.
  static constexpr std::size_t kRatingsPerMessage = 30000;
  template <typename Row>
  static constexpr std::size_t RowsPerMessage() {
    return std::is_same_v<Row, Rating> ? kRatingsPerMessage : kRowsPerMessage;
  }
  using OnCheckpoint = std::function<void(const UploadCheckpoint&)>;

  Uploader(std::string session, const UploadRoutes& routes,
           Publisher& publisher, common::Logger& logger,
           const UploadCheckpoint& from = {}, OnCheckpoint on_checkpoint = {});

  // The state right now (a resumable one only when `on_checkpoint` is
  // called with it).
  UploadCheckpoint Checkpoint() const;

  // One Data frame's payload (file byte + records). Throws ProtocolError for
  // a file out of order or a first batch without a usable header.
  void Data(std::string_view payload);
  // One FileEnd frame's payload (file byte + decimal bad-record count).
  void FileEnd(std::string_view payload);
  // Tells every stage to drop the session (the client went away). Only
  // sends anything once the upload has started.
  void Abort();

  bool finished() const { return next_file_ == kInputFileCount; }
  const ReadStats& stats(InputFile file) const {
    return stats_[static_cast<int>(file)];
  }

 private:
  InputFile CheckFile(std::string_view payload, bool data);
  template <typename Parser>
  void Parse(std::string_view csv, std::optional<Parser>& parser,
             std::vector<typename Parser::Row>& rows);
  // Sends `rows` (all of them, or only when there are RowsPerMessage) and
  // clears them unless `keep`.
  template <typename Row>
  void Flush(std::vector<Row>& rows, const OutputRoute& route, bool all,
             bool keep = false);
  std::vector<OutputRoute> RoutesOf(InputFile file) const;
  void FlushMovies(bool all);
  mq::Envelope NextId();
  void ConfirmAndCheckpoint();

  std::string session_;
  UploadRoutes routes_;
  Publisher& publisher_;
  common::Logger& logger_;
  OnCheckpoint on_checkpoint_;
  int next_file_ = 0;
  std::uint64_t frames_ = 0;  // Data frames of the current file
  std::vector<std::string> header_;
  bool started_ = false;
  std::uint64_t sequence_ = 0;
  int unconfirmed_ = 0;
  std::optional<MovieParser> movie_parser_;
  std::optional<CreditParser> credit_parser_;
  std::optional<RatingParser> rating_parser_;
  std::unordered_set<std::int64_t> seen_ids_;  // of the current file
  std::vector<std::string> fields_;            // of the record being parsed
  std::vector<Movie> movies_;  // parsed, not yet sent
  std::vector<Credit> credits_;
  std::vector<Rating> ratings_;
  std::array<ReadStats, kInputFileCount> stats_{};
};

}  // namespace chancho::movies
